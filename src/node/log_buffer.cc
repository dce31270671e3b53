#include "phat/node/log_buffer.h"

namespace phat::node {
namespace {

// The first kMaxLineBytes of a line, less the start of a UTF-8 character the cut would split
// (the lines are UTF-8, and a JSON answer must stay valid).
std::string_view CutAtCharacter(std::string_view line) {
  size_t cut = LogBuffer::kMaxLineBytes;
  while (cut > 0 && (uint8_t(line[cut]) & 0xC0) == 0x80) --cut;
  return line.substr(0, cut);
}

}  // namespace

void LogBuffer::AppendLines(const LogRecord& context, std::string_view text) {
  {
    std::lock_guard lock(mu_);
    while (!text.empty()) {
      const size_t end = text.find('\n');
      std::string_view line = text.substr(0, end);
      text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
      LogRecord r = context;
      r.message =
          line.size() > kMaxLineBytes ? std::string(CutAtCharacter(line)) + "…" : std::string(line);
      AppendLocked(std::move(r));
    }
  }
  appended_.notify_all();
}

void LogBuffer::Append(LogRecord record) {
  {
    std::lock_guard lock(mu_);
    AppendLocked(std::move(record));
  }
  appended_.notify_all();
}

void LogBuffer::AppendLocked(LogRecord record) {
  record.seq = ++last_seq_;
  std::deque<uint64_t>& mine = live_[record.contract];
  mine.push_back(record.seq);
  const contracts::AccountId contract = record.contract;
  records_.push_back({std::move(record), false});
  ++live_count_;
  if (mine.size() > per_contract_) DropOldestOf(contract);
  while (live_count_ > capacity_) {
    Entry& front = records_.front();
    if (!front.dropped) DropOldestOf(front.record.contract);  // it is its contract's oldest
    while (!records_.empty() && records_.front().dropped) {
      records_.pop_front();
      --gaps_;
    }
  }
  if (gaps_ > records_.size() / 2) {
    std::erase_if(records_, [](const Entry& e) { return e.dropped; });
    gaps_ = 0;
  }
}

void LogBuffer::DropOldestOf(const contracts::AccountId& contract) {
  auto it = live_.find(contract);
  const uint64_t seq = it->second.front();
  it->second.pop_front();
  if (it->second.empty()) live_.erase(it);
  auto entry = std::lower_bound(records_.begin(), records_.end(), seq,
                                [](const Entry& e, uint64_t s) { return e.record.seq < s; });
  entry->dropped = true;
  entry->record.message = std::string();  // its memory goes now, its slot at the next compaction
  --live_count_;
  ++gaps_;
}

LogPage LogBuffer::Read(uint64_t after, const std::optional<contracts::AccountId>& contract,
                        size_t limit, std::chrono::milliseconds wait) {
  LogPage page;
  page.next = after;
  std::unique_lock lock(mu_);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto it = std::upper_bound(records_.begin(), records_.end(), page.next,
                               [](uint64_t s, const Entry& e) { return s < e.record.seq; });
    for (; it != records_.end() && page.records.size() < limit; ++it) {
      if (!it->dropped && (!contract || it->record.contract == *contract))
        page.records.push_back(it->record);
      page.next = it->record.seq;
    }
    if (page.records.size() < limit) page.next = std::max(page.next, last_seq_);  // saw them all
    if (!page.records.empty() || closed_) return page;
    if (appended_.wait_until(lock, deadline) == std::cv_status::timeout) return page;
  }
}

uint64_t LogBuffer::last_seq() const {
  std::lock_guard lock(mu_);
  return last_seq_;
}

void LogBuffer::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  appended_.notify_all();
}

}  // namespace phat::node
