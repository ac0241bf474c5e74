// The per-CPU timer queue and the vCPU timers built on it, checked case
// by case and against a sorted model.
#include "core/timer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include "core/vcpu_timers.h"

using core::Timer;
using core::TimerQueue;

namespace {

class TimerTest : public ::testing::Test {
protected:
    std::vector<Timer*> slots = std::vector<Timer*>(8);
    TimerQueue q;
    void SetUp() override { ASSERT_TRUE(q.init(kstd::span<Timer*>(slots.data(), slots.size())).is_ok()); }

    std::vector<Timer*> expire(uint64_t now, size_t max = 16) {
        std::vector<Timer*> out(max);
        size_t n = q.expire(now, kstd::span<Timer*>(out.data(), out.size()));
        out.resize(n);
        return out;
    }
};

TEST_F(TimerTest, EmptyQueueHasNoDeadline) {
    EXPECT_EQ(TimerQueue::no_deadline, q.next_deadline());
    EXPECT_TRUE(expire(UINT64_MAX).empty());
    TimerQueue bad;
    EXPECT_TRUE(bad.init({}).is_error());
}

TEST_F(TimerTest, OneShotsFireInDeadlineOrder) {
    Timer a, b, c;
    ASSERT_TRUE(q.arm(b, 200).is_ok());
    ASSERT_TRUE(q.arm(a, 100).is_ok());
    ASSERT_TRUE(q.arm(c, 300).is_ok());
    EXPECT_EQ(100u, q.next_deadline());
    EXPECT_TRUE(expire(99).empty());
    auto f = expire(250);
    ASSERT_EQ(2u, f.size());
    EXPECT_EQ(&a, f[0]);
    EXPECT_EQ(&b, f[1]);
    EXPECT_FALSE(a.armed());
    EXPECT_TRUE(c.armed());
    EXPECT_EQ(300u, q.next_deadline());
}

TEST_F(TimerTest, EqualDeadlinesFireInArmingOrder) {
    Timer t[5];
    for (Timer& x : t) ASSERT_TRUE(q.arm(x, 50).is_ok());
    auto f = expire(50);
    ASSERT_EQ(5u, f.size());
    for (int i = 0; i < 5; ++i) EXPECT_EQ(&t[i], f[i]);
}

TEST_F(TimerTest, RearmMovesAndCancelRemoves) {
    Timer a, b;
    ASSERT_TRUE(q.arm(a, 100).is_ok());
    ASSERT_TRUE(q.arm(b, 200).is_ok());
    ASSERT_TRUE(q.arm(a, 300).is_ok());
    EXPECT_EQ(2u, q.size());
    EXPECT_EQ(200u, q.next_deadline());
    q.cancel(b);
    q.cancel(b);  // twice is harmless
    EXPECT_EQ(300u, q.next_deadline());
    q.cancel(a);
    EXPECT_EQ(0u, q.size());
}

TEST_F(TimerTest, FullQueueRefusesButRearmStillWorks) {
    Timer t[9];
    for (int i = 0; i < 8; ++i) ASSERT_TRUE(q.arm(t[i], 10 + i).is_ok());
    auto r = q.arm(t[8], 5);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(kstd::Error::nospc, r.error());
    EXPECT_TRUE(q.arm(t[3], 1).is_ok());
    EXPECT_EQ(1u, q.next_deadline());
}

TEST_F(TimerTest, PeriodicRearmsAndMergesMissedTicks) {
    Timer p;
    ASSERT_TRUE(q.arm(p, 1000, 1000).is_ok());
    auto f = expire(1000);
    ASSERT_EQ(1u, f.size());
    EXPECT_TRUE(p.armed());
    EXPECT_EQ(2000u, p.deadline);
    // Late by three and a half periods: fires once, next tick after now.
    f = expire(5500);
    ASSERT_EQ(1u, f.size());
    EXPECT_EQ(6000u, p.deadline);
    EXPECT_EQ(3u, p.overruns);
    // A periodic timer whose next tick would pass the end of time stops.
    Timer end;
    ASSERT_TRUE(q.arm(end, UINT64_MAX - 10, 100).is_ok());
    f = expire(UINT64_MAX - 5);
    EXPECT_FALSE(end.armed());
}

TEST_F(TimerTest, ExpireStopsAtTheSpaceGiven) {
    Timer t[4];
    for (Timer& x : t) ASSERT_TRUE(q.arm(x, 7).is_ok());
    EXPECT_EQ(3u, expire(10, 3).size());
    EXPECT_EQ(1u, expire(10).size());
}

TEST_F(TimerTest, MatchesASortedModel) {
    std::vector<Timer*> big(64);
    TimerQueue m;
    ASSERT_TRUE(m.init(kstd::span<Timer*>(big.data(), big.size())).is_ok());
    std::vector<Timer> timers(64);
    std::map<Timer*, uint64_t> model;  // armed one-shots and their deadlines
    std::mt19937_64 rng(7);
    uint64_t now = 0;
    for (int step = 0; step < 20000; ++step) {
        Timer* t = &timers[rng() % timers.size()];
        switch (rng() % 4) {
        case 0:
        case 1: {
            uint64_t d = now + rng() % 1000;
            ASSERT_TRUE(m.arm(*t, d).is_ok());
            model[t] = d;
            break;
        }
        case 2:
            m.cancel(*t);
            model.erase(t);
            break;
        case 3: {
            now += rng() % 300;
            std::vector<Timer*> out(64);
            size_t n = m.expire(now, kstd::span<Timer*>(out.data(), out.size()));
            std::vector<Timer*> want;
            for (auto& [timer, d] : model)
                if (d <= now) want.push_back(timer);
            std::sort(want.begin(), want.end());
            std::vector<Timer*> got(out.begin(), out.begin() + static_cast<long>(n));
            for (size_t i = 1; i < got.size(); ++i) ASSERT_LE(got[i - 1]->deadline, got[i]->deadline);
            std::sort(got.begin(), got.end());
            ASSERT_EQ(want, got);
            for (Timer* x : got) model.erase(x);
            break;
        }
        }
        ASSERT_EQ(model.size(), m.size());
        uint64_t next = TimerQueue::no_deadline;
        for (auto& [timer, d] : model) next = std::min(next, d);
        ASSERT_EQ(next, m.next_deadline());
    }
}

TEST_F(TimerTest, VcpuTimers) {
    core::VcpuTimers vt;
    vt.init(42);
    EXPECT_EQ(42u, vt.periodic.owner);
    ASSERT_TRUE(core::set_singleshot_timer(q, vt, 5000).is_ok());
    ASSERT_TRUE(core::set_periodic_timer(q, vt, 10'000'000, 1000).is_ok());
    EXPECT_EQ(10'001'000u, vt.periodic.deadline);
    auto bad = core::set_periodic_timer(q, vt, core::min_timer_period_ns - 1, 0);
    ASSERT_TRUE(bad.is_error());
    EXPECT_EQ(kstd::Error::inval, bad.error());
    EXPECT_TRUE(core::set_periodic_timer(q, vt, UINT64_MAX, 10).is_error());
    EXPECT_EQ(10'001'000u, vt.periodic.deadline);  // unchanged by the refusals
    ASSERT_TRUE(core::set_poll_timeout(q, vt, 7000).is_ok());
    auto f = expire(8000);
    ASSERT_EQ(2u, f.size());
    EXPECT_EQ(core::TimerKind::singleshot, f[0]->kind);
    EXPECT_EQ(core::TimerKind::poll_timeout, f[1]->kind);
    // A deadline in the past fires at the next expire; 0 cancels.
    ASSERT_TRUE(core::set_singleshot_timer(q, vt, 1).is_ok());
    ASSERT_TRUE(core::set_singleshot_timer(q, vt, 0).is_ok());
    EXPECT_FALSE(vt.singleshot.armed());
    ASSERT_TRUE(core::set_periodic_timer(q, vt, 0, 0).is_ok());
    EXPECT_FALSE(vt.periodic.armed());
    ASSERT_TRUE(core::set_singleshot_timer(q, vt, 9000).is_ok());
    core::cancel_vcpu_timers(q, vt);
    EXPECT_EQ(0u, q.size());
}

}  // namespace
