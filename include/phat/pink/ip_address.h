// IP addresses as the pink HTTP client's network guard sees them: parsing from text, ranges in
// CIDR notation, and the classification that decides whether a contract may connect to an
// address by default. A contract's HTTP request must not reach into the worker's own network
// (loopback services, the private ranges, the link-local cloud metadata endpoint 169.254.169.254)
// unless the operator allows it; everything else on the Internet is fair game.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace phat::pink {

// An IPv4 address is kept in its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so one comparison
// covers both spellings of it, as a dual-stack socket may report either.
struct IpAddress {
  std::array<uint8_t, 16> bytes{};

  bool IsV4() const;             // in ::ffff:0:0/96
  std::string ToString() const;  // "10.0.0.1", "fe80::1"
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// "10.0.0.1" or "fe80::1" (no brackets, no zone); nothing for anything else, including the
// short and octal IPv4 forms ("127.1", "0177.0.0.1") that some resolvers accept.
std::optional<IpAddress> ParseIpAddress(std::string_view text);

// The addresses sharing the first `prefix_bits` bits of `base`, counted in the 128-bit form (an
// IPv4 /8 is a prefix of 96 + 8 bits).
struct IpRange {
  IpAddress base;
  int prefix_bits = 128;

  bool Contains(const IpAddress& address) const;
};

// "10.0.0.0/8", "fc00::/7", or a single address ("10.0.0.1" is 10.0.0.1/32). Bits of the base
// beyond the prefix are ignored ("10.1.2.3/8" is 10.0.0.0/8).
std::optional<IpRange> ParseIpRange(std::string_view text);

// What an address is, after IANA's special-purpose address registries (RFC 6890 and updates).
// Only Public is reachable by a contract unless the policy says otherwise.
enum class AddressKind : uint8_t {
  Public,
  Unspecified,         // 0.0.0.0/8, ::  (connecting to 0.0.0.0 reaches the host itself)
  Loopback,            // 127.0.0.0/8, ::1
  Private,             // 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10
  SharedAddressSpace,  // 100.64.0.0/10, carrier-grade NAT (RFC 6598)
  LinkLocal,           // 169.254.0.0/16, fe80::/10
  Multicast,           // 224.0.0.0/4, ff00::/8
  Reserved,  // 240.0.0.0/4 with broadcast 255.255.255.255, 198.18/15, IPv4-compatible ::/96
};
std::string_view AddressKindName(AddressKind kind);

// The kind of `address`. An IPv4 address embedded in IPv6 (mapped ::ffff:0:0/96, or the NAT64
// prefix 64:ff9b::/96, which a NAT64 gateway forwards to the embedded address) is judged by the
// IPv4 address, so no spelling of 10.0.0.1 passes for public.
AddressKind ClassifyAddress(const IpAddress& address);

}  // namespace phat::pink
