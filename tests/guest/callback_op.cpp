// callback_op: register and unregister each callback type; bad types,
// unknown flags, a zero address and unknown commands are refused and change
// nothing. With no system-call callback, a user syscall is delivered as #UD
// at the syscall instruction, with rcx and r11 as syscall wrote them.
#include "gt.h"
#include "pv.h"

const char test_title[] = "callback_op";

extern "C" const char gt_user_sys[], gt_user_sys_insn[], gt_user_sys_after[], gt_user_sys_end[];
asm(".pushsection .rodata.gt_user, \"a\"\n"
    "gt_user_sys:\n"
    "  mov $0x77, %eax\n"
    "gt_user_sys_insn:\n"
    "  syscall\n"
    "gt_user_sys_after:\n"
    "  ud2\n"
    "gt_user_sys_end:\n"
    ".popsection\n");

namespace {

const uint64_t syscall_entry = reinterpret_cast<uint64_t>(pvk_user_exit_frame);

int64_t op(uint64_t cmd, uint32_t type, uint32_t flags, uint64_t address) {
    pv_callback cb{type, flags, address};
    return pv_callback_op(cmd, &cb);
}

// Runs the syscall snippet; true if it reached the system-call callback.
bool syscall_reaches_callback() {
    pvk::UserContext ctx{};
    pvk::ExitReason r = gt::run_user_code(gt_user_sys, gt_user_sys_end, ctx);
    return r.kind == pvk::ExitReason::Kind::syscall && ctx.rax == 0x77;
}

}  // namespace

void test_main() {
    if (!gt::check(syscall_reaches_callback(), "a user syscall does not reach pvkernel's callback")) return;

    const uint32_t bad_types[] = {PV_CALLBACK_MAX, 7, 0x80000000};
    for (uint32_t t : bad_types) {
        gt::check_rc(op(PV_CALLBACKOP_register, t, 0, syscall_entry), -PV_EINVAL, "register type %u", t);
        gt::check_rc(op(PV_CALLBACKOP_unregister, t, 0, 0), -PV_EINVAL, "unregister type %u", t);
    }
    const uint32_t bad_flags[] = {1u << 1, 1u << 31};
    for (uint32_t f : bad_flags) {
        gt::check_rc(op(PV_CALLBACKOP_register, PV_CALLBACK_SYSCALL, f, syscall_entry), -PV_EINVAL,
                     "register with flags %#x", f);
        gt::check_rc(op(PV_CALLBACKOP_unregister, PV_CALLBACK_SYSCALL, f, 0), -PV_EINVAL,
                     "unregister with flags %#x", f);
    }
    gt::check_rc(op(PV_CALLBACKOP_register, PV_CALLBACK_SYSCALL, 0, 0), -PV_EINVAL, "register address 0");
    const uint64_t bad_cmds[] = {2, uint64_t{1} << 32, ~uint64_t{0}};
    for (uint64_t c : bad_cmds)
        gt::check_rc(op(c, PV_CALLBACK_SYSCALL, 0, 0), -PV_ENOSYS, "command %#lx", c);
    // The command is checked before the structure is read.
    gt::check_rc(pv_callback_op(2, reinterpret_cast<const pv_callback*>(gt::non_canonical)), -PV_ENOSYS,
                 "bad command with a bad pointer");
    gt::check(syscall_reaches_callback(), "after refused callback_ops the system-call callback is gone");

    // The event callback is stored (never invoked yet); both commands work.
    gt::check_rc(op(PV_CALLBACKOP_register, PV_CALLBACK_EVENT, PV_CALLBACK_MASK_EVENTS, syscall_entry), 0,
                 "register the event callback");
    gt::check_rc(op(PV_CALLBACKOP_unregister, PV_CALLBACK_EVENT, 0, 0), 0, "unregister the event callback");
    gt::check_rc(op(PV_CALLBACKOP_unregister, PV_CALLBACK_EVENT, 0, 0), 0, "unregister it again");

    // Without the system-call callback: #UD at the syscall instruction.
    gt::check_rc(op(PV_CALLBACKOP_unregister, PV_CALLBACK_SYSCALL, 0, gt::hv_direct_map), 0,
                 "unregister the syscall callback (address ignored)");
    pvk::UserContext ctx{};
    pvk::ExitReason r = gt::run_user_code(gt_user_sys, gt_user_sys_end, ctx);
    if (gt::check(r.kind == pvk::ExitReason::Kind::exception, "user syscall without a callback: a system call")) {
        gt::check_eq(r.vector, 6, "user syscall without a callback: vector");
        gt::check_eq(r.has_error_code, 0, "user syscall without a callback: error code flag");
        gt::check_eq(ctx.rip, gt::user_address(gt_user_sys, gt_user_sys_insn), "user syscall without a callback: rip");
        gt::check_eq(ctx.rcx, gt::user_address(gt_user_sys, gt_user_sys_after), "user syscall without a callback: rcx");
        gt::check_eq(ctx.r11 & 0x202, 0x202, "user syscall without a callback: r11 (RFLAGS)");
        gt::check_eq(ctx.rax, 0x77, "user syscall without a callback: rax");
    }

    // PV_CALLBACK_MASK_EVENTS: user mode runs with events unmasked; the
    // callback gets them masked only with the flag.
    gt::check_rc(op(PV_CALLBACKOP_register, PV_CALLBACK_SYSCALL, 0, syscall_entry), 0,
                 "register the syscall callback without PV_CALLBACK_MASK_EVENTS");
    gt::check(syscall_reaches_callback(), "the re-registered system-call callback is not used");
    gt::check_eq(gt::vcpu_info().upcall_mask, 0, "event mask after a syscall without PV_CALLBACK_MASK_EVENTS");
    gt::vcpu_info().upcall_mask = 1;
    gt::check_rc(op(PV_CALLBACKOP_register, PV_CALLBACK_SYSCALL, PV_CALLBACK_MASK_EVENTS, syscall_entry), 0,
                 "register the syscall callback again");
    gt::check(syscall_reaches_callback(), "the re-registered system-call callback is not used");
    gt::check_eq(gt::vcpu_info().upcall_mask, 1, "event mask after a syscall with PV_CALLBACK_MASK_EVENTS");
    gt::restore_pvk_callbacks();
    test_pass();
}
