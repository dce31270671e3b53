#include "phat/ledger/command.h"

#include <fmt/format.h>

#include "phat/crypto/ed25519.h"
#include "phat/crypto/hash.h"
#include "phat/crypto/secp256k1.h"
#include "phat/crypto/sr25519.h"

namespace phat::ledger {

using codec::Decoded;
using codec::ScaleReader;
using codec::ScaleWriter;

void UploadCode::ScaleEncode(ScaleWriter& w) const {
  w.ByteVec(code);
  w.Bool(deterministic);
}
Decoded<UploadCode> UploadCode::ScaleDecode(ScaleReader& r) {
  UploadCode v;
  v.code = PHAT_TRY(r.ByteVec());
  v.deterministic = PHAT_TRY(r.Bool());
  return v;
}

void InstantiateContract::ScaleEncode(ScaleWriter& w) const {
  codec::Encode(w, code_hash, value);
  w.ByteVec(input);
  w.ByteVec(salt);
}
Decoded<InstantiateContract> InstantiateContract::ScaleDecode(ScaleReader& r) {
  InstantiateContract v;
  v.code_hash = PHAT_TRY(codec::Decode<CodeHash>(r));
  v.value = PHAT_TRY(r.U128());
  v.input = PHAT_TRY(r.ByteVec());
  v.salt = PHAT_TRY(r.ByteVec());
  return v;
}

void CallContract::ScaleEncode(ScaleWriter& w) const {
  codec::Encode(w, dest, value);
  w.ByteVec(input);
}
Decoded<CallContract> CallContract::ScaleDecode(ScaleReader& r) {
  CallContract v;
  v.dest = PHAT_TRY(codec::Decode<AccountId>(r));
  v.value = PHAT_TRY(r.U128());
  v.input = PHAT_TRY(r.ByteVec());
  return v;
}

void TransferBalance::ScaleEncode(ScaleWriter& w) const { codec::Encode(w, to, value); }
Decoded<TransferBalance> TransferBalance::ScaleDecode(ScaleReader& r) {
  TransferBalance v;
  v.to = PHAT_TRY(codec::Decode<AccountId>(r));
  v.value = PHAT_TRY(r.U128());
  return v;
}

void Command::ScaleEncode(ScaleWriter& w) const { codec::Encode(w, origin, nonce, gas_limit, body); }
Decoded<Command> Command::ScaleDecode(ScaleReader& r) {
  Command v;
  v.origin = PHAT_TRY(codec::Decode<AccountId>(r));
  v.nonce = PHAT_TRY(r.U64());
  v.gas_limit = PHAT_TRY(r.U64());
  v.body = PHAT_TRY(codec::Decode<CommandBody>(r));
  return v;
}

void SignedCommand::ScaleEncode(ScaleWriter& w) const {
  w.ByteVec(command);
  w.U8(uint8_t(scheme));
  w.ByteVec(public_key);
  w.ByteVec(signature);
}
Decoded<SignedCommand> SignedCommand::ScaleDecode(ScaleReader& r) {
  SignedCommand v;
  v.command = PHAT_TRY(r.ByteVec());
  const size_t at = r.offset();
  const uint8_t scheme = PHAT_TRY(r.U8());
  auto known = SignatureSchemeFromByte(scheme);
  if (!known)
    return unexpected(r.ErrorAt(at, "unknown signature scheme " + std::to_string(scheme)));
  v.scheme = *known;
  v.public_key = PHAT_TRY(r.ByteVec());
  v.signature = PHAT_TRY(r.ByteVec());
  return v;
}

std::optional<SignatureScheme> SignatureSchemeFromByte(uint8_t byte) {
  if (byte > uint8_t(SignatureScheme::Sr25519)) return std::nullopt;
  return SignatureScheme(byte);
}

Bytes DomainPayload(std::string_view tag, ByteView cluster_id, ByteView body) {
  Bytes out(tag.begin(), tag.end());
  out.insert(out.end(), cluster_id.begin(), cluster_id.end());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes SigningPayload(const CodeHash& cluster_id, ByteView command) {
  return DomainPayload("phat-command-v1:", cluster_id, command);
}

Expected<AccountId, std::string> AccountOf(SignatureScheme scheme, ByteView public_key) {
  switch (scheme) {
    case SignatureScheme::Sr25519:
    case SignatureScheme::Ed25519: {
      // As in Substrate: the account is the 32-byte public key itself.
      if (public_key.size() != 32)
        return unexpected(fmt::format("an {} public key is 32 bytes",
                                      scheme == SignatureScheme::Ed25519 ? "ed25519" : "sr25519"));
      AccountId id;
      std::copy(public_key.begin(), public_key.end(), id.begin());
      return id;
    }
    case SignatureScheme::Secp256k1:
      if (public_key.size() != 33)
        return unexpected(std::string("a secp256k1 public key is 33 bytes (compressed)"));
      return crypto::Blake2b256(public_key);
  }
  return unexpected(std::string("unknown signature scheme"));
}

Expected<bool, std::string> VerifySignature(SignatureScheme scheme, ByteView public_key,
                                            ByteView signature, ByteView payload) {
  PHAT_TRY(AccountOf(scheme, public_key));  // checks the key's size
  if (scheme == SignatureScheme::Ed25519) {
    if (signature.size() != 64) return unexpected(std::string("an ed25519 signature is 64 bytes"));
    crypto::Ed25519Signature sig;
    crypto::Ed25519PublicKey key;
    std::copy_n(signature.begin(), 64, sig.begin());
    std::copy_n(public_key.begin(), 32, key.begin());
    return crypto::Ed25519Verify(sig, payload, key);
  }
  if (scheme == SignatureScheme::Sr25519) {
    if (signature.size() != 64) return unexpected(std::string("an sr25519 signature is 64 bytes"));
    crypto::Sr25519Signature sig;
    crypto::Sr25519PublicKey key;
    std::copy_n(signature.begin(), 64, sig.begin());
    std::copy_n(public_key.begin(), 32, key.begin());
    return crypto::Sr25519Verify(sig, payload, key);
  }
  if (signature.size() != 65)
    return unexpected(std::string("a secp256k1 signature is 65 bytes (r, s, recovery id)"));
  crypto::EcdsaSignature sig;
  crypto::EcdsaPublicKey key;
  std::copy_n(signature.begin(), 65, sig.begin());
  std::copy_n(public_key.begin(), 33, key.begin());
  return crypto::EcdsaVerifyPrehashed(sig, crypto::Blake2b256(payload), key);
}

Expected<std::pair<Bytes, Bytes>, std::string> SignPayload(SignatureScheme scheme,
                                                           const std::array<uint8_t, 32>& secret,
                                                           ByteView payload) {
  switch (scheme) {
    case SignatureScheme::Ed25519:
      return SignPayloadEd25519(secret, payload);
    case SignatureScheme::Secp256k1: {
      const auto key = PHAT_TRY(crypto::PublicKeyFromSecret(secret));
      const auto sig = PHAT_TRY(crypto::EcdsaSignPrehashed(secret, crypto::Blake2b256(payload)));
      return std::pair{Bytes(key.begin(), key.end()), Bytes(sig.begin(), sig.end())};
    }
    case SignatureScheme::Sr25519: {
      const crypto::Sr25519Keypair keys = crypto::Sr25519KeypairFromSeed(secret);
      const auto sig = crypto::Sr25519Sign(keys, payload);
      return std::pair{Bytes(keys.public_key.begin(), keys.public_key.end()),
                       Bytes(sig.begin(), sig.end())};
    }
  }
  return unexpected(std::string("unknown signature scheme"));
}

Expected<Bytes, std::string> PublicKeyOfSecret(SignatureScheme scheme,
                                               const std::array<uint8_t, 32>& secret) {
  auto bytes = [](const auto& key) { return Bytes(key.begin(), key.end()); };
  switch (scheme) {
    case SignatureScheme::Ed25519:
      return bytes(crypto::Ed25519KeypairFromSeed(secret).public_key);
    case SignatureScheme::Secp256k1:
      return bytes(PHAT_TRY(crypto::PublicKeyFromSecret(secret)));
    case SignatureScheme::Sr25519:
      return bytes(crypto::Sr25519KeypairFromSeed(secret).public_key);
  }
  return unexpected(std::string("unknown signature scheme"));
}

std::pair<Bytes, Bytes> SignPayloadEd25519(const std::array<uint8_t, 32>& seed, ByteView payload) {
  const crypto::Ed25519Keypair keys = crypto::Ed25519KeypairFromSeed(seed);
  const auto sig = crypto::Ed25519Sign(keys, payload);
  return {Bytes(keys.public_key.begin(), keys.public_key.end()), Bytes(sig.begin(), sig.end())};
}

Expected<Command, std::string> OpenCommand(const SignedCommand& signed_command) {
  const AccountId signer = PHAT_TRY(AccountOf(signed_command.scheme, signed_command.public_key));
  auto command = codec::DecodeAll<Command>(signed_command.command);
  if (!command) return unexpected("the command does not decode: " + command.error().ToString());
  if (command->origin != signer)
    return unexpected("the command's origin 0x" + ToHex(command->origin) +
                      " is not the signer's account 0x" + ToHex(signer));
  return std::move(*command);
}

Expected<Command, std::string> VerifyCommand(const CodeHash& cluster_id,
                                             const SignedCommand& signed_command) {
  const bool valid = PHAT_TRY(VerifySignature(signed_command.scheme, signed_command.public_key,
                                               signed_command.signature,
                                               SigningPayload(cluster_id, signed_command.command)));
  if (!valid) return unexpected(std::string("the signature does not match the command and key"));
  return OpenCommand(signed_command);
}

Expected<SignedCommand, std::string> SignCommand(const CodeHash& cluster_id, const Command& command,
                                                 SignatureScheme scheme,
                                                 const std::array<uint8_t, 32>& secret) {
  SignedCommand out;
  out.command = codec::Encode(command);
  out.scheme = scheme;
  std::tie(out.public_key, out.signature) =
      PHAT_TRY(SignPayload(scheme, secret, SigningPayload(cluster_id, out.command)));
  return out;
}

SignedCommand SignEd25519(const CodeHash& cluster_id, const Command& command,
                          const std::array<uint8_t, 32>& seed) {
  return *SignCommand(cluster_id, command, SignatureScheme::Ed25519, seed);  // cannot fail
}

Expected<SignedCommand, std::string> SignSecp256k1(const CodeHash& cluster_id,
                                                   const Command& command,
                                                   const std::array<uint8_t, 32>& secret) {
  return SignCommand(cluster_id, command, SignatureScheme::Secp256k1, secret);
}

SignedCommand SignSr25519(const CodeHash& cluster_id, const Command& command,
                          const std::array<uint8_t, 32>& mini_secret) {
  return *SignCommand(cluster_id, command, SignatureScheme::Sr25519, mini_secret);  // cannot fail
}

}  // namespace phat::ledger
