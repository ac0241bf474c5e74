// The witness: the other domain of the two-domain tests. It yields many
// times while the domain under test runs (and perhaps is crashed), checking
// after every yield that its own FS and kernel GS bases and SSE registers
// survived the switches, then passes. Its PASS line after the other domain's end shows
// that the hypervisor kept running the rest of the machine.
#include <pvisor/segment.h>

#include "gt.h"
#include "pvk/boot_info.h"
#include "pvk/cmdline.h"
#include "pvk/kprintf.h"

const char test_title[] = "witness";

namespace {

constinit uint64_t g_fs_marker = 0;
constinit uint64_t g_gs_marker = 0;

uint64_t read_fs0() {
    uint64_t v;
    // SAFETY: FS base points at g_fs_marker, set below.
    asm volatile("mov %%fs:0, %0" : "=r"(v));
    return v;
}

uint64_t read_gs0() {
    uint64_t v;
    // SAFETY: the kernel GS base points at g_gs_marker, set below.
    asm volatile("mov %%gs:0, %0" : "=r"(v));
    return v;
}

void set_xmm(uint64_t v) {
    // SAFETY: SSE is enabled for guests and switched per vCPU (SPEC.md
    // section 2); the kernel itself never uses SSE registers.
    asm volatile("movq %0, %%xmm0; movq %0, %%xmm15" ::"r"(v) : "xmm0", "xmm15");
}

uint64_t xmm0() {
    uint64_t v;
    // SAFETY: as set_xmm.
    asm volatile("movq %%xmm0, %0" : "=r"(v));
    return v;
}

uint64_t xmm15() {
    uint64_t v;
    // SAFETY: as set_xmm.
    asm volatile("movq %%xmm15, %0" : "=r"(v));
    return v;
}

}  // namespace

void test_main() {
    uint64_t yields = pvk::cmdline_u64("yields", 200);
    g_fs_marker = 0xf5f5000000000000 | pvk::boot_info().domid;
    g_gs_marker = 0x6565000000000000 | pvk::boot_info().domid;
    gt::check_rc(pv_set_segment_base(PV_SEGBASE_fs, reinterpret_cast<uint64_t>(&g_fs_marker)), 0, "set FS base");
    gt::check_rc(pv_set_segment_base(PV_SEGBASE_gs_kernel, reinterpret_cast<uint64_t>(&g_gs_marker)), 0,
                 "set kernel GS base");
    uint64_t xmm_marker = 0x5e5e000000000000 | pvk::boot_info().domid;
    set_xmm(xmm_marker);
    for (uint64_t i = 0; i < yields && gt::failures() == 0; ++i) {
        gt::check_rc(pv_sched_op(PV_SCHEDOP_yield, 0), 0, "yield %lu", i);
        gt::check_eq(read_fs0(), g_fs_marker, "%%fs:0 after yield %lu", i);
        gt::check_eq(read_gs0(), g_gs_marker, "%%gs:0 after yield %lu", i);
        gt::check_eq(xmm0(), xmm_marker, "xmm0 after yield %lu", i);
        gt::check_eq(xmm15(), xmm_marker, "xmm15 after yield %lu", i);
    }
    pvk::kprintf("witness: %lu yields done\n", yields);
    test_pass();
}
