// A hypercall attempted from virtual user mode is not a hypercall: the
// syscall reaches the guest kernel's system-call callback with the user's
// registers, nothing happens in the hypervisor, and the user code resumes.
// Tried with sched_op shutdown (the domain must live on) and console_io
// write (nothing may be printed: the meson test forbids the text).
#include <pvisor/console.h>
#include <pvisor/hypercall_numbers.h>

#include "gt.h"
#include "pvk/kprintf.h"

const char test_title[] = "user_syscall";

static_assert(PV_HYPERCALL_sched_op == 7 && PV_SCHEDOP_shutdown == 2 && PV_SHUTDOWN_poweroff == 0 &&
              PV_HYPERCALL_console_io == 0 && PV_CONSOLEIO_write == 0 && PV_HYPERCALL_version == 6);

extern "C" const char gt_user_hc[], gt_user_hc_sys1[], gt_user_hc_sys2[], gt_user_hc_sys3[], gt_user_hc_ud[],
    gt_user_hc_end[];
asm(".pushsection .rodata.gt_user, \"a\"\n"
    "gt_user_hc:\n"
    "  mov $7, %eax\n"                 // sched_op
    "  mov $2, %edi\n"                 // shutdown
    "  xor %esi, %esi\n"               // poweroff
    "  syscall\n"
    "gt_user_hc_sys1:\n"
    "  xor %eax, %eax\n"               // console_io
    "  xor %edi, %edi\n"               // write
    "  mov $(9f - 8f), %esi\n"
    "  lea 8f(%rip), %rdx\n"
    "  syscall\n"
    "gt_user_hc_sys2:\n"
    "  movabs $0x100000006, %rax\n"    // version, with high bits: still not a hypercall
    "  syscall\n"
    "gt_user_hc_sys3:\n"
    "  mov $0x55, %ebx\n"
    "gt_user_hc_ud:\n"
    "  ud2\n"
    "8: .ascii \"USER-HYPERCALL-LEAK\\n\"\n"
    "9:\n"
    "gt_user_hc_end:\n"
    ".popsection\n");

// Every register but rsp, rcx and r11 set to a pattern, then a syscall;
// resumed, a ud2 with the same patterns.
extern "C" const char gt_user_regs[], gt_user_regs_end[];
asm(".pushsection .rodata.gt_user, \"a\"\n"
    "gt_user_regs:\n"
    "  movabs $0x0a0a0a0a0a0a0a0a, %rax\n"
    "  movabs $0x0b0b0b0b0b0b0b0b, %rbx\n"
    "  movabs $0x0d0d0d0d0d0d0d0d, %rdx\n"
    "  movabs $0x0e0e0e0e0e0e0e0e, %rsi\n"
    "  movabs $0x0f0f0f0f0f0f0f0f, %rdi\n"
    "  movabs $0x0c0c0c0c0c0c0c0c, %rbp\n"
    "  movabs $0x0808080808080808, %r8\n"
    "  movabs $0x0909090909090909, %r9\n"
    "  movabs $0x1010101010101010, %r10\n"
    "  movabs $0x1212121212121212, %r12\n"
    "  movabs $0x1313131313131313, %r13\n"
    "  movabs $0x1414141414141414, %r14\n"
    "  movabs $0x1515151515151515, %r15\n"
    "  syscall\n"
    "  ud2\n"
    "gt_user_regs_end:\n"
    ".popsection\n");

