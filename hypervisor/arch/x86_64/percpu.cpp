#include "percpu.h"

#include <pvisor/abi.h>

#include "core/guest_regs.h"
#include "cpu.h"
#include "selectors.h"

extern "C" char syscall_entry[], syscall_entry_compat[];

namespace arch {
namespace {

PerCpu g_boot_cpu;

}  // namespace

void percpu_init() {
    g_boot_cpu.self = &g_boot_cpu;
    g_boot_cpu.cpu_id = 0;
    wrmsr(msr::gs_base, reinterpret_cast<uint64_t>(&g_boot_cpu));
    wrmsr(msr::kernel_gs_base, 0);

    // SYSCALL/SYSRET (Intel SDM Vol. 3A, 5.8.8): enable, entry points, and
    // the flags to clear on entry. IF is cleared so the entry's stack
    // switch cannot be interrupted; TF, DF, AC and NT so hypervisor code
    // never runs with the guest's choices.
    wrmsr(msr::efer, rdmsr(msr::efer) | efer::sce);
    wrmsr(msr::star, (uint64_t{SEL_SYSRET_BASE} << 48) | (uint64_t{SEL_HV_CODE} << 32));
    wrmsr(msr::lstar, reinterpret_cast<uint64_t>(syscall_entry));
    wrmsr(msr::cstar, reinterpret_cast<uint64_t>(syscall_entry_compat));
    wrmsr(msr::fmask, core::rflags::if_ | core::rflags::tf | core::rflags::df | core::rflags::ac | core::rflags::nt);
}

}  // namespace arch
