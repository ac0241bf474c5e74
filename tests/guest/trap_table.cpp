// set_trap_table refuses malformed tables (vectors that cannot be
// delegated, unknown flags, reserved fields, too many entries) and then
// leaves the previous table exactly as it was, even when the refused table
// began with valid entries. Later entries for the same vector win.
#include <kstd/format.h>

#include "gt.h"
#include "pv.h"

const char test_title[] = "trap_table";

namespace {

const uint64_t recorder = reinterpret_cast<uint64_t>(gt_record_entry);
const uint64_t pvk_handler = reinterpret_cast<uint64_t>(pvk_pv_trap_entry);

constinit pv_trap_info g_table[PV_TRAP_TABLE_MAX + 2] = {};

// Which handler #UD reaches now: the recorder or pvkernel's (both resume
// after the ud2 through the exception table).
enum class Handler : uint8_t { recorder, pvk, other };
Handler ud_handler() {
    gt::reset_record();
    uint64_t before = pvk::fixed_fault_count();
    asm volatile(GT_MARK_BEGIN "ud2" GT_MARK_END ::: "r11", "memory");
    if (gt_record.count == 1 && pvk::fixed_fault_count() == before) return Handler::recorder;
    if (gt_record.count == 0 && pvk::fixed_fault_count() == before + 1) return Handler::pvk;
    return Handler::other;
}

// A table whose first entry would move #UD to pvkernel's handler and
// whose second is `bad`: must be refused with `want`, changing nothing.
void refuse(pv_trap_info bad, int64_t want, const char* what) {
    g_table[0] = pv_trap_info{6, PV_TRAP_MASK_EVENTS, 0, 0, pvk_handler};
    g_table[1] = bad;
    gt::check_rc(pv_set_trap_table(g_table, 2), want, "%s", what);
    gt::check(ud_handler() == Handler::recorder, "after refusing %s, #UD no longer reaches the recorder", what);
}

}  // namespace

void test_main() {
    // The starting point: #UD goes to the recorder.
    gt::check_rc(gt::set_trap(6, PV_TRAP_MASK_EVENTS, recorder), 0, "installing the recorder for #UD");
    if (!gt::check(ud_handler() == Handler::recorder, "#UD does not reach the recorder")) return;

    const uint8_t not_delegable[] = {2, 8, 9, 15, 18, 22, 28, 31, 32, 255};
    char what[64];
    for (uint8_t v : not_delegable) {
        kstd::format(what, sizeof what, "vector %u", v);
        refuse(pv_trap_info{v, 0, 0, 0, recorder}, -PV_EINVAL, what);
        // Removing (address 0) is refused for them too.
        kstd::format(what, sizeof what, "vector %u with address 0", v);
        refuse(pv_trap_info{v, 0, 0, 0, 0}, -PV_EINVAL, what);
    }
    const uint8_t bad_flags[] = {1u << 2, 1u << 7, 0xff};
    for (uint8_t f : bad_flags) {
        kstd::format(what, sizeof what, "flags %#x", f);
        refuse(pv_trap_info{13, f, 0, 0, recorder}, -PV_EINVAL, what);
    }
    refuse(pv_trap_info{13, 0, 1, 0, recorder}, -PV_EINVAL, "reserved = 1");
    refuse(pv_trap_info{13, 0, 0x8000, 0, recorder}, -PV_EINVAL, "reserved = 0x8000");
    refuse(pv_trap_info{13, 0, 0, 1, recorder}, -PV_EINVAL, "reserved2 = 1");
    refuse(pv_trap_info{13, 0, 0, 0x80000000, recorder}, -PV_EINVAL, "reserved2 = 0x80000000");
    refuse(pv_trap_info{13, 0, 0, 0, gt::non_canonical}, -PV_EINVAL, "a non-canonical handler");
    refuse(pv_trap_info{13, 0, 0, 0, gt::hv_direct_map}, -PV_EINVAL, "a handler in the hypervisor");

    // Too many entries: refused before the table is read.
    for (size_t i = 0; i < PV_TRAP_TABLE_MAX + 1; ++i) g_table[i] = pv_trap_info{6, 0, 0, 0, pvk_handler};
    gt::check_rc(pv_set_trap_table(g_table, PV_TRAP_TABLE_MAX + 1), -PV_E2BIG, "33 entries");
    gt::check_rc(pv_set_trap_table(nullptr, PV_TRAP_TABLE_MAX + 1), -PV_E2BIG, "33 entries at NULL");
    gt::check_rc(pv_set_trap_table(g_table, uint64_t{1} << 60), -PV_E2BIG, "2^60 entries (2^64 bytes)");
    gt::check_rc(pv_set_trap_table(g_table, ~uint64_t{0}), -PV_E2BIG, "2^64 - 1 entries");
    gt::check(ud_handler() == Handler::recorder, "after refusing oversized tables, #UD no longer reaches the recorder");

    // 32 entries is allowed; the last entry for a vector wins.
    for (size_t i = 0; i < PV_TRAP_TABLE_MAX; ++i)
        g_table[i] = pv_trap_info{6, 0, 0, 0, i % 2 ? recorder : pvk_handler};
    gt::check_rc(pv_set_trap_table(g_table, PV_TRAP_TABLE_MAX), 0, "32 entries");
    gt::check(ud_handler() == Handler::recorder, "32 entries ending with the recorder: #UD missed it");
    g_table[0] = pv_trap_info{6, 0, 0, 0, recorder};
    g_table[1] = pv_trap_info{6, PV_TRAP_MASK_EVENTS, 0, 0, pvk_handler};
    gt::check_rc(pv_set_trap_table(g_table, 2), 0, "recorder then pvk for #UD");
    gt::check(ud_handler() == Handler::pvk, "a later entry for #UD did not win");

    // A table only replaces the vectors it names: #GP still reaches pvk.
    gt::check_rc(gt::set_trap(6, 0, recorder), 0, "the recorder for #UD again");
    uint64_t before = pvk::fixed_fault_count();
    asm volatile("1: cli\n2:\n" PVK_EXTABLE("1b", "2b") ::: "memory");
    gt::check(pvk::fixed_fault_count() == before + 1 && pvk::last_fixed_fault().vector == 13,
              "#GP no longer reaches pvkernel's handler");

    gt::restore_pvk_trap(6);
    gt::check(ud_handler() == Handler::pvk, "restoring pvkernel's #UD handler");
    test_pass();
}
