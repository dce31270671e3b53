// pink's keys: the cluster key file (created 0600 and durable, read back the same, damage and
// loose permissions refused and never repaired), Phala's per-contract derivation against vectors
// computed without phat (keys_vector.mjs), and sign / verify / get_public_key for the three
// signature types, with Substrate's and RFC 8032's published vectors where they exist.
#include "phat/pink/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "phat/crypto/hash.h"
#include "phat/crypto/secp256k1.h"
#include "phat/crypto/sr25519.h"

namespace phat::pink {
namespace {

namespace fs = std::filesystem;

template <size_t N>
std::array<uint8_t, N> Fixed(std::string_view hex) {
  auto bytes = FixedFromHex<N>(hex);
  EXPECT_TRUE(bytes) << hex;
  return bytes.value_or(std::array<uint8_t, N>{});
}

Bytes Hex(std::string_view hex) {
  auto bytes = FromHex(hex);
  EXPECT_TRUE(bytes) << hex;
  return bytes.value_or(Bytes{});
}

Bytes ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const fs::path& path, ByteView bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

mode_t ModeOf(const fs::path& path) {
  struct stat st{};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

const contracts::AccountId kContract = [] {
  contracts::AccountId id;
  id.fill(0xab);
  return id;
}();

// ---- The key file ----

class ClusterKeyFileTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("phat-keys-test-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    root_ = dir_;
  }
  void TearDown() override { fs::remove_all(root_); }  // dir_ may be below it

  fs::path KeyPath() const { return dir_ / kClusterKeyFileName; }

  // Creates the key file and returns the public key it holds.
  crypto::Sr25519PublicKey Create() {
    auto key = LoadOrCreateClusterKey(dir_);
    EXPECT_TRUE(key) << key.error();
    return key ? key->public_key() : crypto::Sr25519PublicKey{};
  }

  std::string LoadError() {
    auto key = LoadOrCreateClusterKey(dir_);
    EXPECT_FALSE(key) << "the key file was accepted";
    return key ? "" : key.error();
  }

  fs::path dir_;
  fs::path root_;
};

TEST_F(ClusterKeyFileTest, FirstStartCreatesAPrivateFileAndLaterStartsReadItBack) {
  auto first = LoadOrCreateClusterKey(dir_);
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(ModeOf(KeyPath()), 0600u);
  EXPECT_EQ(fs::file_size(KeyPath()), 76u);
  EXPECT_FALSE(fs::exists(dir_ / "cluster.key.tmp"));

  auto second = LoadOrCreateClusterKey(dir_);
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ(second->public_key(), first->public_key());
  // A restart derives the same contract keys.
  EXPECT_EQ(second->DeriveContractKey(kContract, AsBytes("salt")),
            first->DeriveContractKey(kContract, AsBytes("salt")));
}

TEST_F(ClusterKeyFileTest, TheFileIsMagicVersionSecretAndChecksum) {
  const auto public_key = Create();
  const Bytes file = ReadFile(KeyPath());
  ASSERT_EQ(file.size(), 76u);
  EXPECT_EQ(std::string(file.begin(), file.begin() + 8), "phatCK\r\n");
  EXPECT_EQ(ToHex(ByteView(file).subspan(8, 4)), "01000000");
  const auto sum = crypto::Blake2b256(ByteView(file).first(44));
  EXPECT_EQ(ToHex(ByteView(file).subspan(44)), ToHex(sum));
  crypto::Sr25519MiniSecret seed;
  std::copy_n(file.begin() + 12, 32, seed.begin());
  EXPECT_EQ(ClusterKey::FromSeed(seed).public_key(), public_key);
}

// The worker's key is kept the same way, in its own file, and is not the cluster's.
TEST_F(ClusterKeyFileTest, TheWorkerKeyIsKeptBesideItAndIsAnotherKey) {
  const auto cluster = Create();
  auto worker = LoadOrCreateWorkerKey(dir_);
  ASSERT_TRUE(worker) << worker.error();
  EXPECT_NE(*worker, cluster);
  EXPECT_EQ(ModeOf(dir_ / kWorkerKeyFileName), 0600u);
  auto again = LoadOrCreateWorkerKey(dir_);
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(*again, *worker);

  Bytes damaged = ReadFile(dir_ / kWorkerKeyFileName);
  damaged[20] ^= 0x01;
  WriteFile(dir_ / kWorkerKeyFileName, damaged);
  auto refused = LoadOrCreateWorkerKey(dir_);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("the worker key"), std::string::npos) << refused.error();
  EXPECT_NE(refused.error().find("worker_pubkey"), std::string::npos) << refused.error();
  EXPECT_EQ(Create(), cluster) << "the cluster key is untouched";
}

TEST_F(ClusterKeyFileTest, EachNewClusterGetsItsOwnKey) {
  const auto first = Create();
  fs::remove(KeyPath());
  EXPECT_NE(Create(), first);
}

TEST_F(ClusterKeyFileTest, CreatesAMissingDataDirectory) {
  dir_ /= "nested/data";
  Create();
  EXPECT_TRUE(fs::exists(KeyPath()));
}

TEST_F(ClusterKeyFileTest, ALeftoverTempFileIsReplacedNotUsed) {
  // A crash before the rename leaves the temp file; it never served as a key.
  fs::create_directories(dir_);
  WriteFile(dir_ / "cluster.key.tmp", AsBytes("half a key"));
  Create();
  EXPECT_FALSE(fs::exists(dir_ / "cluster.key.tmp"));
  EXPECT_TRUE(LoadOrCreateClusterKey(dir_));
}

TEST_F(ClusterKeyFileTest, ADamagedByteAnywhereIsRefusedAndTheFileKept) {
  Create();
  const Bytes good = ReadFile(KeyPath());
  for (size_t at : {0u, 7u, 8u, 11u, 12u, 43u, 44u, 75u}) {
    Bytes bad = good;
    bad[at] ^= 0x01;
    WriteFile(KeyPath(), bad);
    const std::string error = LoadError();
    EXPECT_NE(error.find(KeyPath().string()), std::string::npos) << error;
    EXPECT_NE(error.find("restore it from a backup"), std::string::npos)
        << "byte " << at << ": " << error;
    EXPECT_EQ(ReadFile(KeyPath()), bad) << "byte " << at << ": the file was replaced";
  }
}

TEST_F(ClusterKeyFileTest, ANewerVersionSaysSoWhateverItsSize) {
  Create();
  Bytes file = ReadFile(KeyPath());
  file.resize(44);
  file[8] = 2;
  file.insert(file.end(), 200, 0x55);  // fields version 1 does not have
  const auto sum = crypto::Blake2b256(file);
  file.insert(file.end(), sum.begin(), sum.end());
  WriteFile(KeyPath(), file);
  EXPECT_NE(LoadError().find("format version 2; this phat reads version 1"), std::string::npos);
}

TEST_F(ClusterKeyFileTest, TruncatedEmptyOrLongFilesAreRefused) {
  Create();
  const Bytes good = ReadFile(KeyPath());
  for (size_t size : {0u, 12u, 44u, 75u}) {
    WriteFile(KeyPath(), ByteView(good).first(size));
    EXPECT_NE(LoadError().find("truncated or damaged"), std::string::npos) << size;
    EXPECT_EQ(fs::file_size(KeyPath()), size) << "the file was replaced";
  }
  Bytes longer = good;
  longer.push_back(0);
  WriteFile(KeyPath(), longer);
  EXPECT_NE(LoadError().find("(77 bytes) fails its checksum"), std::string::npos);
  longer.resize(5000);
  WriteFile(KeyPath(), longer);
  EXPECT_NE(LoadError().find("is over 4096 bytes"), std::string::npos);
}

TEST_F(ClusterKeyFileTest, AFileOthersMayReadIsRefusedWithTheFix) {
  const auto public_key = Create();
  for (mode_t mode : {0644, 0640, 0604, 0660, 0601}) {
    ASSERT_EQ(::chmod(KeyPath().c_str(), mode), 0);
    const std::string error = LoadError();
    EXPECT_NE(error.find("chmod 600"), std::string::npos) << std::oct << mode << ": " << error;
  }
  ASSERT_EQ(::chmod(KeyPath().c_str(), 0600), 0);
  auto key = LoadOrCreateClusterKey(dir_);
  ASSERT_TRUE(key) << key.error();
  EXPECT_EQ(key->public_key(), public_key);
}

TEST_F(ClusterKeyFileTest, ASymlinkIsNotFollowed) {
  const fs::path real = dir_ / "elsewhere";
  Create();
  fs::rename(KeyPath(), real);
  fs::create_symlink(real, KeyPath());
  EXPECT_NE(LoadError().find("cannot open"), std::string::npos);
}

TEST_F(ClusterKeyFileTest, ADirectoryInTheKeysPlaceIsRefused) {
  fs::create_directories(KeyPath());
  LoadError();
}

// ---- Derivation ----

// From keys_vector.mjs: node's HKDF-SHA256 and polkadot-js's sr25519, not phat's.
constexpr std::string_view kClusterSeed =
    "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";

struct DerivationVector {
  std::string salt;
  std::string_view secret_key;
  std::string_view public_key;
};

const DerivationVector kDerivations[] = {
    {"",
     "cf67a0c021ee68a45d2bcd6d7d4bd8c5e989daa48bfee3739cdfee42361c2c0c"
     "56537b6c0a1c92be6930daf7c442862ad377932914ae6bea20f463c7f0ef4b46",
     "5e1d6f3775203a0cc228125e493d9a01e3565f917a5bf79fcec24e1c4efbe650"},
    {"salt",
     "fc0837fb7f5182b0a2d908f4c2206b0a2155346c2117ec29d93b5cf7ca56b10f"
     "3a0196d12353c2354f7db1e46c5ea66a215f5a7479a3282b69de44406cd86cbd",
     "f0bda9129cc6e8e65b71e41e4c49748b6f481dc8b01b3ceaaa7e5b7ffcb56170"},
    {std::string(100, 'x'),
     "325b2d2b25f567b8e9b17aad94362b44c07a4595d1dd97f2eb951d29aa860b0c"
     "63ddf7312be2d92aa37bd697fb33726ed634cc9eecf741b5dc0c77929ab4df3a",
     "1eff83ca40dfa34f48dcda93af93ee16899f25b84cbf6cf9bf1b1b9038fd9f71"},
};

TEST(DeriveContractKey, MatchesPhalasDerivationComputedIndependently) {
  const ClusterKey cluster = ClusterKey::FromSeed(Fixed<32>(kClusterSeed));
  EXPECT_EQ(ToHex(cluster.public_key()),
            "10c68432943c68a6e1be650818b5e08db79e57823de9f34df7ba36d404d91e1d");
  for (const auto& v : kDerivations) {
    const auto secret = cluster.DeriveContractKey(kContract, AsBytes(v.salt));
    EXPECT_EQ(ToHex(secret), v.secret_key) << "salt \"" << v.salt << "\"";
    // What a contract does next: get_public_key of the derived key.
    auto public_key = PublicKeyOf(SigType::Sr25519, secret);
    ASSERT_TRUE(public_key) << public_key.error().message;
    EXPECT_EQ(ToHex(*public_key), v.public_key) << "salt \"" << v.salt << "\"";
  }
}

TEST(DeriveContractKey, SameInputsSameKeyOnEveryWorker) {
  const auto seed = Fixed<32>(kClusterSeed);
  const ClusterKey worker_a = ClusterKey::FromSeed(seed);
  const ClusterKey worker_b = ClusterKey::FromSeed(seed);
  EXPECT_EQ(worker_a.DeriveContractKey(kContract, AsBytes("k")),
            worker_b.DeriveContractKey(kContract, AsBytes("k")));
}

TEST(DeriveContractKey, DiffersByContractSaltAndCluster) {
  const ClusterKey cluster = ClusterKey::FromSeed(Fixed<32>(kClusterSeed));
  contracts::AccountId other = kContract;
  other[31] ^= 1;
  const auto base = cluster.DeriveContractKey(kContract, AsBytes("k"));
  EXPECT_NE(cluster.DeriveContractKey(other, AsBytes("k")), base);
  EXPECT_NE(cluster.DeriveContractKey(kContract, AsBytes("k2")), base);
  EXPECT_NE(cluster.DeriveContractKey(kContract, AsBytes("")), base);
  crypto::Sr25519MiniSecret other_seed = Fixed<32>(kClusterSeed);
  other_seed[0] ^= 1;
  EXPECT_NE(ClusterKey::FromSeed(other_seed).DeriveContractKey(kContract, AsBytes("k")), base);
}

TEST(DeriveContractKey, SurvivesAMove) {
  ClusterKey cluster = ClusterKey::FromSeed(Fixed<32>(kClusterSeed));
  const auto before = cluster.DeriveContractKey(kContract, {});
  ClusterKey moved = std::move(cluster);
  EXPECT_EQ(moved.DeriveContractKey(kContract, {}), before);
}

// ---- SigType and key operations ----

TEST(SigType, IndexesArePinksOrder) {
  EXPECT_EQ(SigTypeFromIndex(0), SigType::Ed25519);
  EXPECT_EQ(SigTypeFromIndex(1), SigType::Sr25519);
  EXPECT_EQ(SigTypeFromIndex(2), SigType::Ecdsa);
  EXPECT_EQ(SigTypeFromIndex(3), std::nullopt);
}

// The seed of RFC 8032's first test and of Substrate's key tests.
constexpr std::string_view kSeed =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

TEST(KeyOps, Ed25519MatchesRfc8032) {
  const Bytes key = Hex(kSeed);
  auto public_key = PublicKeyOf(SigType::Ed25519, key);
  ASSERT_TRUE(public_key);
  EXPECT_EQ(ToHex(*public_key), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  auto signature = Sign(SigType::Ed25519, key, {});
  ASSERT_TRUE(signature);
  EXPECT_EQ(ToHex(*signature),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e"
            "39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_EQ(Verify(SigType::Ed25519, *public_key, {}, *signature), true);
  EXPECT_EQ(Verify(SigType::Ed25519, *public_key, AsBytes("x"), *signature), false);
}

TEST(KeyOps, Sr25519TakesAMiniSecretOrASecretKey) {
  const Bytes mini = Hex(kSeed);
  auto public_key = PublicKeyOf(SigType::Sr25519, mini);
  ASSERT_TRUE(public_key);
  // sp_core's sr_test_vector_should_work.
  EXPECT_EQ(ToHex(*public_key), "44a996beb1eef7bdcab976ab6d2ca26104834164ecf28fb375600576fcc6eb0f");
  const auto secret = crypto::Sr25519KeypairFromSeed(Fixed<32>(kSeed)).secret_key;
  EXPECT_EQ(PublicKeyOf(SigType::Sr25519, secret), public_key);

  for (ByteView key : {ByteView(mini), ByteView(secret)}) {
    auto signature = Sign(SigType::Sr25519, key, AsBytes("message"));
    ASSERT_TRUE(signature);
    ASSERT_EQ(signature->size(), 64u);
    EXPECT_EQ(Verify(SigType::Sr25519, *public_key, AsBytes("message"), *signature), true);
    EXPECT_EQ(Verify(SigType::Sr25519, *public_key, AsBytes("other"), *signature), false);
    // Under the "substrate" context, as sp_core verifies.
    EXPECT_TRUE(crypto::Sr25519Verify(Fixed<64>(ToHex(*signature)), AsBytes("message"),
                                      Fixed<32>(ToHex(*public_key)), AsBytes("substrate")));
  }
}

TEST(KeyOps, EcdsaMatchesSubstratesVector) {
  // sp_core's ecdsa test_vector_should_work: the empty message, signed over its blake2b-256.
  const Bytes key = Hex(kSeed);
  auto public_key = PublicKeyOf(SigType::Ecdsa, key);
  ASSERT_TRUE(public_key);
  EXPECT_EQ(ToHex(*public_key),
            "028db55b05db86c0b1786ca49f095d76344c9e6056b2f02701a7e7f3c20aabfd91");
  auto signature = Sign(SigType::Ecdsa, key, {});
  ASSERT_TRUE(signature);
  EXPECT_EQ(ToHex(*signature),
            "3dde91174bd9359027be59a428b8146513df80a2a3c7eda2194f64de04a69ab97b753169e94db6ffd509"
            "21a2668a48b94ca11e3d32c1ff19cfe88890aa7e8f3c00");
  EXPECT_EQ(Verify(SigType::Ecdsa, *public_key, {}, *signature), true);
}

TEST(KeyOps, EcdsaSignsTheBlake2b256OfTheMessage) {
  const Bytes key = Hex(kSeed);
  const auto message = AsBytes("pay 10 to bob");
  auto public_key = PublicKeyOf(SigType::Ecdsa, key);
  auto signature = Sign(SigType::Ecdsa, key, message);
  ASSERT_TRUE(public_key && signature);
  const auto sig65 = Fixed<65>(ToHex(*signature));
  EXPECT_EQ(crypto::EcdsaRecover(sig65, crypto::Blake2b256(message)),
            Fixed<33>(ToHex(*public_key)));
  EXPECT_NE(crypto::EcdsaRecover(sig65, crypto::Keccak256(message)), Fixed<33>(ToHex(*public_key)));
  EXPECT_EQ(Verify(SigType::Ecdsa, *public_key, message, *signature), true);
  EXPECT_EQ(Verify(SigType::Ecdsa, *public_key, AsBytes("pay 99 to bob"), *signature), false);

  // ecdsa_sign_prehashed signs the hash as given, so it agrees with sign on the message's hash.
  auto prehashed = EcdsaSignPrehashed(key, crypto::Blake2b256(message));
  ASSERT_TRUE(prehashed);
  EXPECT_EQ(ToHex(*prehashed), ToHex(*signature));
  EXPECT_TRUE(crypto::EcdsaVerifyPrehashed(*prehashed, crypto::Blake2b256(message),
                                           Fixed<33>(ToHex(*public_key))));
}

TEST(KeyOps, WrongKeyLengthsAreInvalidKeys) {
  const Bytes k31(31, 7), k32(32, 7), k33(33, 7), k48(48, 7), k64(64, 7), empty;
  struct Case {
    SigType type;
    const Bytes& key;
    bool ok;
  };
  const Case cases[] = {
      {SigType::Ed25519, k32, true},    {SigType::Ed25519, k31, false},
      {SigType::Ed25519, k33, false},   {SigType::Ed25519, k64, false},
      {SigType::Ed25519, empty, false}, {SigType::Sr25519, k32, true},
      {SigType::Sr25519, k64, true},    {SigType::Sr25519, k31, false},
      {SigType::Sr25519, k48, false},   {SigType::Sr25519, empty, false},
      {SigType::Ecdsa, k32, true},      {SigType::Ecdsa, k31, false},
      {SigType::Ecdsa, k33, false},     {SigType::Ecdsa, k64, false},
      {SigType::Ecdsa, empty, false},
  };
  for (const auto& c : cases) {
    const std::string what =
        std::string(SigTypeName(c.type)) + " key of " + std::to_string(c.key.size()) + " bytes";
    auto signature = Sign(c.type, c.key, AsBytes("m"));
    auto public_key = PublicKeyOf(c.type, c.key);
    EXPECT_EQ(bool(signature), c.ok) << what;
    EXPECT_EQ(bool(public_key), c.ok) << what;
    if (!c.ok) {
      ASSERT_FALSE(signature);
      EXPECT_EQ(signature.error().kind, KeyErrorKind::InvalidKey) << what;
      EXPECT_TRUE(signature.error().message.starts_with("Invalid key: ")) << what;
      EXPECT_NE(signature.error().message.find(std::to_string(c.key.size()) + " bytes"),
                std::string::npos)
          << signature.error().message;
    }
  }
  EXPECT_FALSE(EcdsaSignPrehashed(k31, crypto::Hash256{}));
  EXPECT_FALSE(EcdsaSignPrehashed(k33, crypto::Hash256{}));
}

TEST(KeyOps, OutOfRangeSecretsAreInvalidKeys) {
  // ecdsa: zero and the group order itself are no secrets.
  const Bytes zero(32, 0);
  const Bytes order = Hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  for (const Bytes& key : {zero, order}) {
    EXPECT_EQ(Sign(SigType::Ecdsa, key, {}).error().kind, KeyErrorKind::InvalidKey);
    EXPECT_EQ(PublicKeyOf(SigType::Ecdsa, key).error().kind, KeyErrorKind::InvalidKey);
    EXPECT_FALSE(EcdsaSignPrehashed(key, crypto::Hash256{}));
  }
  // sr25519: a 64-byte secret key whose scalar is not below the group order.
  const Bytes high(64, 0xff);
  EXPECT_EQ(Sign(SigType::Sr25519, high, {}).error().kind, KeyErrorKind::InvalidKey);
  EXPECT_EQ(PublicKeyOf(SigType::Sr25519, high).error().kind, KeyErrorKind::InvalidKey);
}

TEST(KeyOps, VerifyRefusesWrongLengthsAndAnswersFalseForBadKeys) {
  const Bytes p32(32, 1), p33(33, 2), s64(64, 3), s65(65, 4);
  auto bad_public = Verify(SigType::Ecdsa, p32, {}, s65);
  ASSERT_FALSE(bad_public);
  EXPECT_EQ(bad_public.error().kind, KeyErrorKind::InvalidPublicKey);
  EXPECT_TRUE(bad_public.error().message.starts_with("Invalid public key: "));
  auto bad_signature = Verify(SigType::Sr25519, p32, {}, s65);
  ASSERT_FALSE(bad_signature);
  EXPECT_EQ(bad_signature.error().kind, KeyErrorKind::InvalidSignature);
  EXPECT_EQ(Verify(SigType::Ed25519, p33, {}, s64).error().kind, KeyErrorKind::InvalidPublicKey);
  EXPECT_EQ(Verify(SigType::Ecdsa, p33, {}, s64).error().kind, KeyErrorKind::InvalidSignature);
  // The right lengths but no valid key or signature: an answer, not an error.
  EXPECT_EQ(Verify(SigType::Ed25519, p32, {}, s64), false);
  EXPECT_EQ(Verify(SigType::Sr25519, p32, {}, s64), false);
  EXPECT_EQ(Verify(SigType::Ecdsa, p33, {}, s65), false);
}

}  // namespace
}  // namespace phat::pink
