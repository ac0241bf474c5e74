// Racing page-table updates from two vCPUs of one domain (module option
// vcpus=2), on one frame F and one L1 entry E:
//
//   vCPU 0, round after round: map F writable at E (mmu_update), then
//           clear E;
//   vCPU 1, round after round: pin F as an L1 table (mmuext_op), then
//           unpin it.
//
// A frame is writable-mapped or a page table, never both (SPEC.md section
// 6), so whichever comes second while the other holds must be refused with
// PV_EBUSY, and whatever succeeds must be undoable; a success while the
// other side holds its role (its flag says so) is the invariant broken.
// Each vCPU holds its role at a different rhythm until the other has tried
// once, and otherwise runs on, preempted by time slices at arbitrary points
// between hypercalls, so the rounds interleave in many orders; the test
// fails unless both sides saw both outcomes. At the
// end F must be exactly as free as before: pinnable, mappable, and given
// back to the hypervisor (no reference or type count leaked).
//
// pvisor runs the vCPUs of a domain on one physical CPU today and a
// hypercall is not preempted, so the interleaving is at hypercall
// granularity; with more physical CPUs the same test races in earnest.
#include <pvisor/sched.h>
#include <pvisor/vcpu.h>

#include "gt.h"
#include "gt_mm.h"
#include "pvk/kprintf.h"

const char test_title[] = "attack";

namespace {

using namespace gt::mm;

constexpr uint64_t rounds = 3000;
constexpr unsigned entry_index = 400;  // unused in the L1 that maps the user region

struct Side {
    volatile uint64_t attempts, done_ok, refused, unexpected, both;
    volatile int64_t first_unexpected_rc;
    // Set once the operation has succeeded, cleared just before it is
    // undone: while set, the frame certainly holds this side's role.
    volatile bool held;
    volatile bool finished;  // all rounds made
};

Side g_map{}, g_pin{};
volatile uint64_t g_frame = 0;  // F
volatile uint64_t g_entry = 0;  // E's machine address
alignas(16) uint8_t g_stack1[16384];

void note_unexpected(Side& s, int64_t rc) {
    if (s.unexpected == 0) s.first_unexpected_rc = rc;
    s.unexpected = s.unexpected + 1;
}

// While holding its role, a side yields until the other side has made an
// attempt (which must then be refused), so the race goes both ways
// whatever order the scheduler runs the vCPUs in; bounded, in case the
// other never runs again.
void hold_until_tried(const Side& other) {
    uint64_t seen = other.attempts;
    for (int k = 0; k < 10000 && other.attempts == seen && !other.finished; ++k) pv_sched_op(PV_SCHEDOP_yield, 0);
}

// vCPU 1: pin and unpin. It runs with nothing of pvkernel set up for it
// (no trap table), so it touches only memory and hypercalls.
extern "C" [[noreturn]] void racing_vcpu1_main() {
    for (uint64_t i = 0; i < rounds; ++i) {
        g_pin.attempts = g_pin.attempts + 1;
        int64_t rc = ext(PV_MMUEXT_PIN_L1_TABLE, g_frame);
        if (rc == 0) {
            g_pin.held = true;
            g_pin.done_ok = g_pin.done_ok + 1;
            if (g_map.held) g_pin.both = g_pin.both + 1;  // a table and writable at once
            if (i % 2 == 0) hold_until_tried(g_map);
            // Cleared before the undo: the other vCPU may run as soon as
            // the undo returns, and must not see the flag then.
            g_pin.held = false;
            int64_t u = ext(PV_MMUEXT_UNPIN_TABLE, g_frame);
            if (u != 0) note_unexpected(g_pin, u);
        } else if (rc == -PV_EBUSY) {
            g_pin.refused = g_pin.refused + 1;
        } else {
            note_unexpected(g_pin, rc);
        }
        if (i % 5 == 0) pv_sched_op(PV_SCHEDOP_yield, 0);
    }
    g_pin.finished = true;
    pv_vcpu_op(PV_VCPUOP_down, 1, 0);
    for (;;) pv_sched_op(PV_SCHEDOP_yield, 0);
}

extern "C" void racing_vcpu1_entry();
asm(R"(
    .text
    .global racing_vcpu1_entry
racing_vcpu1_entry:
    and $-16, %rsp
    call racing_vcpu1_main
    ud2
)");

// vCPU 0: map writable and unmap.
void map_rounds() {
    for (uint64_t i = 0; i < rounds; ++i) {
        g_map.attempts = g_map.attempts + 1;
        int64_t rc = update(g_entry, pte(g_frame, data_rw));
        if (rc == 0) {
            g_map.held = true;
            g_map.done_ok = g_map.done_ok + 1;
            if (g_pin.held) g_map.both = g_map.both + 1;  // writable and a table at once
            if (i % 3 == 0) hold_until_tried(g_pin);
            g_map.held = false;  // before the undo, as above
            int64_t u = update(g_entry, 0);
            if (u != 0) note_unexpected(g_map, u);
        } else if (rc == -PV_EBUSY) {
            g_map.refused = g_map.refused + 1;
        } else {
            note_unexpected(g_map, rc);
        }
        if (i % 7 == 0) pv_sched_op(PV_SCHEDOP_yield, 0);
    }
    g_map.finished = true;
}

void report(const char* what, const Side& s) {
    pvk::kprintf("attack: racing_vcpus: %s: %lu done, %lu refused with EBUSY, %lu other\n", what, s.done_ok,
                 s.refused, s.unexpected);
    gt::check_eq(s.unexpected, 0, "%s: results other than 0 or EBUSY (first %ld)", what, s.first_unexpected_rc);
    gt::check_eq(s.both, 0, "%s: succeeded while the other role was held", what);
    gt::check(s.done_ok > 0 && s.refused > 0, "%s: the race never went both ways", what);
    gt::check_eq(s.done_ok + s.refused + s.unexpected, rounds, "%s: rounds", what);
}

}  // namespace

