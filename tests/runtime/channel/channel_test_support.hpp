#pragma once
// Helpers shared by the channel tests, written once for every receiver type that has the
// same recv() or subscribe() interface.

#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "../test_support.hpp"

namespace channel_test {

// "timeout" if nothing came within 20 ms, "closed" if the channel closed, else the value.
template <class Receiver>
weft::Task<std::string> recv_with_timeout(Receiver* rx) {
  try {
    auto v = co_await weft::timeout(std::chrono::milliseconds(20), rx->recv());
    co_return v ? std::to_string(*v) : "closed";
  } catch (const weft::TimeoutError&) {
    co_return "timeout";
  }
}

// Parks in recv() until the test aborts it; its frame counts in `live`.
template <class Receiver>
weft::Task<void> recv_forever(Receiver* rx, std::atomic<int>* live, std::atomic<int>* started) {
  weft_test::LiveGuard guard(*live);
  weft_test::bump_and_notify(*started);
  auto v = co_await rx->recv();
  ADD_FAILURE() << "the aborted receiver got " << (v ? *v : -1);
}

// One sender, four receivers (three subscribed, plus the channel's own): each receiver runs
// `check(rx, &ready)`, which returns how many of the stream's values it accounted for. Only
// once all four wait does `produce(tx, count)` stream `count` values and drop the sender.
template <class Sender, class Receiver, class Check, class Produce>
void expect_every_receiver_accounts_for_the_stream(weft::Runtime& rt, Sender tx, Receiver rx,
                                                   long count, Check check, Produce produce) {
  std::atomic<int> ready{0};
  std::vector<weft::JoinHandle<long>> receivers;
  for (int i = 0; i < 3; ++i) receivers.push_back(rt.spawn(check(tx.subscribe(), &ready)));
  receivers.push_back(rt.spawn(check(std::move(rx), &ready)));
  weft_test::wait_at_least(ready, 4);
  rt.spawn(produce(std::move(tx), count)).detach();
  for (auto& r : receivers) EXPECT_EQ(weft_test::wait_for_result(r), count);
}

}  // namespace channel_test
