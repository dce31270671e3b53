// The network guard's address table: every special-purpose range a contract may not reach by
// default, its edges, the IPv6 spellings of IPv4 addresses, and the parsing of addresses and
// CIDR ranges that allow lists are written in.
#include "phat/pink/ip_address.h"

#include <gtest/gtest.h>

#include <cctype>
#include <ostream>
#include <string>

namespace phat::pink {
namespace {

struct KindCase {
  const char* address;
  AddressKind kind;
};

void PrintTo(const KindCase& c, std::ostream* os) {
  *os << c.address;
}

class ClassifyAddressTest : public testing::TestWithParam<KindCase> {};

TEST_P(ClassifyAddressTest, GivesTheRegistryKind) {
  const KindCase& c = GetParam();
  auto address = ParseIpAddress(c.address);
  ASSERT_TRUE(address) << c.address;
  EXPECT_EQ(AddressKindName(ClassifyAddress(*address)), AddressKindName(c.kind)) << c.address;
}

const KindCase kKinds[] = {
    // IPv4, each range and the addresses just outside it.
    {"0.0.0.0", AddressKind::Unspecified},
    {"0.255.255.255", AddressKind::Unspecified},
    {"1.0.0.0", AddressKind::Public},
    {"9.255.255.255", AddressKind::Public},
    {"10.0.0.0", AddressKind::Private},
    {"10.255.255.255", AddressKind::Private},
    {"11.0.0.0", AddressKind::Public},
    {"100.63.255.255", AddressKind::Public},
    {"100.64.0.0", AddressKind::SharedAddressSpace},
    {"100.127.255.255", AddressKind::SharedAddressSpace},
    {"100.128.0.0", AddressKind::Public},
    {"127.0.0.1", AddressKind::Loopback},
    {"127.255.255.254", AddressKind::Loopback},
    {"128.0.0.0", AddressKind::Public},
    {"169.253.255.255", AddressKind::Public},
    {"169.254.169.254", AddressKind::LinkLocal},  // cloud metadata services
    {"169.255.0.0", AddressKind::Public},
    {"172.15.255.255", AddressKind::Public},
    {"172.16.0.0", AddressKind::Private},
    {"172.31.255.255", AddressKind::Private},
    {"172.32.0.0", AddressKind::Public},
    {"192.167.255.255", AddressKind::Public},
    {"192.168.1.1", AddressKind::Private},
    {"192.169.0.0", AddressKind::Public},
    {"198.17.255.255", AddressKind::Public},
    {"198.18.0.1", AddressKind::Reserved},
    {"198.19.255.255", AddressKind::Reserved},
    {"198.20.0.0", AddressKind::Public},
    {"8.8.8.8", AddressKind::Public},
    {"223.255.255.255", AddressKind::Public},
    {"224.0.0.1", AddressKind::Multicast},
    {"239.255.255.255", AddressKind::Multicast},
    {"240.0.0.0", AddressKind::Reserved},
    {"255.255.255.255", AddressKind::Reserved},  // broadcast
    // IPv6.
    {"::", AddressKind::Unspecified},
    {"::1", AddressKind::Loopback},
    {"::2", AddressKind::Reserved},
    {"::10.0.0.1", AddressKind::Reserved},  // IPv4-compatible, deprecated
    {"2001:4860:4860::8888", AddressKind::Public},
    {"fbff:ffff::", AddressKind::Public},
    {"fc00::1", AddressKind::Private},
    {"fdff:ffff::1", AddressKind::Private},
    {"fe7f:ffff::", AddressKind::Public},
    {"fe80::1", AddressKind::LinkLocal},
    {"febf:ffff::", AddressKind::LinkLocal},
    {"fec0::1", AddressKind::Private},
    {"feff:ffff::", AddressKind::Private},
    {"ff02::1", AddressKind::Multicast},
    // IPv4 inside IPv6: judged by the IPv4 address.
    {"::ffff:127.0.0.1", AddressKind::Loopback},
    {"::ffff:10.1.2.3", AddressKind::Private},
    {"::ffff:169.254.169.254", AddressKind::LinkLocal},
    {"::ffff:0.0.0.0", AddressKind::Unspecified},
    {"::ffff:8.8.8.8", AddressKind::Public},
    {"64:ff9b::192.168.0.1", AddressKind::Private},
    {"64:ff9b::7f00:1", AddressKind::Loopback},
    {"64:ff9b::8.8.8.8", AddressKind::Public},
};
INSTANTIATE_TEST_SUITE_P(Table, ClassifyAddressTest, testing::ValuesIn(kKinds),
                         [](const testing::TestParamInfo<KindCase>& info) {
                           std::string name = info.param.address;  // "fe80::1" -> "fe80__1"
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(IpAddress, ParsesOnlyPlainAddresses) {
  for (const char* good : {"1.2.3.4", "::1", "fe80::1", "::ffff:1.2.3.4"})
    EXPECT_TRUE(ParseIpAddress(good)) << good;
  for (const char* bad : {"", "1.2.3", "127.1", "0177.0.0.1", "1.2.3.4.5", "256.0.0.1", "[::1]",
                          "fe80::1%eth0", "localhost", " 1.2.3.4", "1.2.3.4/8"}) {
    EXPECT_FALSE(ParseIpAddress(bad)) << bad;
  }
  EXPECT_EQ(ParseIpAddress("::ffff:1.2.3.4"), ParseIpAddress("1.2.3.4"));
  EXPECT_TRUE(ParseIpAddress("1.2.3.4")->IsV4());
  EXPECT_FALSE(ParseIpAddress("::1")->IsV4());
  EXPECT_EQ(ParseIpAddress("10.0.0.1")->ToString(), "10.0.0.1");
  EXPECT_EQ(ParseIpAddress("FE80:0::1")->ToString(), "fe80::1");
}

TEST(IpRange, ParsesCidrAndMatchesItsPrefix) {
  struct Case {
    const char* range;
    const char* address;
    bool contained;
  };
  for (const Case& c : {
           Case{"10.0.0.0/8", "10.200.1.1", true},
           Case{"10.0.0.0/8", "11.0.0.0", false},
           Case{"10.1.2.3/8", "10.9.9.9", true},  // bits past the prefix do not matter
           Case{"172.16.0.0/12", "172.31.0.1", true},
           Case{"172.16.0.0/12", "172.32.0.1", false},
           Case{"192.168.1.7", "192.168.1.7", true},  // one address
           Case{"192.168.1.7", "192.168.1.8", false},
           Case{"0.0.0.0/0", "8.8.8.8", true},
           Case{"0.0.0.0/0", "::1", false},  // an IPv4 range holds only IPv4 addresses
           Case{"127.0.0.0/8", "::ffff:127.0.0.1", true},
           Case{"fc00::/7", "fdab::1", true},
           Case{"fc00::/7", "fe00::1", false},
           Case{"::/0", "1.2.3.4", true},
           Case{"::1", "::1", true},
       }) {
    auto range = ParseIpRange(c.range);
    ASSERT_TRUE(range) << c.range;
    EXPECT_EQ(range->Contains(*ParseIpAddress(c.address)), c.contained)
        << c.range << " " << c.address;
  }
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8x", "10.0.0.0/-1",
                          "host.example/8", "/8"}) {
    EXPECT_FALSE(ParseIpRange(bad)) << bad;
  }
}

}  // namespace
}  // namespace phat::pink
