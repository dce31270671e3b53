// How the node bounds the queries it runs (internal to src/node). A query that finds a free turn
// runs on the HTTP loop thread that read it, with no hand-off to another pool (a hand-off costs
// two thread switches, a large part of a 100 us query); one that must wait for its turn waits on
// the server's blocking pool. A QueryGate lets a fixed number run at once and a bounded number
// wait, and a Watchdog raises each query's interrupt flag at its deadline, which stops the
// engine within about a millisecond of work.
//
// Thread safety: both classes are internally locked.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace phat::node {

using Clock = std::chrono::steady_clock;

// First come, first served: a waiter is admitted in the order it arrived (a condition variable
// alone lets a waiter be passed over again and again under load, which showed as stalls of
// hundreds of ms), and each Leave wakes exactly the waiter it admits.
class QueryGate {
 public:
  QueryGate(size_t running, size_t waiting) : max_running_(running), max_waiting_(waiting) {}
  enum class Admission { Admitted, Busy, TimedOut };
  // A turn now if one is free and no one waits (never blocks).
  bool TryEnter();
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

class Watchdog {
 public:
  Watchdog();
  ~Watchdog();  // stops the thread; flags still armed are left as they are
  // An armed deadline, by when and a serial number (the watchdog drops entries as they fire, so
  // a ticket is a key, not an iterator).
  using Ticket = std::pair<Clock::time_point, uint64_t>;
  // Sets *flag to true at `deadline` unless disarmed first. The flag must outlive the ticket.
  Ticket Arm(Clock::time_point deadline, std::atomic<bool>* flag);
  void Disarm(Ticket ticket);

 private:
  void Run();
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<Ticket, std::atomic<bool>*> armed_;
  uint64_t next_serial_ = 0;
  // When the thread will next look, so that arming a later deadline (the usual case: every query
  // gets the same limit) does not wake it: a wake-up costs a thread switch per query.
  Clock::time_point sleeping_until_ = Clock::time_point::max();
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace phat::node
