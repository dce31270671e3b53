#include "phat/pink/ip_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

namespace phat::pink {
namespace {

constexpr int kV4PrefixBits = 96;  // an IPv4 address is the last 32 bits of ::ffff:0:0/96

IpAddress MappedV4(const uint8_t (&v4)[4]) {
  IpAddress a;
  a.bytes[10] = a.bytes[11] = 0xff;
  std::memcpy(&a.bytes[12], v4, 4);
  return a;
}

// The special-purpose ranges a contract may not reach by default, most specific first where they
// nest (:: and ::1 lie inside ::/96).
const std::vector<std::pair<IpRange, AddressKind>>& SpecialRanges() {
  static const auto ranges = [] {
    constexpr std::pair<std::string_view, AddressKind> kTable[] = {
        {"0.0.0.0/8", AddressKind::Unspecified},
        {"10.0.0.0/8", AddressKind::Private},
        {"100.64.0.0/10", AddressKind::SharedAddressSpace},
        {"127.0.0.0/8", AddressKind::Loopback},
        {"169.254.0.0/16", AddressKind::LinkLocal},
        {"172.16.0.0/12", AddressKind::Private},
        {"192.168.0.0/16", AddressKind::Private},
        // Benchmarking (RFC 2544), which some networks use inside (e.g. proxies' fake-IP pools).
        {"198.18.0.0/15", AddressKind::Reserved},
        {"224.0.0.0/4", AddressKind::Multicast},
        {"240.0.0.0/4", AddressKind::Reserved},
        {"::/128", AddressKind::Unspecified},
        {"::1/128", AddressKind::Loopback},
        // IPv4-compatible addresses, deprecated: no routed address lives here.
        {"::/96", AddressKind::Reserved},
        {"fc00::/7", AddressKind::Private},
        {"fe80::/10", AddressKind::LinkLocal},
        // Site-local, deprecated (RFC 3879) but still routed inside some networks.
        {"fec0::/10", AddressKind::Private},
        {"ff00::/8", AddressKind::Multicast},
    };
    std::vector<std::pair<IpRange, AddressKind>> out;
    for (const auto& [text, kind] : kTable) {
      auto range = ParseIpRange(text);
      if (!range) std::abort();  // the table above is wrong
      out.emplace_back(*range, kind);
    }
    return out;
  }();
  return ranges;
}

}  // namespace

bool IpAddress::IsV4() const {
  for (int i = 0; i < 10; ++i)
    if (bytes[i] != 0) return false;
  return bytes[10] == 0xff && bytes[11] == 0xff;
}

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (IsV4()) {
    inet_ntop(AF_INET, &bytes[12], text, sizeof text);
  } else {
    inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
  }
  return text;
}

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);  // inet_pton needs the terminating NUL
  uint8_t v4[4];
  // inet_pton takes only the dotted quad for AF_INET, which is what we want here.
  if (inet_pton(AF_INET, s.c_str(), v4) == 1) return MappedV4(v4);
  IpAddress a;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) return a;
  return std::nullopt;
}

bool IpRange::Contains(const IpAddress& address) const {
  const int full_bytes = prefix_bits / 8;
  if (std::memcmp(address.bytes.data(), base.bytes.data(), full_bytes) != 0) return false;
  const int rest = prefix_bits % 8;
  if (rest == 0) return true;
  const uint8_t mask = uint8_t(0xff << (8 - rest));
  return (address.bytes[full_bytes] & mask) == (base.bytes[full_bytes] & mask);
}

std::optional<IpRange> ParseIpRange(std::string_view text) {
  const size_t slash = text.find('/');
  auto base = ParseIpAddress(text.substr(0, slash));
  if (!base) return std::nullopt;
  const int offset = base->IsV4() ? kV4PrefixBits : 0;
  if (slash == std::string_view::npos) return IpRange{*base, 128};
  const std::string_view bits_text = text.substr(slash + 1);
  int bits = -1;
  auto [end, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
  if (ec != std::errc{} || end != bits_text.data() + bits_text.size() || bits_text.empty() ||
      bits < 0 || bits > 128 - offset) {
    return std::nullopt;
  }
  return IpRange{*base, offset + bits};
}

std::string_view AddressKindName(AddressKind kind) {
  switch (kind) {
    case AddressKind::Public:
      return "public";
    case AddressKind::Unspecified:
      return "unspecified";
    case AddressKind::Loopback:
      return "loopback";
    case AddressKind::Private:
      return "private";
    case AddressKind::SharedAddressSpace:
      return "shared address space";
    case AddressKind::LinkLocal:
      return "link-local";
    case AddressKind::Multicast:
      return "multicast";
    case AddressKind::Reserved:
      return "reserved";
  }
  return "unknown";
}

AddressKind ClassifyAddress(const IpAddress& address) {
  static const IpRange kNat64 = *ParseIpRange("64:ff9b::/96");
  IpAddress judged = address;
  if (kNat64.Contains(address)) {
    uint8_t v4[4];
    std::memcpy(v4, &address.bytes[12], 4);
    judged = MappedV4(v4);
  }
  for (const auto& [range, kind] : SpecialRanges())
    if (range.Contains(judged)) return kind;
  return AddressKind::Public;
}

}  // namespace phat::pink
