// set_segment_base: the FS base applies in both modes, the user GS base in
// virtual user mode only and the kernel GS base in kernel mode only; each
// takes effect at once, survives mode switches and yields to another
// domain (boot it next to a witness, which uses bases of its own).
#include <pvisor/segment.h>

#include "gt.h"
#include "pvk/boot_info.h"

const char test_title[] = "segment_bases";

namespace {

constinit uint64_t g_kernel_gs = 0x6b6b6b6b00000001;
constinit uint64_t g_kernel_gs2 = 0x6b6b6b6b00000002;
constinit uint64_t g_kernel_fs = 0x6666666600000001;

uint64_t fs0() {
    uint64_t v;
    // SAFETY: reads through the FS base, which points at a marker.
    asm volatile("mov %%fs:0, %0" : "=r"(v));
    return v;
}

uint64_t gs0() {
    uint64_t v;
    // SAFETY: reads through the kernel GS base, which points at a marker.
    asm volatile("mov %%gs:0, %0" : "=r"(v));
    return v;
}

void check_kernel(const char* when, uint64_t fs_want, uint64_t gs_want) {
    gt::check_eq(fs0(), fs_want, "%%fs:0 %s", when);
    gt::check_eq(gs0(), gs_want, "%%gs:0 %s", when);
}

}  // namespace

extern "C" const char gt_user_seg[], gt_user_seg_end[];
asm(".pushsection .rodata.gt_user, \"a\"\n"
    "gt_user_seg:\n"
    "  mov %fs:0, %rax\n"
    "  mov %gs:0, %rbx\n"
    "  ud2\n"
    "gt_user_seg_end:\n"
    ".popsection\n");

void test_main() {
    gt::check_rc(pv_set_segment_base(PV_SEGBASE_fs, reinterpret_cast<uint64_t>(&g_kernel_fs)), 0, "kernel FS base");
    gt::check_rc(pv_set_segment_base(PV_SEGBASE_gs_kernel, reinterpret_cast<uint64_t>(&g_kernel_gs)), 0,
                 "kernel GS base");
    check_kernel("at once", g_kernel_fs, g_kernel_gs);

    // Markers in the user region for user mode.
    const pvk::BootInfo& bi = pvk::boot_info();
    uint64_t user_fs = bi.user_va + 0x800, user_gs = bi.user_va + 0x900;
    *reinterpret_cast<volatile uint64_t*>(user_fs) = 0x7575757500000001;
    *reinterpret_cast<volatile uint64_t*>(user_gs) = 0x7575757500000002;
    gt::check_rc(pv_set_segment_base(PV_SEGBASE_gs_user, user_gs), 0, "user GS base");
    check_kernel("after setting the user GS base", g_kernel_fs, g_kernel_gs);

    for (int i = 0; i < 20; ++i) gt::check_rc(pv_sched_op(PV_SCHEDOP_yield, 0), 0, "yield");
    check_kernel("after 20 yields", g_kernel_fs, g_kernel_gs);

    gt::check_rc(pv_set_segment_base(PV_SEGBASE_fs, user_fs), 0, "FS base for user mode");
    pvk::UserContext ctx{};
    pvk::ExitReason r = gt::run_user_code(gt_user_seg, gt_user_seg_end, ctx);
    gt::check(r.kind == pvk::ExitReason::Kind::exception && r.vector == 6, "user code exited with vector %u",
              r.vector);
    gt::check_eq(ctx.rax, 0x7575757500000001, "user %%fs:0");
    gt::check_eq(ctx.rbx, 0x7575757500000002, "user %%gs:0");
    check_kernel("back from user mode", 0x7575757500000001, g_kernel_gs);

    gt::check_rc(pv_set_segment_base(PV_SEGBASE_gs_kernel, reinterpret_cast<uint64_t>(&g_kernel_gs2)), 0,
                 "second kernel GS base");
    check_kernel("after changing the kernel GS base", 0x7575757500000001, g_kernel_gs2);
    for (int i = 0; i < 20; ++i) gt::check_rc(pv_sched_op(PV_SCHEDOP_yield, 0), 0, "yield");
    check_kernel("after 20 more yields", 0x7575757500000001, g_kernel_gs2);

    gt::check_rc(pv_set_segment_base(PV_SEGBASE_gs_user, 0), 0, "user GS base 0");
    gt::check_rc(pv_set_segment_base(PV_SEGBASE_gs_kernel, 0), 0, "kernel GS base 0");
    gt::check_rc(pv_set_segment_base(PV_SEGBASE_fs, 0), 0, "FS base 0");
    test_pass();
}
