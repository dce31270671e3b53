#include "admission.h"

namespace phat::node {

QueryGate::Admission QueryGate::Enter(Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  if (running_ < max_running_) {
    ++running_;
    return Admission::Admitted;
  }
  if (waiting_ >= max_waiting_) return Admission::Busy;
  ++waiting_;
  const bool turn = turn_.wait_until(lock, deadline, [&] { return running_ < max_running_; });
  --waiting_;
  if (!turn) return Admission::TimedOut;
  ++running_;
  return Admission::Admitted;
}

void QueryGate::Leave() {
  {
    std::lock_guard lock(mu_);
    --running_;
  }
  turn_.notify_one();
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
