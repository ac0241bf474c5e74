// The event delivery protocol on the shared page: how a pending port
// reaches a vCPU's upcall. The hypervisor and the guest write the same
// words concurrently (with more than one physical CPU, other vCPUs of the
// domain run while the hypervisor delivers), so every hypervisor write is
// an atomic read-modify-write and the orderings below are part of the ABI.
//
// ---- Protocol (to be copied into SPEC.md, section 7) ----
//
// Words: P = evtchn_pending[], M = evtchn_mask[] (per domain); for each
// vCPU, S = evtchn_pending_sel, U = upcall_pending, K = upcall_mask.
// Port p lives in word p / 64, bit p % 64. Each port notifies one vCPU.
//
// Hypervisor, to make port p pending for vCPU v ("set pending"):
//   1. test-and-set P[p]. If it was already set, stop: the event is
//      coalesced with the one still pending.
//   2. if M[p] is set, stop: the port is masked; it stays pending.
//   3. test-and-set bit p/64 of S(v). If it was already set, stop: the
//      guest has not yet consumed that word and will see P[p] when it does.
//   4. test-and-set U(v). If it went 0 -> 1, kick v: wake it if it is
//      blocked or polling, interrupt it if it runs on another CPU.
//   Whenever step 1 found the bit clear, vCPUs polling p are woken too,
//   whatever the mask.
//
// Hypervisor, on every return to a guest vCPU: if U is set and K is clear
// and an event callback is registered, deliver an upcall (a PV_FRAME_EVENT
// frame, vector PV_VECTOR_EVENT) and set K, like an interrupt gate.
//
// Guest, in its upcall handler (K is set):
//   1. U = 0.
//   2. sel = atomic exchange(S, 0).
//   3. for each bit w of sel: bits = P[w] & ~M[w]; for each bit b of bits:
//      atomically clear P[w] bit b, then handle port w*64+b.
//   4. if U is set again, go back to 1; otherwise iret (which restores K).
//
// Guest, to unmask port p: atomically clear M[p] (a locked instruction,
// which is also a full barrier on x86), then read P[p]; if it is set, make
// the unmask hypercall (or do steps 3-4 of "set pending" itself on the vCPU
// it runs on). The hypervisor's unmask clears M[p] and, if P[p] is set,
// does steps 3-4 for the port's vCPU.
//
// Guest, to re-enable events (K = 0, the virtual sti): store 0 to K, then
// read U; if U is set, make any hypercall (the cheapest is version) so
// that the return to the guest delivers the pending upcall.
//
// Why this order is safe:
//  - Pending before mask (set pending) against mask before pending (guest
//    unmask) is a store-buffering pattern: each side stores one word and
//    loads the other. Both sides use a full barrier between the store and
//    the load (the hypervisor a sequentially consistent RMW on P and a
//    sequentially consistent load of M; the guest a locked RMW on M), so at
//    least one side sees the other's store: either the hypervisor sees the
//    mask clear and raises S/U, or the guest sees P set and asks for the
//    unmask hypercall. Both may happen; the second upcall then finds no
//    new bits, which is harmless.
//  - S is set before U. The guest clears U before it exchanges S. If the
//    hypervisor set U first, a guest could take the upcall, clear U,
//    exchange S while it is still 0 and return; the hypervisor's later S
//    bit would then sit there with U already set once and not set again:
//    a lost event. Setting S first means any guest that observes U = 1
//    and clears it finds S's bit afterwards; if the guest cleared U before
//    the hypervisor set it, the hypervisor's step 4 raises a new upcall.
//  - Step 3 stopping when the S bit was already set is safe for the same
//    reason: the guest's exchange of S, which comes after our set of P
//    (acquire/release through S), is still ahead, and the read of P[w]
//    after it sees our bit.
//  - Re-enabling events needs only a compiler barrier in the guest: if the
//    guest's read of U passes its store to K and misses a U set by another
//    CPU, that CPU's kick (which is sent on every U 0 -> 1, whatever K is)
//    interrupts this vCPU, and its return to the guest then sees K clear.
//  - Blocking (core/evtchn_wait.h) marks the vCPU blocked before it reads
//    U, and the kicker sets U before it reads the blocked state: again both
//    sides have a full barrier between their store and load, so a wakeup
//    is never lost.
//
// ---- end of protocol ----
#pragma once

#include <stdint.h>

#include "core/evtchn.h"
#include "core/vcpu.h"

