// The event-channel operations: port states, both ends of a channel, and
// every refusal with its error, checking that a refused call changes
// nothing.
#include <gtest/gtest.h>

#include <cstring>

#include "core/evtchn.h"
#include "evtchn_world.h"

using core::PortState;
using kstd::Error;

namespace {

class EvtchnOps : public ::testing::Test {
protected:
    evtest::World w;
    evtest::TestDomain& d0 = w.add(2, 64, true);   // dom0, privileged
    evtest::TestDomain& d1 = w.add(2, 64, false);
    evtest::TestDomain& d2 = w.add(1, 16, false);
    core::EvtchnCaller c0 = w.caller(0);
    core::EvtchnCaller c1 = w.caller(1);
    core::EvtchnCaller c2 = w.caller(2);

    // A snapshot of every table and shared page, to prove "nothing changed".
    std::vector<uint8_t> snapshot() {
        std::vector<uint8_t> out;
        for (auto& d : w.doms) {
            auto* p = reinterpret_cast<const uint8_t*>(d->ports.data());
            out.insert(out.end(), p, p + d->ports.size() * sizeof(core::Port));
            auto* s = reinterpret_cast<const uint8_t*>(d->shared.get());
            out.insert(out.end(), s, s + sizeof(pv_shared_info));
            for (uint32_t v = 0; v < d->domain.vcpu_count; ++v) {
                auto& ev = d->table.events(v);
                auto* e = reinterpret_cast<const uint8_t*>(&ev);
                out.insert(out.end(), e, e + sizeof ev);
            }
        }
        return out;
    }

