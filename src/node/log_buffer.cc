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
      r.seq = ++last_seq_;
      r.message = line.size() > kMaxLineBytes ? std::string(CutAtCharacter(line)) + "…"
                                              : std::string(line);
      records_.push_back(std::move(r));
      while (records_.size() > capacity_) records_.pop_front();
    }
  }
  appended_.notify_all();
}

void LogBuffer::Append(LogRecord record) {
  {
    std::lock_guard lock(mu_);
    record.seq = ++last_seq_;
    records_.push_back(std::move(record));
    while (records_.size() > capacity_) records_.pop_front();
  }
  appended_.notify_all();
}

LogPage LogBuffer::Read(uint64_t after, const std::optional<contracts::AccountId>& contract,
                        size_t limit, std::chrono::milliseconds wait) {
  LogPage page;
  page.next = after;
  std::unique_lock lock(mu_);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    // Records are in seq order and contiguous: the first one after the cursor is found by offset.
    const uint64_t first = records_.empty() ? last_seq_ + 1 : records_.front().seq;
    for (size_t i = page.next >= first ? size_t(page.next - first + 1) : 0;
         i < records_.size() && page.records.size() < limit; ++i) {
      if (!contract || records_[i].contract == *contract) page.records.push_back(records_[i]);
      page.next = records_[i].seq;
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
