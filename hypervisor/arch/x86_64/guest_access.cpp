#include "guest_access.h"

#include "core/vcpu.h"
#include "cpu.h"

extern "C" uint64_t guest_copy(void* dst, const void* src, size_t n);
extern "C" char guest_copy_insn_q[], guest_copy_insn_b[], guest_copy_fixup_q[], guest_copy_fixup_b[];

namespace arch {
LiveGuestAccess g_guest_access;

kstd::Result<void> LiveGuestAccess::copy_from(void* dst, core::Gva src, size_t len) {
    if (!core::guest_range_ok(src.raw, len)) return kstd::Error::fault;
    // SAFETY: the range is canonical and outside the hypervisor's slots, so
    // the worst it can do is fault, which guest_copy's fixup turns into a
    // short count. Guest pages are user pages the hypervisor may read.
    if (guest_copy(dst, reinterpret_cast<const void*>(src.raw), len) != 0) return kstd::Error::fault;
    return kstd::ok();
}

kstd::Result<void> LiveGuestAccess::copy_to(core::Gva dst, const void* src, size_t len) {
    if (!core::guest_range_ok(dst.raw, len)) return kstd::Error::fault;
    // SAFETY: as copy_from; CR0.WP makes a read-only guest page fault
    // here too instead of being written.
    if (guest_copy(reinterpret_cast<void*>(dst.raw), src, len) != 0) return kstd::Error::fault;
    return kstd::ok();
}

void load_mode(core::Vcpu& v) {
    bool kernel = v.mode == core::VcpuMode::kernel;
    write_cr3(core::to_maddr(kernel ? v.kernel_root : v.user_root).raw);
    // While the hypervisor runs, the guest's GS base waits in
    // KERNEL_GS_BASE for the swapgs on the way out.
    wrmsr(msr::kernel_gs_base, kernel ? v.gs_base_kernel : v.gs_base_user);
}

void LiveGuestAccess::set_mode(core::Vcpu& v, core::VcpuMode mode) {
    if (v.mode == mode) return;
    v.mode = mode;
    load_mode(v);
}

bool fixup_guest_copy_fault(core::GuestRegs& frame) {
    if (frame.rip == reinterpret_cast<uint64_t>(guest_copy_insn_q)) {
        frame.rip = reinterpret_cast<uint64_t>(guest_copy_fixup_q);
        return true;
    }
    if (frame.rip == reinterpret_cast<uint64_t>(guest_copy_insn_b)) {
        frame.rip = reinterpret_cast<uint64_t>(guest_copy_fixup_b);
        return true;
    }
    return false;
}

}  // namespace arch
