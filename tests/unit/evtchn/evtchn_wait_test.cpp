// block and poll: sleeping for events without losing a wakeup.
#include <gtest/gtest.h>

#include <vector>

#include "core/evtchn.h"
#include "core/evtchn_pending.h"
#include "core/evtchn_wait.h"
#include "evtchn_world.h"

using core::PollOutcome;
using core::VcpuState;

namespace {

class EvtchnWait : public ::testing::Test {
protected:
    evtest::World w;
    evtest::TestDomain& d = w.add(2, 64, false);
    core::EvtchnCaller c = w.caller(0);
    core::Vcpu& v0 = d.vcpus[0];

    uint32_t ipi(uint32_t vcpu) {
        auto r = core::evtchn_bind_ipi(c, vcpu);
        EXPECT_TRUE(r.is_ok());
        return r.value();
    }
    void mask(uint32_t p) { d.shared->evtchn_mask[p / 64] |= uint64_t{1} << (p % 64); }
    kstd::Result<PollOutcome> poll(std::vector<uint32_t> ports, uint64_t timeout = 0, uint64_t now = 100) {
        return core::poll_prepare(d.table, v0, kstd::span<const uint32_t>(ports.data(), ports.size()), timeout, now);
    }
};

TEST_F(EvtchnWait, BlockUnmasksAndSleepsWhenNothingIsPending) {
    d.info(0).upcall_mask = 1;
    EXPECT_TRUE(core::block_prepare(v0));
    EXPECT_EQ(0u, d.info(0).upcall_mask);
    EXPECT_EQ(VcpuState::blocked, v0.state);
    // An event for it wakes it.
    uint32_t p = ipi(0);
    ASSERT_TRUE(core::evtchn_send(c, p).is_ok());
    EXPECT_EQ(VcpuState::runnable, v0.state);
    EXPECT_TRUE(core::should_deliver_upcall(v0));
}

TEST_F(EvtchnWait, BlockReturnsAtOnceWhenAnUpcallIsPending) {
    uint32_t p = ipi(0);
    d.info(0).upcall_mask = 1;  // events held back while the event arrives
    ASSERT_TRUE(core::evtchn_send(c, p).is_ok());
    EXPECT_FALSE(core::block_prepare(v0));
    EXPECT_EQ(VcpuState::runnable, v0.state);
    EXPECT_EQ(0u, d.info(0).upcall_mask);
}

TEST_F(EvtchnWait, MaskedPortDoesNotEndABlock) {
    uint32_t p = ipi(0);
    mask(p);
    EXPECT_TRUE(core::block_prepare(v0));
    ASSERT_TRUE(core::evtchn_send(c, p).is_ok());
    EXPECT_EQ(VcpuState::blocked, v0.state);
    ASSERT_TRUE(core::evtchn_unmask(c, p).is_ok());  // from another vCPU
    EXPECT_EQ(VcpuState::runnable, v0.state);
}

TEST_F(EvtchnWait, PollReturnsAtOnceIfAPortIsPending) {
    uint32_t p = ipi(0), q = ipi(0);
    mask(q);
    ASSERT_TRUE(core::evtchn_send(c, q).is_ok());
    auto r = poll({p, q});
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(PollOutcome::ready, r.value());
    EXPECT_EQ(VcpuState::runnable, v0.state);
    EXPECT_EQ(0u, d.table.poll_mask);
}

TEST_F(EvtchnWait, PollSleepsUntilItsPortFiresEvenMasked) {
    uint32_t p = ipi(0), other = ipi(1);
    mask(p);
    d.info(0).upcall_mask = 1;
    auto r = poll({p});
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(PollOutcome::sleep, r.value());
    EXPECT_EQ(VcpuState::blocked, v0.state);
    ASSERT_TRUE(core::evtchn_send(c, other).is_ok());  // not ours: still asleep
    EXPECT_EQ(VcpuState::blocked, v0.state);
    ASSERT_TRUE(core::evtchn_send(c, p).is_ok());
    EXPECT_EQ(VcpuState::runnable, v0.state);
    EXPECT_EQ(0u, d.table.poll_mask);
    core::poll_finish(d.table, v0);
}

TEST_F(EvtchnWait, PollOnSeveralPortsWakesOnAnyPort) {
    uint32_t p = ipi(0), q = ipi(0), r3 = ipi(1);
    mask(p);
    mask(q);
    mask(r3);
    auto r = poll({p, q});
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(PollOutcome::sleep, r.value());
    ASSERT_TRUE(core::evtchn_send(c, q).is_ok());
    EXPECT_EQ(VcpuState::runnable, v0.state);
}

TEST_F(EvtchnWait, PollTimeout) {
    uint32_t p = ipi(0);
    auto past = poll({p}, 50, 100);
    ASSERT_TRUE(past.is_ok());
    EXPECT_EQ(PollOutcome::ready, past.value());
    auto future = poll({p}, 500, 100);
    ASSERT_TRUE(future.is_ok());
    EXPECT_EQ(PollOutcome::sleep, future.value());
    // The glue's timer fires: it finishes the poll and wakes the vCPU.
    core::poll_finish(d.table, v0);
    EXPECT_EQ(0u, d.table.poll_mask);
    // Zero ports and a timeout is a plain sleep.
    auto nap = poll({}, 500, 100);
    ASSERT_TRUE(nap.is_ok());
    EXPECT_EQ(PollOutcome::sleep, nap.value());
}

TEST_F(EvtchnWait, PollRefusals) {
    v0.state = VcpuState::runnable;
    auto range = poll({1, 64});
    ASSERT_TRUE(range.is_error());
    EXPECT_EQ(kstd::Error::range, range.error());
    std::vector<uint32_t> many(core::poll_max_ports + 1, 1);
    auto big = poll(many);
    ASSERT_TRUE(big.is_error());
    EXPECT_EQ(kstd::Error::too_big, big.error());
    EXPECT_EQ(VcpuState::runnable, v0.state);
    EXPECT_EQ(0u, d.table.poll_mask);
}

}  // namespace
