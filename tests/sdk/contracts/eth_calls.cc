// A test fixture: the parts of the SDK's Ethereum headers that need the host or pink (keccak-256,
// function selectors, keys and signatures), one message each, so that
// tests/sdk/eth_runtime_test.cc can compare their answers with ethers'.
#include <phat/sdk.h>

using namespace phat::sdk;

struct EthCalls {
  PHAT_FIELDS(EthCalls);

  void New() {}

  Hash Keccak(Bytes data) const { return env::HashKeccak256(data.data(), data.size()); }
  Array<u8, 4> FunctionSelector(String signature) const {
    signature.Append("", 1);  // FunctionSelector takes a C string
    Selector selector = eth::abi::FunctionSelector(signature.data());
    return Array<u8, 4>{
        {selector.bytes[0], selector.bytes[1], selector.bytes[2], selector.bytes[3]}};
  }
  // transfer(to, amount)'s call data, with the selector hashed by the host.
  Bytes EncodeTransfer(eth::Address to, eth::U256 amount) const {
    return eth::abi::EncodeCall(eth::abi::FunctionSelector("transfer(address,uint256)"), to,
                                amount);
  }
  Option<eth::Address> AddressOf(pink::EcdsaPublicKey public_key) const {
    return eth::AddressOf(public_key);
  }

  // (public key, address) of a key given by its secret, or of the key derived for `salt`.
  Tuple<pink::EcdsaPublicKey, eth::Address> KeyOf(Array<u8, 32> secret) const {
    eth::SigningKey key = eth::SigningKey::FromSecret(secret);
    return {key.PublicKey(), key.GetAddress()};
  }
  Tuple<pink::EcdsaPublicKey, eth::Address> DerivedKey(String salt) const {
    eth::SigningKey key = Derive(salt);
    return {key.PublicKey(), key.GetAddress()};
  }

  Hash LegacySigningHash(eth::LegacyTransaction tx) const { return eth::SigningHash(tx); }
  Hash Eip1559SigningHash(eth::Eip1559Transaction tx) const { return eth::SigningHash(tx); }
  eth::SignedTransaction SignLegacy(Array<u8, 32> secret, eth::LegacyTransaction tx) const {
    return eth::Sign(tx, eth::SigningKey::FromSecret(secret));
  }
  eth::SignedTransaction SignEip1559(Array<u8, 32> secret, eth::Eip1559Transaction tx) const {
    return eth::Sign(tx, eth::SigningKey::FromSecret(secret));
  }
  eth::SignedTransaction SignLegacyDerived(String salt, eth::LegacyTransaction tx) const {
    return eth::Sign(tx, Derive(salt));
  }
  eth::SignedTransaction SignEip1559Derived(String salt, eth::Eip1559Transaction tx) const {
    return eth::Sign(tx, Derive(salt));
  }

 private:
  static eth::SigningKey Derive(const String& salt) {
    return eth::SigningKey::Derive(Bytes(reinterpret_cast<const u8*>(salt.data()), salt.size()));
  }
};

// clang-format off: one item per line
PHAT_CONTRACT(EthCalls,
              Constructor<&EthCalls::New>("new"),
              Message<&EthCalls::Keccak>("keccak").Args("data"),
              Message<&EthCalls::FunctionSelector>("function_selector").Args("signature"),
              Message<&EthCalls::EncodeTransfer>("encode_transfer").Args("to", "amount"),
              Message<&EthCalls::AddressOf>("address_of").Args("public_key"),
              Message<&EthCalls::KeyOf>("key_of").Args("secret"),
              Message<&EthCalls::DerivedKey>("derived_key").Args("salt"),
              Message<&EthCalls::LegacySigningHash>("legacy_signing_hash").Args("tx"),
              Message<&EthCalls::Eip1559SigningHash>("eip1559_signing_hash").Args("tx"),
              Message<&EthCalls::SignLegacy>("sign_legacy").Args("secret", "tx"),
              Message<&EthCalls::SignEip1559>("sign_eip1559").Args("secret", "tx"),
              Message<&EthCalls::SignLegacyDerived>("sign_legacy_derived").Args("salt", "tx"),
              Message<&EthCalls::SignEip1559Derived>("sign_eip1559_derived").Args("salt", "tx"));
// clang-format on