void test_main() {
    // F: a page of our own, no longer writable anywhere (its physmap
    // mapping made read-only). E: an unused entry of a live L1.
    Page p = fresh_page();
    gt::check_rc(set_writable(p, false), 0, "make the page read-only in the physmap");
    uint64_t l1 = (entry(0x400000, 2) & PV_PTE_ADDR_MASK) >> 12;
    if (l1 == 0) test_error("no L1 maps the user region");
    g_frame = p.mfn;
    g_entry = (l1 << 12) + entry_index * 8;
    gt::check_eq(table(l1)[entry_index], 0, "the chosen L1 entry is unused");
    if (gt::failures() != 0) return;

    pv_vcpu_context c{};
    c.rip = reinterpret_cast<uint64_t>(&racing_vcpu1_entry);
    c.rsp = reinterpret_cast<uint64_t>(g_stack1 + sizeof g_stack1);
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_initialise, 1, PV_PTR_ARG(&c)), 0, "initialise vCPU 1");
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_up, 1, 0), 0, "up vCPU 1");

    map_rounds();
    for (int i = 0; i < 1000000 && !g_pin.finished; ++i) pv_sched_op(PV_SCHEDOP_yield, 0);
    gt::check(g_pin.finished, "vCPU 1 finished its rounds");

    report("map writable (vCPU 0)", g_map);
    report("pin as L1 (vCPU 1)", g_pin);

    // Nothing leaked: F takes either role once more, then goes back.
    gt::check_eq(table(l1)[entry_index], 0, "the entry after the race");
    gt::check_rc(ext(PV_MMUEXT_PIN_L1_TABLE, p.mfn), 0, "pin F after the race");
    gt::check_rc(ext(PV_MMUEXT_UNPIN_TABLE, p.mfn), 0, "unpin F");
    gt::check_rc(update(g_entry, pte(p.mfn, data_rw)), 0, "map F writable after the race");
    gt::check_rc(update(g_entry, 0), 0, "unmap F");
    gt::check_rc(update(entry_maddr(p.va, 1), 0), 0, "drop F's read-only physmap mapping");
    uint64_t f = p.mfn;
    gt::check_rc(decrease(&f, 1), 1, "give F back: no reference or type left on it");
    if (gt::failures() == 0) pvk::kprintf("attack: racing_vcpus: refused\n");
    test_pass();
}
