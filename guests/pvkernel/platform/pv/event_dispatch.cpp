// The guest side of the event delivery protocol (SPEC.md section 7; the
// hypervisor's half is in hypervisor/core/include/core/evtchn_pending.h):
// the handler slots (the two-level scan that calls them is in
// event_entry.S), per-port mask and unmask, the vCPU-wide event mask
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
// The scan (event_entry.S), with events masked: the ports found pending.
uint32_t pvk_pv_event_scan();
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

// The shared page's words, for atomic read-modify-writes (the hypervisor
// writes them concurrently). SAFETY (both): pointers into the shared page,
// mapped for the domain's lifetime; the __atomic builtins take volatile.
volatile uint64_t* pending_word(uint32_t w) { return &pv::shared_info().evtchn_pending[w]; }
volatile uint64_t* mask_word(uint32_t w) { return &pv::shared_info().evtchn_mask[w]; }

}  // namespace

void pv_detail::force_upcall() { pv_version(PV_VERSIONOP_version, nullptr); }

bool supported() { return true; }

const Stats& stats() { return g_stats; }

uint32_t dispatch_pending() {
    uint32_t n = pvk_pv_event_scan();
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
