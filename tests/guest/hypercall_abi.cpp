// The calling convention (SPEC.md section 3): all 64 bits of rax select the
// hypercall, unknown numbers return -PV_ENOSYS, only rax, rcx and r11
// change, RFLAGS (DF included) survive, and the hypercall page's unused
// bytes are int3.
#include <pvisor/console.h>
#include <pvisor/hypercall_numbers.h>
#include <pvisor/version.h>

#include "gt.h"

const char test_title[] = "hypercall_abi";

namespace {

struct Regs {
    uint64_t rbx, rdx, rsi, rdi, rbp, r8, r9, r10, r12, r13, r14, r15, rflags, rax;
};

// Loads every register but rsp, rcx and r11 with a pattern, makes the
// version hypercall (rdi = 0) with CF and DF set, and stores them all.
[[gnu::noinline]] Regs registers_across_hypercall() {
    Regs out{};
    asm volatile(
        "push %%rbp\n\t"
        "push %%rbx\n\t"
        "push %[out]\n\t"
        "movabs $0x0b0b0b0b0b0b0b0b, %%rbx\n\t"
        "movabs $0x0d0d0d0d0d0d0d0d, %%rdx\n\t"
        "movabs $0x0e0e0e0e0e0e0e0e, %%rsi\n\t"
        "xor %%edi, %%edi\n\t"
        "movabs $0x0f0f0f0f0f0f0f0f, %%rbp\n\t"
        "movabs $0x0808080808080808, %%r8\n\t"
        "movabs $0x0909090909090909, %%r9\n\t"
        "movabs $0x1010101010101010, %%r10\n\t"
        "movabs $0x1212121212121212, %%r12\n\t"
        "movabs $0x1313131313131313, %%r13\n\t"
        "movabs $0x1414141414141414, %%r14\n\t"
        "movabs $0x1515151515151515, %%r15\n\t"
        "mov $" GT_STR(PV_HYPERCALL_version) ", %%eax\n\t"
        "stc\n\t"
        "std\n\t"
        "syscall\n\t"
        "pushfq\n\t"
        "cld\n\t"
        "pop %%rcx\n\t"
        "pop %%r11\n\t"  // out
        "mov %%rbx, 0(%%r11)\n\t"
        "mov %%rdx, 8(%%r11)\n\t"
        "mov %%rsi, 16(%%r11)\n\t"
        "mov %%rdi, 24(%%r11)\n\t"
        "mov %%rbp, 32(%%r11)\n\t"
        "mov %%r8, 40(%%r11)\n\t"
        "mov %%r9, 48(%%r11)\n\t"
        "mov %%r10, 56(%%r11)\n\t"
        "mov %%r12, 64(%%r11)\n\t"
        "mov %%r13, 72(%%r11)\n\t"
        "mov %%r14, 80(%%r11)\n\t"
        "mov %%r15, 88(%%r11)\n\t"
        "mov %%rcx, 96(%%r11)\n\t"
        "mov %%rax, 104(%%r11)\n\t"
        "pop %%rbx\n\t"
        "pop %%rbp\n\t"
        :
        : [out] "r"(&out)
        : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "memory");
    return out;
}

void registers() {
    Regs r = registers_across_hypercall();
    gt::check_eq(r.rax, PVISOR_ABI_VERSION, "rax (the version)");
    gt::check_eq(r.rbx, 0x0b0b0b0b0b0b0b0b, "rbx");
    gt::check_eq(r.rdx, 0x0d0d0d0d0d0d0d0d, "rdx");
    gt::check_eq(r.rsi, 0x0e0e0e0e0e0e0e0e, "rsi");
    gt::check_eq(r.rdi, 0, "rdi");
    gt::check_eq(r.rbp, 0x0f0f0f0f0f0f0f0f, "rbp");
    gt::check_eq(r.r8, 0x0808080808080808, "r8");
    gt::check_eq(r.r9, 0x0909090909090909, "r9");
    gt::check_eq(r.r10, 0x1010101010101010, "r10");
    gt::check_eq(r.r12, 0x1212121212121212, "r12");
    gt::check_eq(r.r13, 0x1313131313131313, "r13");
    gt::check_eq(r.r14, 0x1414141414141414, "r14");
    gt::check_eq(r.r15, 0x1515151515151515, "r15");
    gt::check_eq(r.rflags & 0x401, 0x401, "CF and DF after the hypercall");
}

// With DF set the hypervisor must still copy forwards: the line must come
// out intact (the meson test expects it).
void console_with_df() {
    static const char line[] = "hypercall_abi: written with DF set\n";
    uint64_t nr = PV_HYPERCALL_console_io, cmd = PV_CONSOLEIO_write, count = sizeof line - 1;
    uint64_t buffer = reinterpret_cast<uint64_t>(line);
    // SAFETY: a console_io hypercall with DF set; DF is cleared again at once.
    asm volatile("std; syscall; cld" : "+a"(nr), "+D"(cmd), "+S"(count), "+d"(buffer) : : "rcx", "r11", "memory");
    auto rc = static_cast<int64_t>(nr);
    gt::check_rc(rc, static_cast<int64_t>(sizeof line - 1), "console write with DF set");
}

void numbers() {
    gt::check_rc(gt::raw_hypercall(PV_HYPERCALL_version), PVISOR_ABI_VERSION, "raw version");
    gt::check_rc(gt::raw_hypercall(PV_HYPERCALL_COUNT), -PV_ENOSYS, "hypercall PV_HYPERCALL_COUNT");
    gt::check_rc(gt::raw_hypercall(0xff), -PV_ENOSYS, "hypercall 255");
    gt::check_rc(gt::raw_hypercall((uint64_t{1} << 32) | PV_HYPERCALL_version), -PV_ENOSYS, "hypercall 2^32 + version");
    gt::check_rc(gt::raw_hypercall(uint64_t{1} << 63), -PV_ENOSYS, "hypercall 2^63");
    gt::check_rc(gt::raw_hypercall(~uint64_t{0}), -PV_ENOSYS, "hypercall 2^64 - 1");
}

// The hypercall page: its stubs are filled in, the rest is int3, so calling
// a missing entry raises #BP just after it.
void page() {
    const auto* p = reinterpret_cast<const uint8_t*>(pv_hypercall_page);
    for (uint32_t n = 0; n < PV_HYPERCALL_COUNT; ++n)
        gt::check(p[n * PV_HYPERCALL_ENTRY_SIZE] != 0xcc, "hypercall page entry %u is not filled in", n);
    uint64_t missing = reinterpret_cast<uint64_t>(pv_hypercall_page) + PV_HYPERCALL_COUNT * PV_HYPERCALL_ENTRY_SIZE;
    gt::check_eq(p[PV_PAGE_SIZE - 1], 0xcc, "the hypercall page's last byte");
    auto call_missing = [missing] {
        // SAFETY: calls the int3 bytes of the hypercall page: #BP, caught.
        reinterpret_cast<void (*)()>(missing)();
    };
    pvk::CatchResult r = pvk::catch_fault(call_missing);
    if (gt::check(r.faulted, "calling the missing hypercall entry %#lx returned", missing)) {
        gt::check_eq(r.fault.vector, 3, "missing entry: vector");
        gt::check_eq(r.fault.rip, missing + 1, "missing entry: rip");
    }
}

}  // namespace

void test_main() {
    registers();
    console_with_df();
    numbers();
    page();
    test_pass();
}
