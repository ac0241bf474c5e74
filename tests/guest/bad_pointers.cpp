// Bad guest pointers: console_io, set_trap_table and callback_op given a
// buffer that is unmapped, not canonical, in the hypervisor's range, wraps,
// or runs from mapped into unmapped memory all return -PV_EFAULT, print or
// change nothing, and the hypervisor carries on.
#include <pvisor/console.h>

#include "gt.h"
#include "pvk/boot_info.h"
#include "pvk/kprintf.h"

const char test_title[] = "bad_pointers";

namespace {

struct BadPointer {
    const char* what;
    uint64_t address;
    uint64_t size;  // bytes to pass (console) or at least the structure size
    bool range_ok;  // canonical and outside the hypervisor: only the copy fails
};

// The pointers every hypercall must refuse, for a structure of `size` bytes.
// The straddling one starts `size / 2` bytes before the end of the user
// region, with the rest in the unmapped page after it.
constexpr size_t bad_count = 9;
void bad_pointers(uint64_t size, BadPointer (&out)[bad_count]) {
    const pvk::BootInfo& bi = pvk::boot_info();
    uint64_t user_end = bi.user_va + bi.user_size;
    out[0] = {"unmapped", gt::unmapped_va(), size, true};
    out[1] = {"non-canonical", gt::non_canonical, size, false};
    out[2] = {"non-canonical poison", gt::non_canonical_poison, size, false};
    out[3] = {"hypervisor direct map", gt::hv_direct_map, size, false};
    out[4] = {"first hypervisor byte", gt::hv_first, size, false};
    out[5] = {"last hypervisor bytes", gt::hv_last - (size - 1), size, false};
    out[6] = {"from the hypervisor's range out of it", gt::hv_last - (size / 2 - 1), size, false};
    out[7] = {"wrapping around 2^64", ~uint64_t{0} - (size / 2 - 1), size, false};
    out[8] = {"straddling into unmapped memory", user_end - size / 2, size, true};
}

void check_console(const BadPointer (&bad)[bad_count]) {
    for (const BadPointer& b : bad)
        gt::check_rc(pv_console_io(PV_CONSOLEIO_write, b.size, reinterpret_cast<void*>(b.address)), -PV_EFAULT,
                     "console write from %s (%#lx)", b.what, b.address);
    // dom0 may read: the range check still comes first. (Unmapped buffers
    // pass it; with no input pending nothing is copied and the read
    // returns 0, so they are not tried here.)
    for (const BadPointer& b : bad) {
        if (b.range_ok) continue;
        gt::check_rc(pv_console_io(PV_CONSOLEIO_read, b.size, reinterpret_cast<void*>(b.address)), -PV_EFAULT,
                     "console read into %s (%#lx)", b.what, b.address);
    }
    // Across the canonical hole from the top of the lower half.
    gt::check_rc(pv_console_io(PV_CONSOLEIO_write, 16, reinterpret_cast<void*>(0x00007ffffffffff8)), -PV_EFAULT,
                 "console write across the top of the lower half");
}

// #UD must still reach pvkernel's handler (through the exception table),
// not the recording handler a refused table tried to install.
void check_ud_handler_unchanged(const char* after) {
    gt::reset_record();
    uint64_t before = pvk::fixed_fault_count();
    asm volatile(GT_MARK_BEGIN "ud2" GT_MARK_END ::: "r11", "memory");
    gt::check(pvk::fixed_fault_count() == before + 1 && gt_record.count == 0,
              "after %s, #UD no longer reaches the old handler", after);
}

void check_trap_table(const BadPointer (&bad)[bad_count]) {
    for (const BadPointer& b : bad)
        gt::check_rc(pv_set_trap_table(reinterpret_cast<const pv_trap_info*>(b.address), b.size / sizeof(pv_trap_info)),
                     -PV_EFAULT, "set_trap_table from %s (%#lx)", b.what, b.address);
    // A valid first entry in the user region's last bytes, the second in
    // the unmapped page after it: nothing may be installed.
    const pvk::BootInfo& bi = pvk::boot_info();
    auto* last = reinterpret_cast<pv_trap_info*>(bi.user_va + bi.user_size - sizeof(pv_trap_info));
    *last = pv_trap_info{6, 0, 0, 0, reinterpret_cast<uint64_t>(gt_record_entry)};
    gt::check_rc(pv_set_trap_table(last, 2), -PV_EFAULT, "set_trap_table whose second entry is unmapped");
    check_ud_handler_unchanged("refused trap tables");
}

void check_callbacks(const BadPointer (&bad)[bad_count]) {
    for (const BadPointer& b : bad) {
        auto* p = reinterpret_cast<const pv_callback*>(b.address);
        gt::check_rc(pv_callback_op(PV_CALLBACKOP_register, p), -PV_EFAULT, "callback register from %s (%#lx)",
                     b.what, b.address);
        gt::check_rc(pv_callback_op(PV_CALLBACKOP_unregister, p), -PV_EFAULT,
                     "callback unregister from %s (%#lx)", b.what, b.address);
    }
}

}  // namespace

// A system call, then #UD: the system-call callback must still be there.
extern "C" const char gt_user_syscall[], gt_user_syscall_end[];
asm(".pushsection .rodata.gt_user, \"a\"\n"
    "gt_user_syscall:\n"
    "  syscall\n"
    "  ud2\n"
    "gt_user_syscall_end:\n"
    ".popsection\n");

void test_main() {
    const pvk::BootInfo& bi = pvk::boot_info();
    uint64_t user_end = bi.user_va + bi.user_size;
    if (gt::readable(user_end) || !gt::readable(user_end - 1)) {
        test_error("the page after the user region (%#lx) is mapped, or its last page is not", user_end);
        return;
    }
    // What a partial copy of the straddling buffer would print.
    __builtin_memcpy(reinterpret_cast<void*>(user_end - 8), "LEAKED!\n", 8);

    BadPointer bad[bad_count];
    bad_pointers(16, bad);
    check_console(bad);
    bad_pointers(PV_CONSOLEIO_MAX, bad);
    check_console(bad);
    pvk::kprintf("bad_pointers: console_io refused them all\n");

    bad_pointers(2 * sizeof(pv_trap_info), bad);
    check_trap_table(bad);
    bad_pointers(sizeof(pv_callback), bad);
    check_callbacks(bad);

    pvk::UserContext ctx{};
    pvk::ExitReason r = gt::run_user_code(gt_user_syscall, gt_user_syscall_end, ctx);
    gt::check(r.kind == pvk::ExitReason::Kind::syscall,
              "after refused callback_ops, a user syscall exited with vector %u",
              r.vector);
    pvk::kprintf("bad_pointers: the hypervisor is still running\n");
    test_pass();
}
