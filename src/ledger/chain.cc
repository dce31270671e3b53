#include "phat/ledger/chain.h"

#include <fmt/format.h>

#include <filesystem>

#include "phat/crypto/hash.h"
#include "phat/ledger/embedded_log.h"
#include "phat/state/state_root.h"

namespace phat::ledger {
namespace {

std::string BlockKey(uint64_t number) {
  std::string key = "block/";
  for (int i = 7; i >= 0; --i) key.push_back(char(number >> (8 * i)));  // big-endian: in order
  return key;
}
std::string ReceiptKey(const CodeHash& command_hash) {
  return "receipt/" + std::string(command_hash.begin(), command_hash.end());
}
uint64_t MillisNow() {
  return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
}

}  // namespace

Expected<std::unique_ptr<Chain>, std::string> Chain::Open(ChainConfig config) {
  std::unique_ptr<Chain> chain(new Chain(std::move(config)));
  PHAT_TRY_VOID(chain->Start());
  return chain;
}

Expected<void, std::string> Chain::Start() {
  std::error_code ec;
  std::filesystem::create_directories(config_.data_dir, ec);
  if (ec) return unexpected(fmt::format("cannot create {}: {}", config_.data_dir, ec.message()));
  state_ = PHAT_TRY(state::RocksDbState::Open(config_.data_dir + "/state"));
  auto log = EmbeddedLog::Open(config_.data_dir + "/log");
  if (!log) return unexpected("the command log: " + log.error().ToString());
  log_ = std::move(*log);
  runtime_ = std::make_unique<contracts::Runtime>(config_.runtime);
  for (const auto& [id, extension] : config_.extensions)
    runtime_->RegisterChainExtension(id, extension);
  applier_ = std::make_unique<BlockApplier>(
      *runtime_, ApplierConfig{config_.cluster_id, config_.max_gas_per_command});

  // A new data directory starts from genesis; an old one must belong to this cluster.
  if (auto cluster = state_->GetMeta("cluster")) {
    if (ByteView(*cluster).size() != 32 ||
        !std::equal(cluster->begin(), cluster->end(), config_.cluster_id.begin()))
      return unexpected(fmt::format("{} holds the state of cluster 0x{}, not 0x{}",
                                    config_.data_dir, ToHex(*cluster), ToHex(config_.cluster_id)));
    auto height = codec::DecodeAll<uint64_t>(state_->GetMeta("height").value_or(Bytes{}));
    auto root = codec::DecodeAll<CodeHash>(state_->GetMeta("root").value_or(Bytes{}));
    if (!height || !root) return unexpected("the state's height or root is missing or damaged");
    height_ = *height;
    root_ = *root;
  } else {
    root_ = state::NextStateRoot(CodeHash{}, config_.genesis);
    PHAT_TRY_VOID(state_->ApplyWithMeta(
        config_.genesis, {{"cluster", Bytes(config_.cluster_id.begin(), config_.cluster_id.end())},
                          {"height", codec::Encode(uint64_t(0))},
                          {"root", Bytes(root_.begin(), root_.end())}}));
  }
  if (log_->LastIndex() < height_)
    return unexpected(fmt::format("the state is at block {} but the log ends at {}", height_,
                                  log_->LastIndex()));
  // Blocks the log has but the state does not: the node stopped between the two writes.
  while (height_ < log_->LastIndex()) {
    auto entries = log_->Read(height_ + 1, 64, 64 << 20);
    if (!entries) return unexpected("reading the log: " + entries.error().ToString());
    for (const LogEntry& e : *entries) {
      auto entry = codec::DecodeAll<BlockEntry>(e.data);
      if (!entry || entry->number != e.index)
        return unexpected(fmt::format("log entry {} is not block {}", e.index, e.index));
      PHAT_TRY_VOID(ApplyEntry(*entry, /*signatures_verified=*/false));
    }
  }
  producer_ = std::thread([this] { ProduceBlocks(); });
  return {};
}

Chain::~Chain() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  queued_.notify_all();
  if (producer_.joinable()) producer_.join();
  if (log_) log_->Close();
}

