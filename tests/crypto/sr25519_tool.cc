// phat's sr25519 on the command line, for sr25519.test.mjs to run against polkadot-js. Bytes go
// in and out as hex (a "0x" prefix is optional); each command prints one line:
//   public <mini secret>                        the public key
//   sign <mini secret> <message>                a signature under "substrate"
//   verify <public key> <message> <signature>   true or false
//   derive-hard <mini secret> <chain code>      the public key of the hard-derived pair
//   chain-code <junction text>                  e.g. "Alice" for //Alice
// Bad usage or hex: a message on stderr and exit status 2.
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#include "phat/crypto/sr25519.h"

namespace phat::crypto {
namespace {

int Usage(const char* why) {
  std::fprintf(stderr,
               "sr25519_tool: %s\n"
               "usage: public SEED | sign SEED MSG | verify PUB MSG SIG | derive-hard SEED CC |"
               " chain-code JUNCTION (hex except JUNCTION)\n",
               why);
  return 2;
}

template <size_t N>
bool ParseFixed(std::string_view text, std::array<uint8_t, N>& out) {
  auto bytes = FixedFromHex<N>(text);
  if (bytes) out = *bytes;
  return bytes.has_value();
}

int Print(ByteView bytes) {
  std::printf("%s\n", ToHex(bytes).c_str());
  return 0;
}

int Run(std::span<char*> args) {
  if (args.empty()) return Usage("no command");
  std::string_view command = args[0];
  auto arg = [&](size_t i) { return std::string_view(args[i]); };

  if (command == "public" && args.size() == 2) {
    Sr25519MiniSecret seed;
    if (!ParseFixed(arg(1), seed)) return Usage("the seed is not 32 bytes of hex");
    return Print(Sr25519KeypairFromSeed(seed).public_key);
  }
  if (command == "sign" && args.size() == 3) {
    Sr25519MiniSecret seed;
    auto message = FromHex(arg(2));
    if (!ParseFixed(arg(1), seed) || !message) return Usage("bad seed or message hex");
    return Print(Sr25519Sign(Sr25519KeypairFromSeed(seed), *message));
  }
  if (command == "verify" && args.size() == 4) {
    Sr25519PublicKey public_key;
    Sr25519Signature signature;
    auto message = FromHex(arg(2));
    if (!ParseFixed(arg(1), public_key) || !message || !ParseFixed(arg(3), signature))
      return Usage("bad public key, message or signature hex");
    std::printf("%s\n", Sr25519Verify(signature, *message, public_key) ? "true" : "false");
    return 0;
  }
  if (command == "derive-hard" && args.size() == 3) {
    Sr25519MiniSecret seed;
    Sr25519ChainCode chain_code;
    if (!ParseFixed(arg(1), seed) || !ParseFixed(arg(2), chain_code))
      return Usage("bad seed or chain code hex");
    Sr25519MiniSecret derived =
        Sr25519HardDerive(Sr25519KeypairFromSeed(seed).secret_key, chain_code);
    return Print(Sr25519KeypairFromSeed(derived).public_key);
  }
  if (command == "chain-code" && args.size() == 2) {
    return Print(Sr25519ChainCodeFromJunction(arg(1)));
  }
  return Usage("unknown command or wrong number of arguments");
}

}  // namespace
}  // namespace phat::crypto

int main(int argc, char** argv) {
  return phat::crypto::Run(std::span<char*>(argv + 1, argc - 1));
}
