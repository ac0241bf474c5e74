// The shared-page protocol: pending and mask bits, the per-vCPU selector,
// upcall_pending, kicks, and the delivery decision.
#include <gtest/gtest.h>

#include "core/evtchn.h"
#include "core/evtchn_pending.h"
#include "evtchn_world.h"

namespace {

class EvtchnDelivery : public ::testing::Test {
protected:
    evtest::World w;
    evtest::TestDomain& d = w.add(2, 256, false);
    core::EvtchnCaller c = w.caller(0);

    uint32_t ipi(uint32_t vcpu) {
        auto r = core::evtchn_bind_ipi(c, vcpu);
        EXPECT_TRUE(r.is_ok());
        return r.value();
    }
    void mask(uint32_t p) { d.shared->evtchn_mask[p / 64] |= uint64_t{1} << (p % 64); }
};

TEST_F(EvtchnDelivery, SendSetsPendingSelectorAndUpcall) {
    // Ports 1..70 so that one lands in word 1.
    uint32_t p = 0;
    for (int i = 0; i < 70; ++i) p = ipi(1);
    ASSERT_EQ(70u, p);
    ASSERT_TRUE(core::evtchn_send(c, p).is_ok());
    EXPECT_EQ(uint64_t{1} << 6, d.shared->evtchn_pending[1]);
    EXPECT_EQ(uint64_t{1} << 1, d.info(1).evtchn_pending_sel);
    EXPECT_EQ(1u, d.info(1).upcall_pending);
    EXPECT_EQ(0u, d.info(0).evtchn_pending_sel);
    ASSERT_EQ(1u, w.kicks.size());
    EXPECT_EQ(&d.vcpus[1], w.kicks[0]);
}

TEST_F(EvtchnDelivery, RepeatedSendsCoalesceAndKickOnce) {
    uint32_t a = ipi(0), b = ipi(0);
    ASSERT_TRUE(core::evtchn_send(c, a).is_ok());
    ASSERT_TRUE(core::evtchn_send(c, a).is_ok());
    ASSERT_TRUE(core::evtchn_send(c, b).is_ok());  // same word: selector already set
    EXPECT_EQ(1u, w.kicks.size());
    EXPECT_EQ((uint64_t{1} << a) | (uint64_t{1} << b), d.shared->evtchn_pending[0]);
}

TEST_F(EvtchnDelivery, MaskedPortStaysPendingUntilUnmasked) {
    uint32_t p = ipi(0);
    mask(p);
    ASSERT_TRUE(core::evtchn_send(c, p).is_ok());
    EXPECT_TRUE(core::evtchn_is_pending(d.table, p));
    EXPECT_EQ(0u, d.info(0).evtchn_pending_sel);
    EXPECT_EQ(0u, d.info(0).upcall_pending);
    EXPECT_TRUE(w.kicks.empty());
    ASSERT_TRUE(core::evtchn_unmask(c, p).is_ok());
    EXPECT_FALSE(core::evtchn_is_masked(d.table, p));
    EXPECT_EQ(1u, d.info(0).evtchn_pending_sel);
    EXPECT_EQ(1u, d.info(0).upcall_pending);
    EXPECT_EQ(1u, w.kicks.size());
}

TEST_F(EvtchnDelivery, UnmaskWithNothingPendingOnlyClearsTheMask) {
    uint32_t p = ipi(0);
    mask(p);
    ASSERT_TRUE(core::evtchn_unmask(c, p).is_ok());
    EXPECT_FALSE(core::evtchn_is_masked(d.table, p));
    EXPECT_EQ(0u, d.info(0).upcall_pending);
    EXPECT_TRUE(w.kicks.empty());
}

TEST_F(EvtchnDelivery, NoKickWhileUpcallAlreadyPending) {
    uint32_t a = ipi(0);
    for (int i = 0; i < 64; ++i) ipi(0);
    uint32_t far = ipi(0);  // another word
    ASSERT_GE(far, 64u);
    ASSERT_TRUE(core::evtchn_send(c, a).is_ok());
    ASSERT_TRUE(core::evtchn_send(c, far).is_ok());
    EXPECT_EQ(3u, d.info(0).evtchn_pending_sel);  // both words flagged
    EXPECT_EQ(1u, w.kicks.size());                // one kick: upcall_pending was already 1
}

TEST_F(EvtchnDelivery, GuestConsumesThenNewEventRaisesAgain) {
    uint32_t p = ipi(0);
    ASSERT_TRUE(core::evtchn_send(c, p).is_ok());
    // The guest's upcall handler: clear U, take S, clear the port's P bit.
    d.info(0).upcall_pending = 0;
    uint64_t sel = d.info(0).evtchn_pending_sel;
    d.info(0).evtchn_pending_sel = 0;
    EXPECT_EQ(1u, sel);
    d.shared->evtchn_pending[0] &= ~(uint64_t{1} << p);
    ASSERT_TRUE(core::evtchn_send(c, p).is_ok());
    EXPECT_EQ(1u, d.info(0).upcall_pending);
    EXPECT_EQ(1u, d.info(0).evtchn_pending_sel);
    EXPECT_EQ(2u, w.kicks.size());
}

TEST_F(EvtchnDelivery, ShouldDeliverUpcallFollowsPendingAndMask) {
    core::Vcpu& v = d.vcpus[0];
    EXPECT_FALSE(core::should_deliver_upcall(v));
    d.info(0).upcall_pending = 1;
    d.info(0).upcall_mask = 1;
    EXPECT_FALSE(core::should_deliver_upcall(v));
    d.info(0).upcall_mask = 0;
    EXPECT_TRUE(core::should_deliver_upcall(v));
    core::Vcpu bare;
    EXPECT_FALSE(core::should_deliver_upcall(bare));
}

TEST_F(EvtchnDelivery, BindVcpuMovesAPendingEventToTheNewVcpu) {
    auto u = core::evtchn_alloc_unbound(c, PV_DOMID_SELF, PV_DOMID_SELF);
    ASSERT_TRUE(u.is_ok());
    auto b = core::evtchn_bind_interdomain(c, PV_DOMID_SELF, u.value());  // pending on vCPU 0
    ASSERT_TRUE(b.is_ok());
    EXPECT_EQ(1u, d.info(0).upcall_pending);
    ASSERT_TRUE(core::evtchn_bind_vcpu(c, b.value(), 1).is_ok());
    EXPECT_EQ(1u, d.info(1).upcall_pending);
    EXPECT_EQ(1u, d.info(1).evtchn_pending_sel);
}

TEST_F(EvtchnDelivery, CloseClearsPendingAndReuseStartsClean) {
    uint32_t p = ipi(0);
    ASSERT_TRUE(core::evtchn_send(c, p).is_ok());
    ASSERT_TRUE(core::evtchn_close(c, p).is_ok());
    EXPECT_FALSE(core::evtchn_is_pending(d.table, p));
    uint32_t q = ipi(1);
    EXPECT_EQ(p, q);
    EXPECT_FALSE(core::evtchn_is_pending(d.table, q));
}

TEST_F(EvtchnDelivery, KickWakesABlockedVcpu) {
    uint32_t p = ipi(1);
    d.vcpus[1].state = core::VcpuState::blocked;
    ASSERT_TRUE(core::evtchn_send(c, p).is_ok());
    EXPECT_EQ(core::VcpuState::runnable, d.vcpus[1].state);
}

}  // namespace
