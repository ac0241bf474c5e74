// The guest side of the event delivery protocol (SPEC.md section 7; the
// hypervisor's half is in hypervisor/core/include/core/evtchn_pending.h):
// the handler slots and the two-level scan (the upcall's own copy of it is
// in event_entry.S), per-port mask and unmask, the vCPU-wide event mask
// (irq_*) and waiting by blocking.
#include <pvisor/event_channel.h>
#include <pvisor/hypercall_stubs.h>
#include <pvisor/sched.h>
#include <pvisor/shared_info.h>
#include <pvisor/version.h>

#include <stddef.h>

#include "events_pv.h"
#include "pv.h"
#include "pv_abi_asm.h"

struct PvkEventSlot {
    pvk::events::Handler handler;
    void* arg;
};

// The handler slots and statistics, with C names for the upcall's scan in
// event_entry.S. Written with events masked (bindings) and read by the
// upcall, which runs with events masked on this one vCPU: no further
// locking.
extern "C" {
constinit PvkEventSlot pvk_pv_event_slots[pvk::events::max_ports] = {};
constinit pvk::events::Stats pvk_pv_event_stats = {};
}

// What event_entry.S assumes (pv_abi_asm.h).
static_assert(PVK_PV_SI_UPCALL_PENDING == offsetof(pv_shared_info, vcpu[0].upcall_pending) &&
              PVK_PV_SI_UPCALL_MASK == offsetof(pv_shared_info, vcpu[0].upcall_mask) &&
              PVK_PV_SI_PENDING_SEL == offsetof(pv_shared_info, vcpu[0].evtchn_pending_sel) &&
              PVK_PV_SI_EVTCHN_PENDING == offsetof(pv_shared_info, evtchn_pending) &&
              PVK_PV_SI_EVTCHN_MASK == offsetof(pv_shared_info, evtchn_mask));
static_assert(PVK_PV_EVENT_MAX_PORTS == pvk::events::max_ports &&
              sizeof(PvkEventSlot) == size_t{1} << PVK_PV_EVENT_SLOT_SHIFT && offsetof(PvkEventSlot, arg) == 8);
static_assert(PVK_PV_EVENT_STATS_UPCALLS == offsetof(pvk::events::Stats, upcalls) &&
              PVK_PV_EVENT_STATS_HANDLED == offsetof(pvk::events::Stats, handled) &&
              PVK_PV_EVENT_STATS_UNHANDLED == offsetof(pvk::events::Stats, unhandled));

namespace pvk::events {
namespace {

using Slot = PvkEventSlot;
auto& g_slots = pvk_pv_event_slots;
auto& g_stats = pvk_pv_event_stats;

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
// events masked, for dispatch_pending; the upcall itself runs the same
// steps in assembly (event_entry.S). Returns the number of ports found pending.
//
// Each word is read again after every handler rather than walked from one
// snapshot: a bit that was set meanwhile is handled now instead of by the
// next upcall (its selector bit and upcall_pending are set again, so that
// scan finds nothing more, which is harmless), and the loop keeps only the
// selector and the word index across the handler calls.
uint32_t scan() {
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
