// The iret hypercall: it restores rax, rcx, r11, rip, rsp and the allowed
// RFLAGS bits from the frame (IF becomes the event mask), leaves the other
// registers alone, and sends a frame it refuses (non-canonical or
// hypervisor rip/rsp, unknown flags) to the failsafe callback with the
// refused frame's address as the error code. A handler that edits its
// frame returns to the edited context.
#include <pvisor/hypercall_numbers.h>

#include "gt.h"

const char test_title[] = "iret";

// A #UD handler that skips the ud2 (2 bytes) and returns 0x5a5a in rax,
// 0x1234 in rcx and 0x4321 in r11 by editing its frame.
extern "C" void gt_skip_ud2();
asm(".pushsection .text, \"ax\"\n"
    "gt_skip_ud2:\n"
    "  addq $2, 40(%rsp)\n"
    "  movq $0x5a5a, 16(%rsp)\n"
    "  movq $0x1234, 0(%rsp)\n"
    "  movq $0x4321, 8(%rsp)\n"
    "  jmp pv_hypercall_page + " GT_STR(PV_HYPERCALL_iret) " * 32\n"
    ".popsection\n");

namespace {

constexpr uint64_t cf = 1, zf = 1u << 6, if_ = 1u << 9, iopl = 3u << 12, nt = 1u << 14, id = 1u << 21;

void edited_frame() {
    if (gt::set_trap(6, PV_TRAP_MASK_EVENTS, reinterpret_cast<uint64_t>(gt_skip_ud2)) != 0) {
        test_error("cannot install the ud2-skipping handler");
        return;
    }
    uint64_t rax, rcx, r11, rbx;
    asm volatile("mov $1, %%eax; mov $2, %%ecx; mov $3, %%r11d; mov $4, %%ebx\n\t"
                 "ud2\n\t"
                 "mov $5, %%ebx\n\t"  // the skipped ud2 resumes here
                 "mov %%rcx, %1; mov %%r11, %2"
                 : "=a"(rax), "=r"(rcx), "=r"(r11), "=b"(rbx)::"rcx", "r11", "memory");
    gt::check_eq(rax, 0x5a5a, "edited frame: rax");
    gt::check_eq(rcx, 0x1234, "edited frame: rcx");
    gt::check_eq(r11, 0x4321, "edited frame: r11");
    gt::check_eq(rbx, 5, "edited frame: resumed after the ud2");
    gt::restore_pvk_trap(6);
}

void kernel_to_kernel() {
    uint8_t saved_mask = gt::vcpu_info().upcall_mask;
    pv_frame f{};
    f.rax = 0xaaaa;
    f.rcx = 0xcccc;
    f.r11 = 0x1111;
    f.rflags = 0x2 | cf | zf | if_ | iopl | nt | id;
    gt::IretRegs r = gt::iret_with(f);
    gt::check_eq(r.rax, 0xaaaa, "iret: rax");
    gt::check_eq(r.rcx, 0xcccc, "iret: rcx");
    gt::check_eq(r.r11, 0x1111, "iret: r11");
    gt::check_eq(r.rdx, gt::iret_rdx_marker, "iret: rdx untouched");
    gt::check_eq(r.r8, gt::iret_r8_marker, "iret: r8 untouched");
    gt::check_eq(r.rflags & (cf | zf | id), cf | zf | id, "iret: CF, ZF and ID restored");
    gt::check_eq(r.rflags & (iopl | nt), 0, "iret: IOPL and NT filtered");
    gt::check_eq(r.rflags & if_, if_, "iret: real IF");
    gt::check_eq(r.rsp, gt::iret_frame_address() + 256, "iret: rsp");
    gt::check_eq(gt::vcpu_info().upcall_mask, 0, "iret with IF set: events unmasked");

    f.rflags = 0x2;
    r = gt::iret_with(f);
    gt::check_eq(r.rflags & (cf | zf | if_), if_, "iret without CF/ZF/IF: flags");
    gt::check_eq(gt::vcpu_info().upcall_mask, 1, "iret with IF clear: events masked");
    gt::vcpu_info().upcall_mask = saved_mask;
}

// A refused frame goes to the failsafe callback, just below it.
void refused(const char* what, pv_frame f) {
    gt::reset_record();
    gt::IretRegs r = gt::iret_with(f);
    uint64_t at = gt::iret_frame_address();
    if (!gt::check_eq(gt_record.count, 1, "%s: failsafe deliveries", what)) return;
    const pv_frame& fs = gt_record.frame;
    uint64_t iret_entry = reinterpret_cast<uint64_t>(pv_hypercall_page) + PV_HYPERCALL_iret * PV_HYPERCALL_ENTRY_SIZE;
    gt::check_eq(fs.vector, PV_VECTOR_FAILSAFE, "%s: vector", what);
    gt::check_eq(fs.flags, PV_FRAME_ERROR_CODE, "%s: flags", what);
    gt::check_eq(fs.error_code, at, "%s: error code (the refused frame)", what);
    gt::check_eq(fs.rsp, at, "%s: rsp", what);
    gt::check_eq(gt_record.frame_address, (at & ~uint64_t{15}) - sizeof(pv_frame), "%s: failsafe frame address", what);
    gt::check_eq(fs.rax, PV_HYPERCALL_iret, "%s: rax", what);
    gt::check(fs.rip > iret_entry && fs.rip < iret_entry + PV_HYPERCALL_ENTRY_SIZE,
              "%s: rip %#lx is not inside the iret entry", what, fs.rip);
    gt::check_eq(fs.rcx, fs.rip, "%s: rcx", what);
    // The repaired frame resumed; the refused values changed nothing.
    gt::check_eq(r.rax, f.rax, "%s: rax after the repaired iret", what);
}

}  // namespace

void test_main() {
    edited_frame();
    kernel_to_kernel();

    pv_callback fs{PV_CALLBACK_FAILSAFE, 0, reinterpret_cast<uint64_t>(gt_failsafe_entry)};
    if (pv_callback_op(PV_CALLBACKOP_register, &fs) != 0) {
        test_error("cannot register the failsafe callback");
        return;
    }
    pv_frame f{};
    f.rflags = 0x2;
    f.rax = 0x77;
    f.rip = gt::non_canonical;
    refused("non-canonical rip", f);
    f.rip = gt::hv_direct_map;
    refused("rip in the hypervisor", f);
    f.rip = gt::hv_last;
    refused("rip at the hypervisor's last byte", f);
    f.rip = 0;
    f.rsp = gt::non_canonical_poison;
    refused("non-canonical rsp", f);
    f.rsp = gt::hv_first + 0x1000;
    refused("rsp in the hypervisor", f);
    f.rsp = 0;
    f.flags = 1u << 4;
    refused("unknown flag bit 4", f);
    f.flags = 1u << 31;
    refused("unknown flag bit 31", f);
    f.flags = PV_FRAME_FROM_USER;
    f.rip = gt::hv_direct_map;
    refused("to user mode with a hypervisor rip", f);
    gt::restore_pvk_callbacks();
    test_pass();
}