    // Offers a port of `from` to `to` and binds it; returns {from port, to port}.
    std::pair<uint32_t, uint32_t> connect(uint32_t from, uint32_t to) {
        auto c = w.caller(from);
        auto a = core::evtchn_alloc_unbound(c, PV_DOMID_SELF, to);
        EXPECT_TRUE(a.is_ok());
        auto ct = w.caller(to);
        auto b = core::evtchn_bind_interdomain(ct, from, a.value());
        EXPECT_TRUE(b.is_ok());
        return {a.value(), b.value()};
    }
};

#define EXPECT_ERR(expected, expr)                       \
    do {                                                 \
        auto before_ = snapshot();                       \
        auto r_ = (expr);                                \
        ASSERT_TRUE(r_.is_error());                      \
        EXPECT_EQ(expected, r_.error());                 \
        EXPECT_EQ(before_, snapshot()) << "changed: " #expr; \
    } while (0)

TEST_F(EvtchnOps, InitRejectsBadCapacity) {
    core::EvtchnTable t;
    core::Port one[1];
    EXPECT_TRUE(t.init(d1.domain, kstd::span<core::Port>(one, 1)).is_error());
    std::vector<core::Port> big(PV_EVTCHN_MAX_PORTS + 1);
    EXPECT_TRUE(t.init(d1.domain, kstd::span<core::Port>(big.data(), big.size())).is_error());
    std::vector<core::Port> max(PV_EVTCHN_MAX_PORTS);
    EXPECT_TRUE(t.init(d1.domain, kstd::span<core::Port>(max.data(), max.size())).is_ok());
    EXPECT_EQ(PV_EVTCHN_MAX_PORTS, t.capacity());
}

TEST_F(EvtchnOps, AllocUnboundStartsAtPortOne) {
    auto r = core::evtchn_alloc_unbound(c1, PV_DOMID_SELF, 0);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(1u, r.value());
    EXPECT_EQ(PortState::unbound, d1.table.port(1).state);
    EXPECT_EQ(0u, d1.table.port(1).remote_dom);
    auto st = core::evtchn_status(c1, PV_DOMID_SELF, 1);
    ASSERT_TRUE(st.is_ok());
    EXPECT_EQ(PV_EVTCHNSTAT_unbound, st.value().status);
    EXPECT_EQ(0u, st.value().remote_dom);
    // PV_DOMID_SELF as the remote means the caller.
    auto s = core::evtchn_alloc_unbound(c1, 1, PV_DOMID_SELF);
    ASSERT_TRUE(s.is_ok());
    EXPECT_EQ(1u, d1.table.port(s.value()).remote_dom);
}

TEST_F(EvtchnOps, InterdomainBindConnectsBothEnds) {
    auto [p1, p0] = connect(1, 0);
    EXPECT_EQ(PortState::interdomain, d1.table.port(p1).state);
    EXPECT_EQ(PortState::interdomain, d0.table.port(p0).state);
    EXPECT_EQ(0u, d1.table.port(p1).remote_dom);
    EXPECT_EQ(p0, d1.table.port(p1).remote_port);
    EXPECT_EQ(1u, d0.table.port(p0).remote_dom);
    EXPECT_EQ(p1, d0.table.port(p0).remote_port);
    // The binder's port starts pending: sends while unbound were dropped.
    EXPECT_TRUE(core::evtchn_is_pending(d0.table, p0));
    auto st = core::evtchn_status(c0, PV_DOMID_SELF, p0);
    ASSERT_TRUE(st.is_ok());
    EXPECT_EQ(PV_EVTCHNSTAT_interdomain, st.value().status);
    EXPECT_EQ(1u, st.value().remote_dom);
    EXPECT_EQ(p1, st.value().remote_port);
}

TEST_F(EvtchnOps, SendReachesThePeer) {
    auto [p1, p0] = connect(1, 0);
    core::evtchn_clear_pending(d0.table, p0);
    ASSERT_TRUE(core::evtchn_send(c1, p1).is_ok());
    EXPECT_TRUE(core::evtchn_is_pending(d0.table, p0));
    EXPECT_FALSE(core::evtchn_is_pending(d1.table, p1));
    ASSERT_TRUE(core::evtchn_send(c0, p0).is_ok());
    EXPECT_TRUE(core::evtchn_is_pending(d1.table, p1));
}

TEST_F(EvtchnOps, LoopbackChannelWithinOneDomain) {
    auto a = core::evtchn_alloc_unbound(c1, PV_DOMID_SELF, PV_DOMID_SELF);
    ASSERT_TRUE(a.is_ok());
    auto b = core::evtchn_bind_interdomain(c1, PV_DOMID_SELF, a.value());
    ASSERT_TRUE(b.is_ok());
    EXPECT_NE(a.value(), b.value());
    core::evtchn_clear_pending(d1.table, b.value());
    ASSERT_TRUE(core::evtchn_send(c1, a.value()).is_ok());
    EXPECT_TRUE(core::evtchn_is_pending(d1.table, b.value()));
    ASSERT_TRUE(core::evtchn_close(c1, b.value()).is_ok());
    EXPECT_EQ(PortState::unbound, d1.table.port(a.value()).state);
    EXPECT_EQ(1u, d1.table.port(a.value()).remote_dom);
}

TEST_F(EvtchnOps, ClosingOneEndReturnsThePeerToUnbound) {
    auto [p1, p0] = connect(1, 0);
    ASSERT_TRUE(core::evtchn_close(c0, p0).is_ok());
    EXPECT_EQ(PortState::free, d0.table.port(p0).state);
    EXPECT_FALSE(core::evtchn_is_pending(d0.table, p0));
    EXPECT_EQ(PortState::unbound, d1.table.port(p1).state);
    EXPECT_EQ(0u, d1.table.port(p1).remote_dom);  // offered to the closer again
    // Sending on the unbound end succeeds and goes nowhere.
    EXPECT_TRUE(core::evtchn_send(c1, p1).is_ok());
    // The closer can bind it again.
    auto again = core::evtchn_bind_interdomain(c0, 1, p1);
    ASSERT_TRUE(again.is_ok());
    EXPECT_EQ(PortState::interdomain, d1.table.port(p1).state);
    EXPECT_EQ(again.value(), d1.table.port(p1).remote_port);
}

TEST_F(EvtchnOps, CloseAllWhenADomainDies) {
    auto [p1, p0] = connect(1, 0);
    auto [q1, q2] = connect(1, 2);
    ASSERT_TRUE(core::evtchn_bind_ipi(c1, 1).is_ok());
    core::evtchn_close_all(d1.table);
    for (uint32_t p = 0; p < d1.table.capacity(); ++p) EXPECT_EQ(PortState::free, d1.table.port(p).state);
    EXPECT_EQ(PortState::unbound, d0.table.port(p0).state);
    EXPECT_EQ(PortState::unbound, d2.table.port(q2).state);
    EXPECT_EQ(1u, d2.table.port(q2).remote_dom);
    // Unbound ends keep no pointer to the table that went away, and a send
    // on them is dropped.
    EXPECT_EQ(nullptr, d0.table.port(p0).peer);
    EXPECT_EQ(nullptr, d2.table.port(q2).peer);
    EXPECT_TRUE(core::evtchn_send(c0, p0).is_ok());
    EXPECT_FALSE(core::evtchn_is_pending(d1.table, p1));
    (void)p1;
    (void)q1;
}

TEST_F(EvtchnOps, VirqAndIpiBindings) {
    auto t0 = core::evtchn_bind_virq(c1, PV_VIRQ_TIMER, 0);
    auto t1 = core::evtchn_bind_virq(c1, PV_VIRQ_TIMER, 1);
    ASSERT_TRUE(t0.is_ok());
    ASSERT_TRUE(t1.is_ok());
    EXPECT_EQ(t0.value(), d1.table.events(0).virq_port[PV_VIRQ_TIMER]);
    EXPECT_EQ(t1.value(), d1.table.events(1).virq_port[PV_VIRQ_TIMER]);
    EXPECT_TRUE(core::evtchn_raise_virq(d1.table, w, 1, PV_VIRQ_TIMER));
    EXPECT_TRUE(core::evtchn_is_pending(d1.table, t1.value()));
    EXPECT_FALSE(core::evtchn_is_pending(d1.table, t0.value()));
    EXPECT_FALSE(core::evtchn_raise_virq(d2.table, w, 0, PV_VIRQ_TIMER));  // not bound: dropped
    auto st = core::evtchn_status(c1, PV_DOMID_SELF, t1.value());
    ASSERT_TRUE(st.is_ok());
    EXPECT_EQ(PV_EVTCHNSTAT_virq, st.value().status);
    EXPECT_EQ(PV_VIRQ_TIMER, st.value().virq);
    EXPECT_EQ(1u, st.value().vcpu);
    // Closing frees the VIRQ for binding again.
    ASSERT_TRUE(core::evtchn_close(c1, t1.value()).is_ok());
    EXPECT_EQ(0u, d1.table.events(1).virq_port[PV_VIRQ_TIMER]);
    EXPECT_TRUE(core::evtchn_bind_virq(c1, PV_VIRQ_TIMER, 1).is_ok());

    auto ipi = core::evtchn_bind_ipi(c1, 1);
    ASSERT_TRUE(ipi.is_ok());
    ASSERT_TRUE(core::evtchn_send(c1, ipi.value()).is_ok());
    EXPECT_TRUE(core::evtchn_is_pending(d1.table, ipi.value()));
    EXPECT_EQ(1u, d1.info(1).upcall_pending);
    EXPECT_EQ(0u, d1.info(0).upcall_pending);
}

TEST_F(EvtchnOps, GlobalVirqsAreForDom0AndMovable) {
    auto con = core::evtchn_bind_virq(c0, PV_VIRQ_CONSOLE, 0);
    auto exc = core::evtchn_bind_virq(c0, PV_VIRQ_DOM_EXC, 0);
    ASSERT_TRUE(con.is_ok());
    ASSERT_TRUE(exc.is_ok());
    ASSERT_TRUE(core::evtchn_bind_vcpu(c0, exc.value(), 1).is_ok());
    EXPECT_TRUE(core::evtchn_raise_global_virq(d0.table, w, PV_VIRQ_DOM_EXC));
    EXPECT_EQ(1u, d0.info(1).upcall_pending);
    EXPECT_EQ(0u, d0.info(0).upcall_pending);
    EXPECT_FALSE(core::evtchn_raise_global_virq(d1.table, w, PV_VIRQ_CONSOLE));
}

// The hypervisor keeps whether dom0 listens to the console from these
// calls (arch/x86_64/sched.cpp): every bind and unbind of a VIRQ reaches
// the table's own sink, after the change; a refused bind does not.
TEST_F(EvtchnOps, VirqBindingChangesReachTheTablesSink) {
    struct Recorder final : core::EventSink {
        std::vector<std::pair<core::EvtchnTable*, uint32_t>> calls;
        std::vector<uint16_t> console_port_seen;
        void kick(core::Vcpu&) override {}
        void virq_binding_changed(core::EvtchnTable& t, uint32_t virq) override {
            calls.push_back({&t, virq});
            console_port_seen.push_back(t.events(0).virq_port[PV_VIRQ_CONSOLE]);
        }
    } rec;
    ASSERT_TRUE(d0.table.init(d0.domain, kstd::span<core::Port>(d0.ports.data(), d0.ports.size()), &rec).is_ok());
    auto con = core::evtchn_bind_virq(c0, PV_VIRQ_CONSOLE, 0);
    ASSERT_TRUE(con.is_ok());
    ASSERT_EQ(1u, rec.calls.size());
    EXPECT_EQ(&d0.table, rec.calls[0].first);
    EXPECT_EQ(uint32_t{PV_VIRQ_CONSOLE}, rec.calls[0].second);
    EXPECT_EQ(con.value(), rec.console_port_seen[0]);
    EXPECT_ERR(Error::exist, core::evtchn_bind_virq(c0, PV_VIRQ_CONSOLE, 0));
    EXPECT_EQ(1u, rec.calls.size());
    ASSERT_TRUE(core::evtchn_close(c0, con.value()).is_ok());
    ASSERT_EQ(2u, rec.calls.size());
    EXPECT_EQ(uint32_t{PV_VIRQ_CONSOLE}, rec.calls[1].second);
    EXPECT_EQ(0u, rec.console_port_seen[1]);
    // Other ports' closes say nothing; a domain's end closes its VIRQs.
    auto ipi = core::evtchn_bind_ipi(c0, 0);
    ASSERT_TRUE(ipi.is_ok());
    ASSERT_TRUE(core::evtchn_close(c0, ipi.value()).is_ok());
    EXPECT_EQ(2u, rec.calls.size());
    ASSERT_TRUE(core::evtchn_bind_virq(c0, PV_VIRQ_TIMER, 1).is_ok());
    ASSERT_TRUE(core::evtchn_bind_virq(c0, PV_VIRQ_CONSOLE, 0).is_ok());
    ASSERT_EQ(4u, rec.calls.size());
    core::evtchn_close_all(d0.table);
    ASSERT_EQ(6u, rec.calls.size());
    EXPECT_EQ(0u, rec.console_port_seen[5]);
}

// ---- Refusals ----

TEST_F(EvtchnOps, BindingAPortNotOfferedToUsIsRefused) {
    auto a = core::evtchn_alloc_unbound(c1, PV_DOMID_SELF, 0);  // offered to dom0
    ASSERT_TRUE(a.is_ok());
    EXPECT_ERR(Error::access, core::evtchn_bind_interdomain(c2, 1, a.value()));
    // A closed port, a port in another state, a port beyond the table,
    // and a domain that does not exist.
    EXPECT_ERR(Error::noent, core::evtchn_bind_interdomain(c2, 1, 5));
    auto ipi = core::evtchn_bind_ipi(c1, 0);
    ASSERT_TRUE(ipi.is_ok());
    EXPECT_ERR(Error::inval, core::evtchn_bind_interdomain(c2, 1, ipi.value()));
    EXPECT_ERR(Error::range, core::evtchn_bind_interdomain(c2, 1, 64));
    EXPECT_ERR(Error::srch, core::evtchn_bind_interdomain(c2, 9, 1));
    // An already connected port cannot be bound a second time.
    auto [p1, p0] = connect(1, 0);
    (void)p0;
    EXPECT_ERR(Error::inval, core::evtchn_bind_interdomain(c0, 1, p1));
}

TEST_F(EvtchnOps, SendingOnAClosedPortIsRefused) {
    EXPECT_ERR(Error::noent, core::evtchn_send(c1, 1));
    auto ipi = core::evtchn_bind_ipi(c1, 0);
    ASSERT_TRUE(ipi.is_ok());
    ASSERT_TRUE(core::evtchn_close(c1, ipi.value()).is_ok());
    EXPECT_ERR(Error::noent, core::evtchn_send(c1, ipi.value()));
    EXPECT_ERR(Error::noent, core::evtchn_close(c1, ipi.value()));
    EXPECT_ERR(Error::noent, core::evtchn_send(c1, 0));  // port 0 is never allocated
    // Only the hypervisor raises VIRQs.
    auto t = core::evtchn_bind_virq(c1, PV_VIRQ_TIMER, 0);
    ASSERT_TRUE(t.is_ok());
    EXPECT_ERR(Error::inval, core::evtchn_send(c1, t.value()));
}

TEST_F(EvtchnOps, PortNumbersBeyondTheMaximumAreRefused) {
    const uint64_t bad[] = {64, 65, PV_EVTCHN_MAX_PORTS, PV_EVTCHN_MAX_PORTS + 1, 0xffffffffull, 0x100000001ull,
                            UINT64_MAX};
    for (uint64_t p : bad) {
        EXPECT_ERR(Error::range, core::evtchn_send(c1, p));
        EXPECT_ERR(Error::range, core::evtchn_close(c1, p));
        EXPECT_ERR(Error::range, core::evtchn_unmask(c1, p));
        EXPECT_ERR(Error::range, core::evtchn_bind_vcpu(c1, p, 0));
        EXPECT_ERR(Error::range, core::evtchn_status(c1, PV_DOMID_SELF, p));
    }
    EXPECT_ERR(Error::range, core::evtchn_send(c2, 16));  // d2 has a smaller table
}

TEST_F(EvtchnOps, BindingAVirqTwiceIsRefused) {
    ASSERT_TRUE(core::evtchn_bind_virq(c1, PV_VIRQ_TIMER, 0).is_ok());
    EXPECT_ERR(Error::exist, core::evtchn_bind_virq(c1, PV_VIRQ_TIMER, 0));
    ASSERT_TRUE(core::evtchn_bind_virq(c0, PV_VIRQ_CONSOLE, 0).is_ok());
    EXPECT_ERR(Error::exist, core::evtchn_bind_virq(c0, PV_VIRQ_CONSOLE, 0));
    // Other VIRQ refusals: unknown or reserved numbers, a vCPU that does
    // not exist, a global VIRQ on another vCPU, dom0's VIRQs elsewhere.
    EXPECT_ERR(Error::inval, core::evtchn_bind_virq(c1, PV_VIRQ_DOM_EXC + 1, 0));
    EXPECT_ERR(Error::inval, core::evtchn_bind_virq(c1, PV_NR_VIRQS, 0));
    EXPECT_ERR(Error::inval, core::evtchn_bind_virq(c1, UINT64_MAX, 0));
    EXPECT_ERR(Error::srch, core::evtchn_bind_virq(c1, PV_VIRQ_TIMER, 2));
    EXPECT_ERR(Error::srch, core::evtchn_bind_virq(c1, PV_VIRQ_TIMER, UINT64_MAX));
    EXPECT_ERR(Error::inval, core::evtchn_bind_virq(c0, PV_VIRQ_DOM_EXC, 1));
    EXPECT_ERR(Error::perm, core::evtchn_bind_virq(c1, PV_VIRQ_CONSOLE, 0));
    EXPECT_ERR(Error::perm, core::evtchn_bind_virq(c1, PV_VIRQ_DOM_EXC, 0));
}

TEST_F(EvtchnOps, UnmaskOfAPortWeDoNotOwnIsRefused) {
    // Port 3 of dom1 exists, but dom2's port 3 is closed: ports are per
    // domain, so dom2 cannot reach dom1's.
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(core::evtchn_bind_ipi(c1, 0).is_ok());
    d2.shared->evtchn_mask[0] = ~uint64_t{0};
    EXPECT_ERR(Error::noent, core::evtchn_unmask(c2, 3));
    EXPECT_ERR(Error::noent, core::evtchn_bind_vcpu(c2, 3, 0));
    EXPECT_ERR(Error::noent, core::evtchn_close(c2, 3));
    EXPECT_EQ(~uint64_t{0}, d2.shared->evtchn_mask[0]);
}

TEST_F(EvtchnOps, NamingAnotherDomainNeedsPrivilege) {
    EXPECT_ERR(Error::perm, core::evtchn_alloc_unbound(c1, 2, 1));
    EXPECT_ERR(Error::perm, core::evtchn_status(c1, 0, 1));
    // dom0 may act for others: set up a channel in dom2 offered to dom1.
    auto a = core::evtchn_alloc_unbound(c0, 2, 1);
    ASSERT_TRUE(a.is_ok());
    EXPECT_EQ(PortState::unbound, d2.table.port(a.value()).state);
    EXPECT_EQ(1u, d2.table.port(a.value()).remote_dom);
    auto st = core::evtchn_status(c0, 2, a.value());
    ASSERT_TRUE(st.is_ok());
    EXPECT_EQ(PV_EVTCHNSTAT_unbound, st.value().status);
    EXPECT_EQ(2u, st.value().dom);
    EXPECT_ERR(Error::srch, core::evtchn_alloc_unbound(c0, 7, 1));
    EXPECT_ERR(Error::srch, core::evtchn_status(c0, 7, 1));
    EXPECT_ERR(Error::inval, core::evtchn_alloc_unbound(c1, PV_DOMID_SELF, PV_DOMID_SELF + 1));
}

TEST_F(EvtchnOps, BindVcpuRules) {
    auto t = core::evtchn_bind_virq(c1, PV_VIRQ_TIMER, 0);
    auto ipi = core::evtchn_bind_ipi(c1, 0);
    auto u = core::evtchn_alloc_unbound(c1, PV_DOMID_SELF, 0);
    ASSERT_TRUE(t.is_ok() && ipi.is_ok() && u.is_ok());
    EXPECT_ERR(Error::inval, core::evtchn_bind_vcpu(c1, t.value(), 1));
    EXPECT_ERR(Error::inval, core::evtchn_bind_vcpu(c1, ipi.value(), 1));
    EXPECT_ERR(Error::srch, core::evtchn_bind_vcpu(c1, u.value(), 2));
    ASSERT_TRUE(core::evtchn_bind_vcpu(c1, u.value(), 1).is_ok());
    EXPECT_EQ(1u, d1.table.port(u.value()).notify_vcpu);
}

TEST_F(EvtchnOps, TableFull) {
    for (uint32_t i = 1; i < 16; ++i) ASSERT_TRUE(core::evtchn_bind_ipi(c2, 0).is_ok());
    EXPECT_ERR(Error::nospc, core::evtchn_bind_ipi(c2, 0));
    EXPECT_ERR(Error::nospc, core::evtchn_alloc_unbound(c2, PV_DOMID_SELF, 1));
    EXPECT_ERR(Error::nospc, core::evtchn_bind_virq(c2, PV_VIRQ_TIMER, 0));
    auto a = core::evtchn_alloc_unbound(c1, PV_DOMID_SELF, 2);
    ASSERT_TRUE(a.is_ok());
    EXPECT_ERR(Error::nospc, core::evtchn_bind_interdomain(c2, 1, a.value()));
    EXPECT_ERR(Error::srch, core::evtchn_bind_ipi(c2, 1));
    // Closing one makes room; the lowest free port is reused.
    ASSERT_TRUE(core::evtchn_close(c2, 7).is_ok());
    auto r = core::evtchn_bind_ipi(c2, 0);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(7u, r.value());
}

TEST_F(EvtchnOps, StatusOfAClosedPortIsNotAnError) {
    auto st = core::evtchn_status(c1, PV_DOMID_SELF, 5);
    ASSERT_TRUE(st.is_ok());
    EXPECT_EQ(PV_EVTCHNSTAT_closed, st.value().status);
    EXPECT_EQ(5u, st.value().port);
}

TEST_F(EvtchnOps, DeadPeerIsNotFound) {
    auto a = core::evtchn_alloc_unbound(c1, PV_DOMID_SELF, 2);
    ASSERT_TRUE(a.is_ok());
    d1.domain.crash("test");
    EXPECT_ERR(Error::srch, core::evtchn_bind_interdomain(c2, 1, a.value()));
}

}  // namespace
