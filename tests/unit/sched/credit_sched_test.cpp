// The credit scheduler, simulated on a virtual clock: proportional shares,
// caps, no starvation, boost for event-driven vCPUs, determinism, and the
// queue mechanics (yield, block, wake, idle, several CPUs).
#include "core/credit_sched.h"

#include <gtest/gtest.h>

#include "sched_sim.h"

using core::CreditScheduler;
using core::SchedPrio;
using namespace simtest;

namespace {

TEST(CreditSched, WeightsOneTwoFourShareTheCpuProportionally) {
    Sim sim;
    SimVcpu& a = sim.cpu_bound(sim.domain(1));
    SimVcpu& b = sim.cpu_bound(sim.domain(2));
    SimVcpu& c = sim.cpu_bound(sim.domain(4));
    const uint64_t end = 10'000 * ms;
    sim.run_until(end);
    const double total = static_cast<double>(a.ran() + b.ran() + c.ran());
    EXPECT_EQ(end, a.ran() + b.ran() + c.ran());  // never idle
    const double want[] = {1.0 / 7, 2.0 / 7, 4.0 / 7};
    const SimVcpu* got[] = {&a, &b, &c};
    for (int i = 0; i < 3; ++i) {
        double share = static_cast<double>(got[i]->ran()) / total;
        EXPECT_NEAR(want[i], share, want[i] * 0.05) << "domain " << i;
        // Much tighter than the 5% the issue asks for.
        EXPECT_NEAR(want[i], share, want[i] * 0.01) << "domain " << i;
    }
}

TEST(CreditSched, CappedDomainNeverExceedsItsCapInAnyPeriod) {
    Sim sim;
    SimVcpu& capped = sim.cpu_bound(sim.domain(256, 25));
    SimVcpu& other = sim.cpu_bound(sim.domain(256));
    const uint64_t period = sim.sched.params().period_ns;
    const uint64_t end = 3'000 * ms;
    sim.run_until(end);
    for (uint64_t t = 0; t < end; t += period)
        ASSERT_LE(capped.ran_in(t, t + period), period / 4) << "window at " << t;
    // It still gets (almost) all of its cap, and the rest goes to the other.
    EXPECT_GE(capped.ran(), end / 4 - end / 100);
    EXPECT_EQ(end, capped.ran() + other.ran());
}

TEST(CreditSched, CapHoldsWhenAloneAndTheCpuIdles) {
    Sim sim;
    SimVcpu& capped = sim.cpu_bound(sim.domain(256, 25));
    const uint64_t period = sim.sched.params().period_ns;
    const uint64_t end = 1'000 * ms;
    sim.run_until(end);
    for (uint64_t t = 0; t < end; t += period) ASSERT_LE(capped.ran_in(t, t + period), period / 4);
    EXPECT_GE(capped.ran(), end / 4 - 2 * period);
}

TEST(CreditSched, CapAndWeightsTogether) {
    Sim sim;
    SimVcpu& capped = sim.cpu_bound(sim.domain(1024, 10));  // heavy weight, small cap
    SimVcpu& a = sim.cpu_bound(sim.domain(1));
    SimVcpu& b = sim.cpu_bound(sim.domain(3));
    const uint64_t end = 6'000 * ms;
    sim.run_until(end);
    const uint64_t period = sim.sched.params().period_ns;
    for (uint64_t t = 0; t < end; t += period) ASSERT_LE(capped.ran_in(t, t + period), period / 10);
    // What the cap leaves over is shared 1:3.
    double ratio = static_cast<double>(b.ran()) / static_cast<double>(a.ran());
    EXPECT_NEAR(3.0, ratio, 0.15);
}

TEST(CreditSched, SixtyFourDomainsRunWithoutStarvation) {
    Sim sim;
    std::vector<SimVcpu*> vs;
    for (int i = 0; i < 64; ++i) vs.push_back(&sim.cpu_bound(sim.domain(256)));
    const uint64_t end = 10'000 * ms;
    sim.run_until(end);
    uint64_t worst = 0;
    for (SimVcpu* v : vs) {
        worst = std::max(worst, v->max_wait);
        EXPECT_NEAR(1.0 / 64, static_cast<double>(v->ran()) / static_cast<double>(end), 0.05 / 64);
    }
    // A round of 64 vCPUs at the 1 ms minimum slice takes 64 ms; nobody
    // waits more than about two rounds (measured: 109 ms).
    EXPECT_LE(worst, 150 * ms);
    RecordProperty("max_wait_ns", std::to_string(worst));
}

TEST(CreditSched, EventWokenVcpuIsBoosted) {
    auto run = [](bool boost) {
        Sim sim;
        sim.boost = boost;
        for (int i = 0; i < 3; ++i) sim.cpu_bound(sim.domain(256));
        SimVcpu& io = sim.io_bound(sim.domain(256), 200 * us, 10 * ms, 5 * ms);
        sim.run_until(3'000 * ms);
        return std::pair<std::vector<uint64_t>, uint64_t>(io.latencies, io.ran());
    };
    auto [boosted, ran] = run(true);
    ASSERT_GT(boosted.size(), 200u);
    // With boost every wake-up runs at once (the waker preempts), once the
    // vCPU has been through one accounting: its very first burst ran
    // before it had any credit and left it OVER until then.
    EXPECT_EQ(0u, *std::max_element(boosted.begin() + 3, boosted.end()));
    EXPECT_LE(*std::max_element(boosted.begin(), boosted.end()), 60 * ms);
    // The I/O domain got all the CPU it asked for (a burst per ~10.2 ms).
    EXPECT_GE(ran, boosted.size() * 200 * us);
    // Without boost it waits behind the CPU-bound vCPUs' slices.
    auto [plain, ran2] = run(false);
    (void)ran2;
    uint64_t worst = *std::max_element(plain.begin() + 3, plain.end());
    EXPECT_GT(worst, 2 * ms);
    uint64_t sum = 0;
    for (uint64_t l : plain) sum += l;
    EXPECT_GT(sum / plain.size(), 100 * us);
}

TEST(CreditSched, SimulationIsDeterministic) {
    auto run = [] {
        Sim sim;
        sim.cpu_bound(sim.domain(1));
        sim.cpu_bound(sim.domain(7, 30));
        sim.io_bound(sim.domain(256), 300 * us, 3 * ms, 1 * ms);
        sim.io_bound(sim.domain(2), 1 * ms, 17 * ms, 2 * ms);
        sim.run_until(2'000 * ms);
        return sim.trace;
    };
    auto first = run();
    EXPECT_GT(first.size(), 200u);
    EXPECT_EQ(first, run());
}

// ---- Mechanics ----

class CreditMechanics : public ::testing::Test {
protected:
    CreditScheduler s;
    core::SchedDomain d1, d2;
    core::SchedVcpu a, b, c;

    void SetUp() override {
        ASSERT_TRUE(s.init(1, 0).is_ok());
        s.add_domain(d1);
        s.add_domain(d2);
        ASSERT_TRUE(s.add_vcpu(a, d1, nullptr, 0).is_ok());
        ASSERT_TRUE(s.add_vcpu(b, d1, nullptr, 0).is_ok());
        ASSERT_TRUE(s.add_vcpu(c, d2, nullptr, 0).is_ok());
    }
};

TEST_F(CreditMechanics, IdleWhenNothingIsRunnable) {
    core::SchedPick p = s.pick_next(0, 0);
    EXPECT_EQ(nullptr, p.vcpu);
    EXPECT_EQ(CreditScheduler::no_deadline, p.slice_ns);
    EXPECT_TRUE(s.wake(a, true));  // idle CPU: reschedule
    p = s.pick_next(0, 5);
    EXPECT_EQ(&a, p.vcpu);
    EXPECT_TRUE(a.running);
    // The first slice never crosses the first accounting time.
    EXPECT_LE(p.slice_ns, s.next_accounting() - 5);
}

TEST_F(CreditMechanics, FifoWithinAClassAndBlockWake) {
    s.wake(a, false);
    s.wake(b, false);
    s.wake(c, false);
    EXPECT_EQ(&a, s.pick_next(0, 0).vcpu);
    EXPECT_EQ(&b, s.pick_next(0, 1 * ms).vcpu);
    EXPECT_EQ(&c, s.pick_next(0, 2 * ms).vcpu);
    s.block(c, 3 * ms);
    EXPECT_FALSE(c.runnable);
    EXPECT_EQ(nullptr, s.current(0));
    EXPECT_EQ(3 * ms, a.total_run + b.total_run + c.total_run);
    EXPECT_EQ(&a, s.pick_next(0, 3 * ms).vcpu);
    EXPECT_FALSE(s.wake(a));  // already runnable
}

TEST_F(CreditMechanics, WakeBoostPreemptsUnderButNotWhenOutOfCredit) {
    s.wake(a, false);
    EXPECT_EQ(&a, s.pick_next(0, 0).vcpu);
    ASSERT_EQ(SchedPrio::under, a.prio);
    // c has not used up any credit (UNDER): an event boosts it, and it
    // preempts a.
    EXPECT_TRUE(s.wake(c, true));
    EXPECT_EQ(SchedPrio::boost, c.prio);
    EXPECT_EQ(&c, s.pick_next(0, 1 * ms).vcpu);
    // The boost lasts one turn.
    s.block(c, 2 * ms);
    EXPECT_NE(SchedPrio::boost, c.prio);
    EXPECT_EQ(&a, s.pick_next(0, 2 * ms).vcpu);
    // Out of credit (OVER), a woken vCPU is not boosted and does not preempt.
    c.prio = SchedPrio::over;
    EXPECT_FALSE(s.wake(c, true));
    EXPECT_EQ(SchedPrio::over, c.prio);
}

TEST_F(CreditMechanics, YieldLetsTheOthersGoFirst) {
    s.wake(a, false);
    s.wake(c, false);
    EXPECT_EQ(&a, s.pick_next(0, 0).vcpu);
    s.yield(a, 100 * us);
    EXPECT_EQ(&c, s.pick_next(0, 100 * us).vcpu);
    // Alone, a yielding vCPU runs again at once.
    s.block(c, 200 * us);
    EXPECT_EQ(&a, s.pick_next(0, 200 * us).vcpu);
    s.yield(a, 300 * us);
    EXPECT_EQ(&a, s.pick_next(0, 300 * us).vcpu);
}

TEST_F(CreditMechanics, YieldLetsOneLowerClassVcpuRun) {
    // c runs 100 ms: far over its credit, so it is OVER after accounting.
    s.wake(c, false);
    EXPECT_EQ(&c, s.pick_next(0, 0).vcpu);
    a.credit = 10 * ms;
    s.wake(a, false);
    EXPECT_EQ(&a, s.pick_next(0, 100 * ms).vcpu);
    ASSERT_EQ(SchedPrio::over, c.prio);
    s.yield(a, 101 * ms);
    ASSERT_EQ(SchedPrio::under, a.prio);
    EXPECT_EQ(&c, s.pick_next(0, 101 * ms).vcpu);
    EXPECT_EQ(&a, s.pick_next(0, 102 * ms).vcpu);
}

TEST_F(CreditMechanics, ParametersAreValidated) {
    EXPECT_TRUE(s.set_params(d1, 0, 0).is_error());
    EXPECT_TRUE(s.set_params(d1, 65536, 0).is_error());
    EXPECT_TRUE(s.set_params(d1, 1, 101).is_error());
    EXPECT_TRUE(s.set_params(d1, 65535, 100).is_ok());
    auto busy = s.remove_domain(d1);
    ASSERT_TRUE(busy.is_error());
    EXPECT_EQ(kstd::Error::busy, busy.error());
    s.remove_vcpu(a, 0);
    s.remove_vcpu(b, 0);
    EXPECT_TRUE(s.remove_domain(d1).is_ok());
    core::SchedDomain loose;
    core::SchedVcpu v;
    EXPECT_TRUE(s.add_vcpu(v, loose, nullptr, 0).is_error());
    EXPECT_TRUE(s.add_vcpu(v, d2, nullptr, 1).is_error());
    CreditScheduler bad;
    EXPECT_TRUE(bad.init(0, 0).is_error());
    EXPECT_TRUE(bad.init(CreditScheduler::max_cpus + 1, 0).is_error());
    EXPECT_TRUE(bad.init(1, 0, {.tslice_ns = 1 * ms, .period_ns = 30 * ms, .min_slice_ns = 2 * ms}).is_error());
}

TEST_F(CreditMechanics, ParkedVcpuIdlesTheCpuUntilTheNextPeriod) {
    ASSERT_TRUE(s.set_params(d2, 256, 10).is_ok());
    // No credit yet: a capped vCPU waits for the accounting, which the
    // first pick does.
    EXPECT_FALSE(s.wake(c, false));
    EXPECT_TRUE(c.parked);
    core::SchedPick p = s.pick_next(0, 0);
    ASSERT_EQ(&c, p.vcpu);
    EXPECT_FALSE(c.parked);
    EXPECT_EQ(3 * ms, p.slice_ns);  // 10% of a 30 ms period
    p = s.pick_next(0, 3 * ms);
    EXPECT_EQ(nullptr, p.vcpu);
    EXPECT_TRUE(c.parked);
    EXPECT_EQ(27 * ms, p.slice_ns);  // sleep until the period ends
    p = s.pick_next(0, 30 * ms);
    EXPECT_EQ(&c, p.vcpu);
    EXPECT_EQ(3 * ms, p.slice_ns);
}

TEST(CreditSchedSmp, IdleCpuStealsWork) {
    CreditScheduler s;
    ASSERT_TRUE(s.init(2, 0).is_ok());
    core::SchedDomain d;
    s.add_domain(d);
    core::SchedVcpu a, b;
    ASSERT_TRUE(s.add_vcpu(a, d, nullptr, 0).is_ok());
    ASSERT_TRUE(s.add_vcpu(b, d, nullptr, 0).is_ok());
    s.wake(a, false);
    s.wake(b, false);
    EXPECT_EQ(&a, s.pick_next(0, 0).vcpu);
    EXPECT_EQ(&b, s.pick_next(1, 0).vcpu);
    EXPECT_EQ(1u, b.cpu);
    EXPECT_EQ(&a, s.current(0));
    EXPECT_EQ(&b, s.current(1));
    // Two CPUs' worth of credit: both run flat out over a few periods.
    uint64_t now = 0;
    for (int i = 0; i < 100; ++i) {
        now += 10 * ms;
        s.pick_next(0, now);
        s.pick_next(1, now);
    }
    EXPECT_EQ(now, a.total_run);
    EXPECT_EQ(now, b.total_run);
}

// reschedule() is block/yield/pick_next fused for the switch path: driven
// through the same random history (weights, a cap, wake-ups with and
// without boost, blocks, yields, preemptions, across many periods), the
// two make the same decisions.
TEST(CreditSchedReschedule, DecidesAsTheSeparateCalls) {
    struct World {
        CreditScheduler s;
        core::SchedDomain d[3];
        core::SchedVcpu v[6];
    };
    World sep, fused;
    for (World* w : {&sep, &fused}) {
        ASSERT_TRUE(w->s.init(1, 0).is_ok());
        for (int i = 0; i < 3; ++i) {
            w->s.add_domain(w->d[i]);
            ASSERT_TRUE(w->s.set_params(w->d[i], 128u << i, i == 2 ? 30 : 0).is_ok());
        }
        for (int i = 0; i < 6; ++i) ASSERT_TRUE(w->s.add_vcpu(w->v[i], w->d[i % 3], nullptr, 0).is_ok());
    }
    auto index = [](World& w, core::SchedVcpu* p) { return p == nullptr ? -1 : static_cast<int>(p - w.v); };
    uint64_t rng = 12345, now = 0;
    auto next = [&rng](uint64_t n) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        return (rng >> 33) % n;
    };
    int switches = 0;
    for (int step = 0; step < 20000; ++step) {
        now += 1 + next(3 * ms);
        uint64_t op = next(5);
        if (op == 0) {  // an event wakes someone
            uint64_t i = next(6);
            bool boost = next(2) == 0;
            ASSERT_EQ(sep.s.wake(sep.v[i], boost), fused.s.wake(fused.v[i], boost));
            continue;
        }
        core::SchedVcpu* cur = sep.s.current(0);
        core::SchedPick a{}, b{};
        if (cur == nullptr) {
            a = sep.s.pick_next(0, now);
            b = fused.s.pick_next(0, now);
        } else {
            core::SchedStop why = op == 1 ? core::SchedStop::block : op == 2 ? core::SchedStop::yield
                                                                            : core::SchedStop::preempt;
            core::SchedVcpu& fc = fused.v[index(sep, cur)];
            ASSERT_EQ(&fc, fused.s.current(0));
            if (why == core::SchedStop::block) sep.s.block(*cur, now);
            if (why == core::SchedStop::yield) sep.s.yield(*cur, now);
            a = sep.s.pick_next(0, now);
            b = fused.s.reschedule(0, now, why);
            ++switches;
        }
        ASSERT_EQ(index(sep, a.vcpu), index(fused, b.vcpu)) << "step " << step;
        ASSERT_EQ(a.slice_ns, b.slice_ns) << "step " << step;
    }
    for (int i = 0; i < 6; ++i) {
        EXPECT_EQ(sep.v[i].total_run, fused.v[i].total_run);
        EXPECT_EQ(sep.v[i].credit, fused.v[i].credit);
    }
    EXPECT_GT(switches, 10000);
}

}  // namespace
