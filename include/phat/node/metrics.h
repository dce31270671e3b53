// The node's metrics, rendered in the Prometheus text exposition format for GET /metrics:
// requests by endpoint and status, commands submitted / committed / rejected, the block height,
// and a histogram of query latency.
//
// Thread safety: every method may be called from any thread at once (one internal mutex; the
// counters are touched once per request, so contention is not a concern).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace phat::node {

class Metrics {
 public:
  // Upper bounds of the query latency buckets, in seconds (+Inf is implicit).
  static constexpr std::array<double, 10> kLatencyBuckets = {0.0001, 0.0005, 0.001, 0.005, 0.01,
                                                             0.05,   0.1,    0.5,   1.0,   10.0};

  void CountRequest(const std::string& endpoint, int status);
  void CountSubmitted();
  // A query stopped on the HTTP loop and run again on the pool (too long, or it called the web).
  void CountRerun();
  void CountApplied(uint64_t committed, uint64_t rejected);
  void ObserveQuery(double seconds);
  // The text for GET /metrics; `height` is read by the caller from the chain.
  std::string Render(uint64_t height) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  uint64_t submitted_ = 0, committed_ = 0, rejected_ = 0, reruns_ = 0;
  std::array<uint64_t, kLatencyBuckets.size()> buckets_{};  // not cumulative; Render sums them
  uint64_t queries_ = 0;
  double query_seconds_ = 0;
};

}  // namespace phat::node
