// How the node bounds the long queries it runs (internal to src/node). A query runs first on the
// HTTP loop thread that read it, for a short while, with no hand-off to another thread (a
// hand-off costs two thread switches, a large part of a 100 us query); one that needs longer
// runs on the server's blocking pool, where a QueryGate lets a fixed number run at once and a
// bounded number wait. Every query stops at its deadline by itself (the engine looks at the
// clock between slices of fuel).
//
// Thread safety: internally locked.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

namespace phat::node {

using Clock = std::chrono::steady_clock;

// First come, first served: a waiter is admitted in the order it arrived (a condition variable
// alone lets a waiter be passed over again and again under load, which showed as stalls of
// hundreds of ms), and each Leave wakes exactly the waiter it admits.
class QueryGate {
 public:
  QueryGate(size_t running, size_t waiting) : max_running_(running), max_waiting_(waiting) {}
  enum class Admission { Admitted, Busy, TimedOut };
  // Waits for a turn until `deadline`. Busy: too many wait already (answer at once, 503).
  Admission Enter(Clock::time_point deadline);
  void Leave();

 private:
  struct Waiter {
    std::condition_variable turn;
    bool admitted = false;
  };
  std::mutex mu_;
  size_t max_running_, max_waiting_;
  size_t running_ = 0;
  std::deque<Waiter*> waiting_;
};

}  // namespace phat::node
