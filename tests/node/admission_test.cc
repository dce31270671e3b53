// The query gate: first come, first served; bounded waiting; deadlines.
#include "node/admission.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace phat::node {
namespace {

using std::chrono::milliseconds;

TEST(QueryGate, WaitersAreAdmittedInTheOrderTheyCame) {
  QueryGate gate(1, 3);
  const auto far = Clock::now() + std::chrono::seconds(30);
  ASSERT_EQ(gate.Enter(far), QueryGate::Admission::Admitted);
  std::mutex mu;
  std::vector<int> order;
  std::vector<std::thread> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back([&, i] {
      EXPECT_EQ(gate.Enter(far), QueryGate::Admission::Admitted);
      {
        std::lock_guard lock(mu);
        order.push_back(i);
      }
      gate.Leave();
    });
    std::this_thread::sleep_for(milliseconds(30));  // so that they queue in this order
  }
  EXPECT_EQ(gate.Enter(far), QueryGate::Admission::Busy);  // 3 wait already
  gate.Leave();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(gate.Enter(far), QueryGate::Admission::Admitted);  // all left: free again
  gate.Leave();
}

TEST(QueryGate, AWaiterGivesUpAtItsDeadline) {
  QueryGate gate(1, 3);
  ASSERT_EQ(gate.Enter(Clock::now() + milliseconds(1000)), QueryGate::Admission::Admitted);
  EXPECT_EQ(gate.Enter(Clock::now() + milliseconds(20)), QueryGate::Admission::TimedOut);
  gate.Leave();
  EXPECT_EQ(gate.Enter(Clock::now() + milliseconds(20)), QueryGate::Admission::Admitted);
  gate.Leave();
}

}  // namespace
}  // namespace phat::node
