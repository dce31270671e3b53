#include "admission.h"

#include <algorithm>

namespace phat::node {

bool QueryGate::TryEnter() {
  std::lock_guard lock(mu_);
  if (running_ >= max_running_ || !waiting_.empty()) return false;
  ++running_;
  return true;
}

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

Watchdog::Watchdog() : thread_([this] { Run(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

Watchdog::Ticket Watchdog::Arm(Clock::time_point deadline, std::atomic<bool>* flag) {
  Ticket ticket;
  bool sooner;
  {
    std::lock_guard lock(mu_);
    ticket = {deadline, next_serial_++};
    armed_.emplace(ticket, flag);
    sooner = deadline < sleeping_until_;
    if (sooner) sleeping_until_ = deadline;
  }
  if (sooner) changed_.notify_one();
  return ticket;
}

void Watchdog::Disarm(Ticket ticket) {
  std::lock_guard lock(mu_);
  armed_.erase(ticket);
}

void Watchdog::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (armed_.empty()) {
      sleeping_until_ = Clock::time_point::max();
      changed_.wait(lock);
      continue;
    }
    const auto first = armed_.begin();
    if (first->first.first <= Clock::now()) {
      first->second->store(true);
      armed_.erase(first);
      continue;
    }
    // A deadline disarmed meanwhile only makes this wake-up early, never late.
    sleeping_until_ = first->first.first;
    const Clock::time_point until = sleeping_until_;  // Arm may change the member meanwhile
    changed_.wait_until(lock, until);
  }
}

}  // namespace phat::node
