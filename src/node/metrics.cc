#include "phat/node/metrics.h"

#include <fmt/format.h>

namespace phat::node {

void Metrics::CountRequest(const std::string& endpoint, int status) {
  std::lock_guard lock(mu_);
  ++requests_[{endpoint, status}];
}
void Metrics::CountSubmitted() {
  std::lock_guard lock(mu_);
  ++submitted_;
}
void Metrics::CountRerun() {
  std::lock_guard lock(mu_);
  ++reruns_;
}
void Metrics::CountApplied(uint64_t committed, uint64_t rejected) {
  std::lock_guard lock(mu_);
  committed_ += committed;
  rejected_ += rejected;
}
void Metrics::ObserveQuery(double seconds) {
  std::lock_guard lock(mu_);
  ++queries_;
  query_seconds_ += seconds;
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) {
      ++buckets_[i];
      break;
    }
  }
}

std::string Metrics::Render(uint64_t height) const {
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP phat_http_requests_total HTTP requests answered, by endpoint and status.\n";
  out += "# TYPE phat_http_requests_total counter\n";
  for (const auto& [key, count] : requests_)
    out += fmt::format("phat_http_requests_total{{endpoint=\"{}\",status=\"{}\"}} {}\n", key.first,
                       key.second, count);
  out += "# HELP phat_commands_submitted_total Commands accepted into the queue.\n";
  out += "# TYPE phat_commands_submitted_total counter\n";
  out += fmt::format("phat_commands_submitted_total {}\n", submitted_);
  out +=
      "# HELP phat_commands_committed_total Commands applied in a block (any status but "
      "rejected).\n";
  out += "# TYPE phat_commands_committed_total counter\n";
  out += fmt::format("phat_commands_committed_total {}\n", committed_);
  out += "# HELP phat_commands_rejected_total Commands rejected when their block applied.\n";
  out += "# TYPE phat_commands_rejected_total counter\n";
  out += fmt::format("phat_commands_rejected_total {}\n", rejected_);
  out +=
      "# HELP phat_queries_rerun_total Queries stopped on the HTTP loop and run again on the pool "
      "(too long for it, or they called the web).\n";
  out += "# TYPE phat_queries_rerun_total counter\n";
  out += fmt::format("phat_queries_rerun_total {}\n", reruns_);
  out += "# HELP phat_block_height The height of the latest committed block.\n";
  out += "# TYPE phat_block_height gauge\n";
  out += fmt::format("phat_block_height {}\n", height);
  out += "# HELP phat_query_duration_seconds Wall time of queries, from accepted to answered.\n";
  out += "# TYPE phat_query_duration_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    cumulative += buckets_[i];
    out += fmt::format("phat_query_duration_seconds_bucket{{le=\"{}\"}} {}\n", kLatencyBuckets[i],
                       cumulative);
  }
  out += fmt::format("phat_query_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", queries_);
  out += fmt::format("phat_query_duration_seconds_sum {}\n", query_seconds_);
  out += fmt::format("phat_query_duration_seconds_count {}\n", queries_);
  return out;
}

}  // namespace phat::node