namespace {

void check_user_registers(const pvk::UserContext& c, const char* when) {
    gt::check_eq(c.rax, 0x0a0a0a0a0a0a0a0a, "%s: rax", when);
    gt::check_eq(c.rbx, 0x0b0b0b0b0b0b0b0b, "%s: rbx", when);
    gt::check_eq(c.rdx, 0x0d0d0d0d0d0d0d0d, "%s: rdx", when);
    gt::check_eq(c.rsi, 0x0e0e0e0e0e0e0e0e, "%s: rsi", when);
    gt::check_eq(c.rdi, 0x0f0f0f0f0f0f0f0f, "%s: rdi", when);
    gt::check_eq(c.rbp, 0x0c0c0c0c0c0c0c0c, "%s: rbp", when);
    gt::check_eq(c.r8, 0x0808080808080808, "%s: r8", when);
    gt::check_eq(c.r9, 0x0909090909090909, "%s: r9", when);
    gt::check_eq(c.r10, 0x1010101010101010, "%s: r10", when);
    gt::check_eq(c.r12, 0x1212121212121212, "%s: r12", when);
    gt::check_eq(c.r13, 0x1313131313131313, "%s: r13", when);
    gt::check_eq(c.r14, 0x1414141414141414, "%s: r14", when);
    gt::check_eq(c.r15, 0x1515151515151515, "%s: r15", when);
}

// The user's registers reach the kernel intact through a system call (the
// hypervisor's fast path) and through an exception (its C path), and the
// kernel's iret gives them back.
void user_registers() {
    pvk::UserContext ctx{};
    pvk::ExitReason r = gt::run_user_code(gt_user_regs, gt_user_regs_end, ctx);
    if (!gt::check(r.kind == pvk::ExitReason::Kind::syscall, "registers: exited with vector %u", r.vector)) return;
    check_user_registers(ctx, "at the system call");
    r = gt::resume_user(ctx);
    if (!gt::check(r.kind == pvk::ExitReason::Kind::exception && r.vector == 6, "registers: then vector %u", r.vector))
        return;
    check_user_registers(ctx, "at the ud2 after it");
}

// A system call exit whose return address is `after` in the user code.
void check_syscall_exit(const pvk::ExitReason& r, const pvk::UserContext& ctx, const char* what, const char* after,
                        uint64_t rax) {
    if (!gt::check(r.kind == pvk::ExitReason::Kind::syscall, "%s: exited with vector %u, not a system call",
                   what, r.vector))
        return;
    gt::check_eq(r.vector, PV_VECTOR_SYSCALL, "%s: vector", what);
    gt::check_eq(ctx.rax, rax, "%s: rax", what);
    gt::check_eq(ctx.rip, gt::user_address(gt_user_hc, after), "%s: rip", what);
    gt::check_eq(ctx.rcx, ctx.rip, "%s: rcx (the return address)", what);
    gt::check_eq(ctx.r11, ctx.rflags, "%s: r11 (the user RFLAGS)", what);
    gt::check_eq(ctx.r11 & 0x202, 0x202, "%s: IF and bit 1 of the user RFLAGS", what);
}

}  // namespace

void test_main() {
    pvk::UserContext ctx{};
    pvk::ExitReason r = gt::run_user_code(gt_user_hc, gt_user_hc_end, ctx);
    check_syscall_exit(r, ctx, "sched_op", gt_user_hc_sys1, 7);
    gt::check_eq(ctx.rdi, 2, "sched_op: rdi");
    gt::check_eq(ctx.rsi, 0, "sched_op: rsi");

    r = gt::resume_user(ctx);
    check_syscall_exit(r, ctx, "console_io", gt_user_hc_sys2, 0);
    gt::check_eq(ctx.rdx, gt::user_address(gt_user_hc, gt_user_hc_end) - 20, "console_io: rdx (the buffer)");

    r = gt::resume_user(ctx);
    check_syscall_exit(r, ctx, "version + 2^32", gt_user_hc_sys3, 0x100000006);

    // Resuming after the system calls runs on to the ud2.
    r = gt::resume_user(ctx);
    gt::check(r.kind == pvk::ExitReason::Kind::exception && r.vector == 6, "the end: exited with vector %u",
              r.vector);
    gt::check_eq(ctx.rip, gt::user_address(gt_user_hc, gt_user_hc_ud), "the end: rip");
    gt::check_eq(ctx.rbx, 0x55, "the end: rbx");
    user_registers();
    pvk::kprintf("user_syscall: the domain is still alive\n");
    test_pass();
}