Expected<void, std::string> Chain::ApplyEntry(const BlockEntry& entry, bool signatures_verified) {
  CodeHash root;
  {
    std::lock_guard lock(mu_);
    root = root_;
  }
  // Applying reads the committed state; only this thread (or Start, before it) writes it.
  BlockApplier::Outcome outcome = applier_->Apply(*state_, root, entry, signatures_verified);
  std::vector<std::pair<std::string, Bytes>> meta = {
      {"height", codec::Encode(entry.number)},
      {"root", Bytes(outcome.block.state_root.begin(), outcome.block.state_root.end())},
      {BlockKey(entry.number), codec::Encode(outcome.block)},
  };
  for (uint32_t i = 0; i < outcome.block.receipts.size(); ++i)
    meta.emplace_back(ReceiptKey(outcome.block.receipts[i].command_hash),
                      codec::Encode(std::tuple<uint64_t, uint32_t>(entry.number, i)));
  PHAT_TRY_VOID(state_->ApplyWithMeta(outcome.changes, meta));
  {
    std::lock_guard lock(mu_);
    height_ = entry.number;
    root_ = outcome.block.state_root;
  }
  applied_.notify_all();
  return {};
}

void Chain::ProduceBlocks() {
  for (;;) {
    std::vector<Bytes> commands;
    {
      std::unique_lock lock(mu_);
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      // Let a burst of commands share a block: one log sync for all of them.
      queued_.wait_for(lock, config_.block_interval, [&] {
        return stopping_ || queue_.size() >= config_.max_block_commands;
      });
      while (!queue_.empty() && commands.size() < config_.max_block_commands) {
        commands.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    BlockEntry entry{height_ + 1, MillisNow(), std::move(commands)};
    Bytes record = codec::Encode(entry);
    auto appended = log_->Append(std::span<const Bytes>(&record, 1));
    // A node that cannot write its log or its state must not go on as if it had: stopping is
    // the only safe answer, and a restart replays what the log holds.
    if (!appended || *appended != entry.number) {
      std::fprintf(stderr, "phat: fatal: cannot append block %llu to the log: %s\n",
                   (unsigned long long)entry.number,
                   appended ? "unexpected index" : appended.error().ToString().c_str());
      std::abort();
    }
    // Every queued command passed Submit's signature check.
    if (auto applied = ApplyEntry(entry, /*signatures_verified=*/true); !applied) {
      std::fprintf(stderr, "phat: fatal: cannot commit block %llu: %s\n",
                   (unsigned long long)entry.number, applied.error().c_str());
      std::abort();
    }
  }
}

Expected<CodeHash, SubmitError> Chain::Submit(Bytes signed_command) {
  using Kind = SubmitError::Kind;
  auto decoded = codec::DecodeAll<SignedCommand>(signed_command);
  if (!decoded)
    return unexpected(SubmitError{
        Kind::Malformed, "the command is not a SCALE SignedCommand: " + decoded.error().ToString()});
  if (auto command = codec::DecodeAll<Command>(decoded->command); !command)
    return unexpected(SubmitError{
        Kind::Malformed, "the signed bytes are not a SCALE Command: " + command.error().ToString()});
  if (auto verified = VerifyCommand(config_.cluster_id, *decoded); !verified)
    return unexpected(SubmitError{Kind::BadSignature, std::move(verified).error()});
  const CodeHash hash = crypto::Blake2b256(signed_command);
  {
    std::lock_guard lock(mu_);
    if (stopping_) return unexpected(SubmitError{Kind::Stopping, "the node is stopping"});
    queue_.push_back(std::move(signed_command));
  }
  queued_.notify_one();
  return hash;
}

std::optional<Receipt> Chain::WaitForReceipt(const CodeHash& command_hash,
                                             std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    uint64_t seen;  // read before looking, so a block committed meanwhile is not missed
    {
      std::lock_guard lock(mu_);
      seen = height_;
    }
    if (auto where = state_->GetMeta(ReceiptKey(command_hash))) {
      auto located = codec::DecodeAll<std::tuple<uint64_t, uint32_t>>(*where);
      if (!located) return std::nullopt;
      auto [number, index] = *located;
      auto block = GetBlock(number);
      if (block && index < block->receipts.size()) return block->receipts[index];
      return std::nullopt;
    }
    std::unique_lock lock(mu_);
    if (!applied_.wait_until(lock, deadline, [&] { return height_ != seen; }))
      return std::nullopt;
  }
}

uint64_t Chain::WaitForHeight(uint64_t height, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  applied_.wait_for(lock, timeout, [&] { return height_ > height || stopping_; });
  return height_;
}

std::optional<AppliedBlock> Chain::GetBlock(uint64_t number) const {
  auto bytes = state_->GetMeta(BlockKey(number));
  if (!bytes) return std::nullopt;
  auto block = codec::DecodeAll<AppliedBlock>(*bytes);
  if (!block) return std::nullopt;
  return std::move(*block);
}

ChainStatus Chain::status() const {
  std::lock_guard lock(mu_);
  return {height_, root_, queue_.size()};
}

}  // namespace phat::ledger
