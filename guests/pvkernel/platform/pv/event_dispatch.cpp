// The guest side of the event delivery protocol (SPEC.md section 7; the
// hypervisor's half is in hypervisor/core/include/core/evtchn_pending.h):
// the upcall's two-level scan, per-port mask and unmask, the vCPU-wide
// event mask (irq_*) and waiting by blocking.
#include <pvisor/event_channel.h>
#include <pvisor/hypercall_stubs.h>
#include <pvisor/sched.h>
#include <pvisor/shared_info.h>
#include <pvisor/version.h>

#include "events_pv.h"
#include "pv.h"

namespace pvk::events {
namespace {

struct Slot {
    Handler handler;
    void* arg;
};

// Written with events masked (bindings) and read by the upcall, which
// runs with events masked on this one vCPU: no further locking.
constinit Slot g_slots[max_ports] = {};
constinit Stats g_stats = {};

constexpr uint64_t rflags_if = uint64_t{1} << 9;

// Only vCPU 0 exists today.
volatile pv_vcpu_info& vcpu() { return pv::shared_info().vcpu[0]; }

// The shared page's words, for atomic read-modify-writes (the hypervisor
// writes them concurrently). SAFETY (both): pointers into the shared page,
// mapped for the domain's lifetime; the __atomic builtins take volatile.
volatile uint64_t* pending_word(uint32_t w) { return &pv::shared_info().evtchn_pending[w]; }
volatile uint64_t* mask_word(uint32_t w) { return &pv::shared_info().evtchn_mask[w]; }

void dispatch(Port p) {
    Slot s = p < max_ports ? g_slots[p] : Slot{};
    if (s.handler == nullptr) {
        ++g_stats.unhandled;
        return;
    }
    ++g_stats.handled;
    s.handler(p, s.arg);
}

// Atomically clears bit b of a word of the shared page and says whether it
// was set (one lock btr: a full barrier, like the hypervisor's lock bts).
// SAFETY: word points into the shared page, as pending_word.
bool test_and_clear(volatile uint64_t* word, uint32_t b) {
    bool was;
    asm volatile("lock btrq %q[b], %[w]" : [w] "+m"(*word), "=@ccc"(was) : [b] "r"(uint64_t{b}) : "memory");
    return was;
}

// The scan of the upcall (protocol "Guest, in its upcall handler"), with
// events masked. Returns the number of ports found pending.
//
// Each word is read again after every handler rather than walked from one
// snapshot: a bit that was set meanwhile is handled now instead of by the
// next upcall (its selector bit and upcall_pending are set again, so that
// scan finds nothing more, which is harmless), and the loop keeps only the
// selector and the word index across the handler calls.
[[gnu::always_inline]] inline uint32_t scan() {
    volatile pv_vcpu_info& vi = vcpu();
    uint32_t found = 0;
    do {
        vi.upcall_pending = 0;
        // The exchange is a full barrier: the words it names are read after
        // the hypervisor's writes that set their selector bits.
        uint64_t sel = __atomic_exchange_n(&vi.evtchn_pending_sel, uint64_t{0}, __ATOMIC_SEQ_CST);
        while (sel != 0) {
            uint32_t w = static_cast<uint32_t>(__builtin_ctzll(sel));
            sel &= sel - 1;
            for (;;) {
                volatile pv_shared_info& sh = pv::shared_info();
                uint64_t bits = __atomic_load_n(&sh.evtchn_pending[w], __ATOMIC_ACQUIRE) &
                                ~__atomic_load_n(&sh.evtchn_mask[w], __ATOMIC_ACQUIRE);
                if (bits == 0) break;
                uint32_t b = static_cast<uint32_t>(__builtin_ctzll(bits));
                // Cleared before the handler runs: an event raised while it
                // runs sets the bit again and is seen by the next read.
                if (!test_and_clear(&sh.evtchn_pending[w], b)) continue;
                ++found;
                dispatch(w * 64 + b);
            }
        }
    } while (__atomic_load_n(&vi.upcall_pending, __ATOMIC_SEQ_CST) != 0);
    return found;
}

}  // namespace

void pv_detail::force_upcall() { pv_version(PV_VERSIONOP_version, nullptr); }

bool supported() { return true; }

const Stats& stats() { return g_stats; }

uint32_t dispatch_pending() {
    uint32_t n = scan();
    if (n != 0) ++g_stats.upcalls;
    return n;
}

void mask(Port p) { __atomic_fetch_or(mask_word(p / 64), uint64_t{1} << (p % 64), __ATOMIC_SEQ_CST); }

void unmask(Port p) {
    // The locked and is the full barrier the protocol needs between the
    // store to the mask and the load of the pending bit.
    __atomic_fetch_and(mask_word(p / 64), ~(uint64_t{1} << (p % 64)), __ATOMIC_SEQ_CST);
    if (is_pending(p)) (void)pv_event_channel_op(PV_EVTCHNOP_unmask, p);
}

bool is_pending(Port p) { return (__atomic_load_n(pending_word(p / 64), __ATOMIC_SEQ_CST) >> (p % 64) & 1) != 0; }

void clear_pending(Port p) { __atomic_fetch_and(pending_word(p / 64), ~(uint64_t{1} << (p % 64)), __ATOMIC_SEQ_CST); }

}  // namespace pvk::events

namespace pvk::pv {

void set_port_handler(events::Port p, events::Handler h, void* arg) { events::g_slots[p] = {h, arg}; }

}  // namespace pvk::pv

extern "C" bool pvk_pv_event_upcall(pvk::TrapFrame* frame) {
    using namespace pvk::events;
    ++g_stats.upcalls;
    for (;;) {
        (void)scan();
        // Only the iret hypercall returns to user mode.
        if ((frame->flags & PV_FRAME_FROM_USER) != 0) return false;
        // Events were masked where the upcall came in: iretq leaves the
        // mask set, as the iret hypercall would.
        if ((frame->rflags & rflags_if) == 0) return true;
        // Re-enable events as SPEC.md section 7 says (store K = 0, then
        // read U), and resume with a native iretq instead of the iret
        // hypercall. An event that arrives after this read comes with a
        // hypervisor entry, whose return sees K clear and delivers it on top
        // of the rest of this path.
        volatile pv_vcpu_info& vi = vcpu();
        vi.upcall_mask = 0;
        asm volatile("" ::: "memory");
        if (vi.upcall_pending == 0) return true;
        // One came in already: handle it here rather than by a hypercall.
        vi.upcall_mask = 1;
        asm volatile("" ::: "memory");
    }
}
