// The shared-page side of event delivery; core/evtchn_pending.h gives the
// protocol and the reasons for each ordering.
#include "core/evtchn_pending.h"

namespace core {
namespace {

constexpr uint32_t word_of(uint32_t p) { return p / 64; }
constexpr uint64_t bit_of(uint32_t p) { return uint64_t{1} << (p % 64); }

using evtchn_detail::test_and_set;

// Sequentially consistent: a locked instruction, a full barrier.
// SAFETY (both): words of the domain's shared page, as test_and_set.
void clear(uint64_t& word, uint64_t bit) { __atomic_fetch_and(&word, ~bit, __ATOMIC_SEQ_CST); }

bool test(const uint64_t& word, uint64_t bit) { return (__atomic_load_n(&word, __ATOMIC_SEQ_CST) & bit) != 0; }

// Steps 3 and 4: the selector bit of p's word, then upcall_pending.
[[gnu::always_inline]] inline void propagate(EventSink& sink, Vcpu& v, uint32_t p) {
    pv_vcpu_info& info = *v.info;
    if (test_and_set(info.evtchn_pending_sel, word_of(p))) return;
    if (__atomic_exchange_n(&info.upcall_pending, uint8_t{1}, __ATOMIC_SEQ_CST) != 0) return;
    sink.kick(v);
}

}  // namespace

// Wakes the vCPUs polling p (or polling several ports, any of which may be
// p). Runs after P[p] was set with a full barrier; poll sets its poll_mask
// bit before it reads P, so one of the two sees the other.
void evtchn_detail::wake_pollers(EvtchnTable& t, EventSink& sink, uint32_t p) {
    uint32_t mask = __atomic_load_n(&t.poll_mask, __ATOMIC_SEQ_CST);
    while (mask != 0) {
        uint32_t i = static_cast<uint32_t>(__builtin_ctz(mask));
        mask &= mask - 1;
        VcpuEvents& ev = t.events(i);
        if (ev.poll_port != 0 && ev.poll_port != p) continue;
        __atomic_fetch_and(&t.poll_mask, ~(uint32_t{1} << i), __ATOMIC_SEQ_CST);
        ev.poll_port = 0;
        if (Vcpu* v = t.vcpu(i)) sink.kick(*v);
    }
}

void evtchn_detail::wake_pollers_and_notify(EvtchnTable& t, EventSink& sink, uint32_t p) {
    wake_pollers(t, sink, p);
    notify_new(t, t.domain(), t.shared(), sink, p);
}

void evtchn_unmask_port(EvtchnTable& t, EventSink& sink, uint32_t p) {
    pv_shared_info& s = t.shared();
    clear(s.evtchn_mask[word_of(p)], bit_of(p));
    if (test(s.evtchn_pending[word_of(p)], bit_of(p))) evtchn_notify(t, sink, p);
}

void evtchn_notify(EvtchnTable& t, EventSink& sink, uint32_t p) {
    Vcpu* v = t.vcpu(t.port(p).notify_vcpu);
    if (v != nullptr && v->info != nullptr) propagate(sink, *v, p);
}

void evtchn_clear_pending(EvtchnTable& t, uint32_t p) { clear(t.shared().evtchn_pending[word_of(p)], bit_of(p)); }

bool evtchn_is_pending(const EvtchnTable& t, uint32_t p) { return test(t.shared().evtchn_pending[word_of(p)], bit_of(p)); }

bool evtchn_is_masked(const EvtchnTable& t, uint32_t p) { return test(t.shared().evtchn_mask[word_of(p)], bit_of(p)); }

bool should_deliver_upcall(const Vcpu& v) {
    if (v.info == nullptr) return false;
    // Relaxed loads suffice: this runs on the vCPU's own CPU on the way
    // back to it, after the kick (an interrupt, which serialises) if the
    // pending flag came from elsewhere.
    return __atomic_load_n(&v.info->upcall_pending, __ATOMIC_RELAXED) != 0 &&
           __atomic_load_n(&v.info->upcall_mask, __ATOMIC_RELAXED) == 0;
}

}  // namespace core
