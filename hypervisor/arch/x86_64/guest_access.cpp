#include "guest_access.h"

#include "core/vcpu.h"
#include "cpu.h"
#include "percpu.h"

extern "C" char guest_copy_insn_q[], guest_copy_insn_b[], guest_copy_fixup_q[], guest_copy_fixup_b[];
extern "C" char user_syscall_writes[], user_syscall_writes_end[], user_syscall_fixup[];
extern "C" char iret_reads[], iret_reads_end[], iret_fixup[];
extern "C" char trap_fast_writes[], trap_fast_writes_end[], trap_fast_fixup[];
extern "C" char trap_fast_kernel_writes[], trap_fast_kernel_writes_end[];
extern "C" char deliver_upcall_writes[], deliver_upcall_writes_end[], deliver_upcall_fixup[];

namespace arch {
LiveGuestAccess g_guest_access;

// In the hypervisor build core::GuestAccess::read is this copy, inline
// (guest_range_ok, then guest_copy): one implementation for both.
kstd::Result<void> LiveGuestAccess::copy_from(void* dst, core::Gva src, size_t len) {
    if (!read(dst, src, len)) return kstd::Error::fault;
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
    this_cpu().mode = static_cast<uint8_t>(v.mode);
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
    // The assembly fast paths (syscall_entry.S, entry.S) touch guest memory only between these
    // labels, and fall back to the C path from their fixups.
    auto in = [&](const char* from, const char* to) {
        return frame.rip >= reinterpret_cast<uint64_t>(from) && frame.rip < reinterpret_cast<uint64_t>(to);
    };
    if (in(user_syscall_writes, user_syscall_writes_end)) {
        frame.rip = reinterpret_cast<uint64_t>(user_syscall_fixup);
        return true;
    }
    if (in(iret_reads, iret_reads_end)) {
        frame.rip = reinterpret_cast<uint64_t>(iret_fixup);
        return true;
    }
    if (in(trap_fast_writes, trap_fast_writes_end) || in(trap_fast_kernel_writes, trap_fast_kernel_writes_end)) {
        frame.rip = reinterpret_cast<uint64_t>(trap_fast_fixup);
        return true;
    }
    if (in(deliver_upcall_writes, deliver_upcall_writes_end)) {
        frame.rip = reinterpret_cast<uint64_t>(deliver_upcall_fixup);
        return true;
    }
    return false;
}

}  // namespace arch
