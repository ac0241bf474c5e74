// Addresses passed as values, not dereferenced at once: segment bases,
// handler and callback addresses and the kernel stack. Non-canonical ones
// (and, for code and stacks, ones in the hypervisor's range) are refused
// with -PV_EINVAL and change nothing; the edges of the rules are accepted.
#include <pvisor/segment.h>

#include "gt.h"
#include "pv.h"
#include "pvk/kprintf.h"

const char test_title[] = "address_values";

namespace {

constinit uint64_t g_fs_marker = 0x0f5f5f5f5f5f5f5f;

uint64_t read_fs0() {
    uint64_t v;
    // SAFETY: the FS base points at g_fs_marker (set in test_main).
    asm volatile("mov %%fs:0, %0" : "=r"(v));
    return v;
}

constexpr uint64_t non_canonical[] = {
    0x0000800000000000, 0x00007fffffffffff + 2, 0x8000000000000000, 0xffff7fffffffffff, gt::non_canonical_poison,
};
constexpr uint64_t hypervisor[] = {gt::hv_first, gt::hv_direct_map, gt::hv_last};
constexpr uint64_t segbases[] = {PV_SEGBASE_fs, PV_SEGBASE_gs_user, PV_SEGBASE_gs_kernel, 3};
constexpr uint32_t callback_types[] = {PV_CALLBACK_EVENT, PV_CALLBACK_SYSCALL, PV_CALLBACK_FAILSAFE};
// The 96 bytes below these stacks reach into the hypervisor's range.
constexpr uint64_t hypervisor_stacks[] = {gt::hv_first,  gt::hv_first + 96,       gt::hv_direct_map + 0x10000,
                                          gt::hv_last,   PV_HYPERVISOR_VIRT_END, PV_HYPERVISOR_VIRT_END + 95};

void segment_bases() {
    gt::check_rc(pv_set_segment_base(PV_SEGBASE_fs, reinterpret_cast<uint64_t>(&g_fs_marker)), 0, "set FS base");
    for (uint64_t a : non_canonical)
        for (uint64_t which : segbases)
            gt::check_rc(pv_set_segment_base(which, a), -PV_EINVAL, "segment base %lu = %#lx", which, a);
    gt::check_rc(pv_set_segment_base(3, 0), -PV_EINVAL, "segment base 3 (unknown)");
    gt::check_rc(pv_set_segment_base(uint64_t{1} << 32, 0), -PV_EINVAL, "segment base 2^32 (fs + 2^32)");
    gt::check_eq(read_fs0(), g_fs_marker, "%%fs:0 after refused segment bases");
}

void handler_addresses() {
    for (uint64_t a : non_canonical) gt::check_rc(gt::set_trap(19, 0, a), -PV_EINVAL, "trap handler %#lx", a);
    for (uint64_t a : hypervisor) gt::check_rc(gt::set_trap(19, 0, a), -PV_EINVAL, "trap handler %#lx", a);
    // The first address above the hypervisor's range is a guest address.
    gt::check_rc(gt::set_trap(20, 0, PV_HYPERVISOR_VIRT_END), 0, "trap handler at PV_HYPERVISOR_VIRT_END");
    gt::check_rc(gt::set_trap(20, 0, 0), 0, "removing the handler for vector 20");

    for (uint32_t type : callback_types) {
        for (uint64_t a : non_canonical) {
            pv_callback cb{type, 0, a};
            gt::check_rc(pv_callback_op(PV_CALLBACKOP_register, &cb), -PV_EINVAL, "callback %u at %#lx", type, a);
        }
        for (uint64_t a : hypervisor) {
            pv_callback cb{type, 0, a};
            gt::check_rc(pv_callback_op(PV_CALLBACKOP_register, &cb), -PV_EINVAL, "callback %u at %#lx", type, a);
        }
    }
}

void kernel_stacks() {
    // The 96 bytes below the stack must be canonical: 0x800000000000 itself
    // would do (its frame lies below), anything above it up to the upper
    // half would not.
    for (uint64_t a : non_canonical) {
        if (a == 0x0000800000000000) a += 96;
        gt::check_rc(pv_stack_switch(a), -PV_EINVAL, "stack_switch(%#lx)", a);
    }
    for (uint64_t a : hypervisor_stacks)
        gt::check_rc(pv_stack_switch(a), -PV_EINVAL, "stack_switch(%#lx)", a);
    gt::check_rc(pv_stack_switch(0), -PV_EINVAL, "stack_switch(0)");
    gt::check_rc(pv_stack_switch(95), -PV_EINVAL, "stack_switch(95)");
    // The edges that are allowed (the stack is not checked for being mapped).
    gt::check_rc(pv_stack_switch(96), 0, "stack_switch(96)");
    gt::check_rc(pv_stack_switch(PV_HYPERVISOR_VIRT_END + 96), 0, "stack_switch(PV_HYPERVISOR_VIRT_END + 96)");
    gt::check_rc(pv_stack_switch(reinterpret_cast<uint64_t>(pvk_pv_entry_stack_top)), 0, "restoring the stack");
}

}  // namespace

// A system call and a ud2 in user mode: the deliveries need the kernel
// stack and the callbacks to be intact.
extern "C" const char gt_user_ud2[], gt_user_ud2_end[];
asm(".pushsection .rodata.gt_user, \"a\"\n"
    "gt_user_ud2: syscall; ud2\n"
    "gt_user_ud2_end:\n"
    ".popsection\n");

void test_main() {
    segment_bases();
    handler_addresses();
    kernel_stacks();
    // After all of that, user mode still exits onto the kernel stack
    // through the handlers pvkernel installed.
    pvk::UserContext ctx{};
    pvk::ExitReason r = gt::run_user_code(gt_user_ud2, gt_user_ud2_end, ctx);
    gt::check(r.kind == pvk::ExitReason::Kind::syscall, "user syscall exited with vector %u", r.vector);
    r = gt::resume_user(ctx);
    gt::check(r.kind == pvk::ExitReason::Kind::exception && r.vector == 6, "user ud2 exited with vector %u",
              r.vector);
    test_pass();
}