namespace core {

// Steps 1-4 of "set pending" for port p (already validated and bound) of
// table t, plus the wakeup of pollers. Returns true if P[p] went 0 -> 1.
// Inline (below): it is most of every send.
inline bool evtchn_set_pending(EvtchnTable& t, EventSink& sink, uint32_t p);

// The hypervisor's unmask of port p (validated): clear M[p] and, if P[p]
// is set, propagate it to the port's vCPU (steps 3-4).
void evtchn_unmask_port(EvtchnTable& t, EventSink& sink, uint32_t p);

// Steps 3-4 alone, for a pending, unmasked port whose vCPU changed.
void evtchn_notify(EvtchnTable& t, EventSink& sink, uint32_t p);

// Clears P[p], for a port being closed or reallocated.
void evtchn_clear_pending(EvtchnTable& t, uint32_t p);

// Whether a port's bits are set (for status, poll and tests).
bool evtchn_is_pending(const EvtchnTable& t, uint32_t p);
bool evtchn_is_masked(const EvtchnTable& t, uint32_t p);

// The decision on return to the guest: an upcall is pending and the vCPU
// does not hold events back.
bool should_deliver_upcall(const Vcpu& v);

namespace evtchn_detail {

// A sequentially consistent test-and-set of one bit: a locked instruction
// on x86, a full barrier, which the store-buffering patterns above need.
// SAFETY: the words are in a domain's shared page, mapped for the domain's
// whole life; the guest writes them concurrently, hence the atomics.
inline bool test_and_set(uint64_t& word, uint32_t bit) {
#if defined(__x86_64__)
    // One lock bts (compilers turn a fetch_or of a variable bit into a
    // cmpxchg loop).
    bool was;
    asm volatile("lock btsq %q[bit], %[word]" : [word] "+m"(word), "=@ccc"(was) : [bit] "r"(uint64_t{bit}) : "memory");
    return was;
#else
    uint64_t b = uint64_t{1} << bit;
    return (__atomic_fetch_or(&word, b, __ATOMIC_SEQ_CST) & b) != 0;
#endif
}

// Wakes the vCPUs polling p (evtchn_pending.cpp).
void wake_pollers(EvtchnTable& t, EventSink& sink, uint32_t p);

// Kicks v (step 4). In the hypervisor every table's sink is arch's one
// (arch/x86_64/sched.cpp), whose kick wakes v if it is blocked and does
// nothing else (one CPU: a vCPU that is not blocked sees its upcall on its
// way back to the guest), so the kick is that wake, called directly and
// only for a blocked vCPU. Elsewhere (tests) the sink's kick.
[[gnu::always_inline]] inline void kick(EventSink& sink, Vcpu& v) {
#if PVISOR_HYPERVISOR
    (void)sink;
    if (v.state == VcpuState::blocked) hv_wake_blocked(v);
#else
    sink.kick(v);
#endif
}

// Steps 2-4 for port p of table t, whose P bit just went 0 -> 1; the kick
// is the last thing it does. d and s are t's domain and shared page, read
// by the caller before its lock bts (whose memory clobber would otherwise
// make them read again).
[[gnu::always_inline]] inline void notify_new(EvtchnTable& t, const Domain& d, pv_shared_info& s, EventSink& sink,
                                              uint32_t p) {
    const uint32_t w = p / 64, b = p % 64;
    // 2: a masked port stays pending. The lock bts that set P was the full
    // barrier between the store to P and this load of M.
    if ((__atomic_load_n(&s.evtchn_mask[w], __ATOMIC_SEQ_CST) >> b & 1) != 0) return;
    // t.vcpu(notify_vcpu), from d.
    const uint32_t id = t.port(p).notify_vcpu;
    Vcpu* v = id < d.vcpu_count ? d.vcpus[id] : nullptr;
    if (v == nullptr) return;
    pv_vcpu_info* info = v->info;
    // 3 and 4: S before U; kick on U 0 -> 1.
    if (info != nullptr && !test_and_set(info->evtchn_pending_sel, w) &&
        __atomic_exchange_n(&info->upcall_pending, uint8_t{1}, __ATOMIC_SEQ_CST) == 0)
        kick(sink, *v);
}

// With vCPUs polling: wakes those polling p, then notify_new.
void wake_pollers_and_notify(EvtchnTable& t, EventSink& sink, uint32_t p);

}  // namespace evtchn_detail

inline bool evtchn_set_pending(EvtchnTable& t, EventSink& sink, uint32_t p) {
    const Domain& d = t.domain();
    pv_shared_info& s = *d.shared;
    if (evtchn_detail::test_and_set(s.evtchn_pending[p / 64], p % 64)) return false;  // 1: coalesced
    // Pollers are woken whatever the mask (they look at P, which is set),
    // before the rest, so that the common case ends with the kick and
    // keeps nothing across a call.
    if (__atomic_load_n(&t.poll_mask, __ATOMIC_SEQ_CST) != 0) [[unlikely]]
        evtchn_detail::wake_pollers_and_notify(t, sink, p);
    else
        evtchn_detail::notify_new(t, d, s, sink, p);
    return true;
}

// The port a send takes inline: port, if it is in range and interdomain;
// otherwise null (evtchn_send_other decides). The peer's table is live
// while the port is interdomain (a peer that ends closes its ports, which
// makes ours unbound), and binding checked remote_port against it.
inline const Port* evtchn_interdomain_port(const EvtchnTable& self, uint64_t port) {
    if (!self.in_range(port)) [[unlikely]]
        return nullptr;
    const Port& local = self.port(static_cast<uint32_t>(port));
    return local.state == PortState::interdomain ? &local : nullptr;
}

inline kstd::Result<void> evtchn_send(EvtchnTable& self, EventSink& sink, uint64_t port) {
    // The notification path, tested first.
    if (const Port* local = evtchn_interdomain_port(self, port)) [[likely]] {
        evtchn_set_pending(*local->peer, sink, local->remote_port);
        return kstd::ok();
    }
    if (!self.in_range(port)) return kstd::Error::range;
    return evtchn_send_other(self, sink, static_cast<uint32_t>(port));
}

}  // namespace core
