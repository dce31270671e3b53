#include "admission.h"

#include <algorithm>

namespace phat::node {

QueryGate::Admission QueryGate::Enter(Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  if (running_ < max_running_ && waiting_.empty()) {
    ++running_;
    return Admission::Admitted;
  }
  if (waiting_.size() >= max_waiting_) return Admission::Busy;
  Waiter me;
  waiting_.push_back(&me);
  if (me.turn.wait_until(lock, deadline, [&] { return me.admitted; })) return Admission::Admitted;
  // Timed out, and Leave cannot have admitted it since (it holds the lock to do so).
  waiting_.erase(std::find(waiting_.begin(), waiting_.end(), &me));
  return Admission::TimedOut;
}

void QueryGate::Leave() {
  std::lock_guard lock(mu_);
  if (waiting_.empty()) {
    --running_;
    return;
  }
  // The turn passes straight to the first waiter: running_ stays as it is.
  Waiter* next = waiting_.front();
  waiting_.pop_front();
  next->admitted = true;
  next->turn.notify_one();
}

}  // namespace phat::node
