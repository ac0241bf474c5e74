// Exceptions raised in virtual kernel mode reach the guest's handler with
// the right pv_frame: vector, flags (PV_FRAME_ERROR_CODE), error code, rip
// (the instruction for faults, the next one for traps), rsp, the frame's
// address, the handler's RFLAGS, and for #PF the fault address in the
// shared page. Also the event-mask rules of PV_TRAP_MASK_EVENTS and DF.
#include <pvisor/hypercall_numbers.h>
#include <pvisor/version.h>

#include "gt.h"

const char test_title[] = "exceptions";

namespace {

// Page-fault error code bits (Intel SDM Vol. 3A, 4.7). U/S is cleared for
// faults in virtual kernel mode, as a native kernel would see them.
constexpr uint64_t pf_present = 1, pf_write = 2, pf_fetch = 16;

const uint64_t recorder = reinterpret_cast<uint64_t>(gt_record_entry);

}  // namespace

// Read-only data that is also not executable: ret instructions to call.
// If the fetch faults, the exception table sends it to a ret in the text,
// which returns to the caller.
extern "C" const uint8_t gt_rodata_ret[];
asm(".pushsection .rodata, \"a\"\n"
    ".balign 16\n"
    "gt_rodata_ret: .byte 0xc3, 0xc3, 0xc3, 0xc3\n"
    ".popsection\n"
    ".pushsection .text, \"ax\"\n"
    "gt_ret_landing: ret\n"
    ".popsection\n" PVK_EXTABLE("gt_rodata_ret", "gt_ret_landing"));

namespace {

void page_fault(const char* what, uint64_t address, bool write, uint64_t error_code) {
    gt::reset_record();
    gt::vcpu_info().fault_address = 0;
    if (write)
        asm volatile(GT_MARK_BEGIN "movb $1, (%0)" GT_MARK_END ::"r"(address) : "r11", "memory");
    else
        asm volatile(GT_MARK_BEGIN "movb (%0), %%al" GT_MARK_END ::"r"(address) : "rax", "r11", "memory");
    gt::check_kernel_frame(what, 14, true, error_code, false);
    gt::check_eq(gt::vcpu_info().fault_address, address, "%s: shared_info fault_address", what);
}

void faults() {
    gt::reset_record();
    asm volatile("xor %%edx, %%edx; mov $1, %%eax\n\t" GT_MARK_BEGIN "div %%ecx" GT_MARK_END ::"c"(0)
                 : "rax", "rdx", "r11", "memory");
    gt::check_kernel_frame("#DE (div by 0)", 0, false, 0, false);

    gt::reset_record();
    asm volatile("mov $0x80000000, %%eax; cltd\n\t" GT_MARK_BEGIN "idiv %%ecx" GT_MARK_END ::"c"(-1)
                 : "rax", "rdx", "r11", "memory");
    gt::check_kernel_frame("#DE (INT_MIN / -1)", 0, false, 0, false);

    gt::reset_record();
    asm volatile(GT_MARK_BEGIN "ud2" GT_MARK_END ::: "r11", "memory");
    gt::check_kernel_frame("#UD (ud2)", 6, false, 0, false);

    gt::reset_record();
    asm volatile(GT_MARK_BEGIN "int3" GT_MARK_END ::: "r11", "memory");
    gt::check_kernel_frame("#BP (int3)", 3, false, 0, true);

    // A non-canonical address is #GP(0), not a page fault. (An rbp- or
    // rsp-based one is #SS(0) on hardware, #GP under TCG: not checked.)
    gt::reset_record();
    asm volatile(GT_MARK_BEGIN "mov (%0), %%rax" GT_MARK_END ::"r"(gt::non_canonical) : "rax", "r11", "memory");
    gt::check_kernel_frame("#GP (non-canonical load)", 13, true, 0, false);

    uint64_t unmapped = gt::unmapped_va();
    page_fault("#PF read of unmapped memory", unmapped, false, 0);
    page_fault("#PF write to unmapped memory", unmapped + 8, true, pf_write);
    page_fault("#PF write to kernel text", reinterpret_cast<uint64_t>(&faults), true, pf_present | pf_write);
    page_fault("#PF write to rodata", reinterpret_cast<uint64_t>(gt_rodata_ret), true, pf_present | pf_write);
    // The hypervisor's pages are present but supervisor-only.
    page_fault("#PF read of the hypervisor's direct map", gt::hv_direct_map, false, pf_present);
    page_fault("#PF write to the hypervisor's direct map", gt::hv_direct_map + 64, true,
               pf_present | pf_write);

    // A call into non-executable rodata faults on the fetch: the frame's
    // rip is the target, rsp has the return address pushed.
    gt::reset_record();
    asm volatile(GT_MARK_BEGIN "call *%0" GT_MARK_END ::"r"(gt_rodata_ret) : "r11", "memory");
    const pv_frame& f = gt_record.frame;
    gt::check_eq(gt_record.count, 1, "#PF fetch: deliveries");
    gt::check_eq(f.vector, 14, "#PF fetch: vector");
    gt::check_eq(f.error_code, pf_present | pf_fetch, "#PF fetch: error code");
    gt::check_eq(f.rip, reinterpret_cast<uint64_t>(gt_rodata_ret), "#PF fetch: rip");
    gt::check_eq(f.rsp, gt_mark_rsp - 8, "#PF fetch: rsp");
    gt::check_eq(gt::vcpu_info().fault_address, reinterpret_cast<uint64_t>(gt_rodata_ret), "#PF fetch: fault_address");
}

// Single-step: TF set by popf traps after the next instruction; the
// handler runs with TF clear (else it would trap again: count would be 2).
void single_step() {
    gt::reset_record();
    asm volatile("lea 1f(%%rip), %%r11\n\t"
                 "mov %%r11, gt_mark_insn(%%rip)\n\t"
                 "lea 2f(%%rip), %%r11\n\t"
                 "mov %%r11, gt_mark_next(%%rip)\n\t"
                 "pushfq\n\t"
                 "orq $0x100, (%%rsp)\n\t"
                 "lea 8(%%rsp), %%r11\n\t"
                 "mov %%r11, gt_mark_rsp(%%rip)\n\t"
                 "popfq\n"
                 "1: nop\n"
                 "2:\n" ::: "r11", "memory");
    gt::check_kernel_frame("#DB (single step)", 1, false, 0, true);
    gt::check_eq(gt_record.frame.rflags & 0x100, 0x100, "#DB: TF in the frame's RFLAGS");
}

// Single-stepping into a hypercall: the hypervisor runs with TF clear
// (FMASK) and returns with the guest's TF, so exactly one #DB arrives, in
// the guest, after the syscall or the instruction after it.
void single_step_hypercall() {
    gt::reset_record();
    uint64_t rax = PV_HYPERCALL_version, rdi = 0, after_syscall, after_nop;
    asm volatile("lea 1f(%%rip), %[a]\n\t"
                 "lea 2f(%%rip), %[b]\n\t"
                 "pushfq\n\t"
                 "orq $0x100, (%%rsp)\n\t"
                 "popfq\n\t"
                 "syscall\n"
                 "1: nop\n"
                 "2: nop\n"
                 : "+a"(rax), "+D"(rdi), [a] "=&r"(after_syscall), [b] "=&r"(after_nop)
                 :
                 : "rcx", "r11", "memory");
    gt::check_eq(rax, PVISOR_ABI_VERSION, "single-stepped hypercall: result");
    if (!gt::check_eq(gt_record.count, 1, "single-stepped hypercall: #DB deliveries")) return;
    gt::check_eq(gt_record.frame.vector, 1, "single-stepped hypercall: vector");
    gt::check(gt_record.frame.rip == after_syscall || gt_record.frame.rip == after_nop,
              "single-stepped hypercall: #DB at %#lx, not after the syscall (%#lx) or the nop (%#lx)",
              gt_record.frame.rip, after_syscall, after_nop);
}

// The event mask: PV_TRAP_MASK_EVENTS masks events for the handler, the
// frame's IF says whether they were unmasked, and iret restores that.
void event_mask(uint8_t flags, uint8_t mask_before, uint8_t mask_in_handler) {
    gt::check_rc(gt::set_trap(6, flags, recorder), 0, "recorder for #UD with flags %#x", flags);
    gt::reset_record();
    gt::vcpu_info().upcall_mask = mask_before;
    asm volatile(GT_MARK_BEGIN "ud2" GT_MARK_END ::: "r11", "memory");
    uint8_t mask_after = gt::vcpu_info().upcall_mask;
    gt::vcpu_info().upcall_mask = 1;
    gt::check_eq(gt_record.upcall_mask, mask_in_handler, "flags %#x, mask %u: mask in the handler", flags, mask_before);
    gt::check_eq(gt_record.frame.rflags & 0x200, mask_before ? 0 : 0x200, "flags %#x, mask %u: frame IF", flags,
                 mask_before);
    gt::check_eq(mask_after, mask_before, "flags %#x, mask %u: mask after iret", flags, mask_before);
}

// DF is kept for the handler (it must cld) and restored by iret.
void direction_flag() {
    gt::reset_record();
    uint64_t after;
    asm volatile("std\n\t" GT_MARK_BEGIN "ud2" GT_MARK_END "pushfq; popq %0; cld" : "=r"(after)::"r11", "memory");
    gt::check_eq(gt_record.handler_rflags & 0x400, 0x400, "DF in the handler's RFLAGS");
    gt::check_eq(gt_record.frame.rflags & 0x400, 0x400, "DF in the frame's RFLAGS");
    gt::check_eq(after & 0x400, 0x400, "DF after iret");
}

}  // namespace

void test_main() {
    const uint8_t vectors[] = {0, 1, 3, 6, 13, 14};
    for (uint8_t v : vectors)
        if (gt::set_trap(v, PV_TRAP_MASK_EVENTS, recorder) != 0) {
            test_error("cannot install the recorder for vector %u", v);
            return;
        }
    faults();
    single_step();
    single_step_hypercall();
    direction_flag();
    event_mask(PV_TRAP_MASK_EVENTS, 0, 1);
    event_mask(PV_TRAP_MASK_EVENTS, 1, 1);
    event_mask(0, 0, 0);
    event_mask(0, 1, 1);
    for (uint8_t v : vectors) gt::restore_pvk_trap(v);
    test_pass();
}
