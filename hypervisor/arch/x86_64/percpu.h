/* Per-CPU data, reached through GS while in the hypervisor. Offsets are
 * shared with the assembly entry code. */
#ifndef PVISOR_ARCH_PERCPU_H
#define PVISOR_ARCH_PERCPU_H

#define PERCPU_SELF 0
#define PERCPU_STACK_TOP 8   /* top of the current vCPU's hypervisor stack */
#define PERCPU_SCRATCH 16    /* guest rsp while the syscall entry switches stacks */
#define PERCPU_CURRENT 24
/* The running vCPU's virtual mode (a copy of Vcpu::mode, kept by
 * load_mode and the fast paths), so the entry can branch on it at once. */
#define PERCPU_MODE 44
/* The running vCPU's vcpu_info (a copy of current->info), for the check
 * for a pending upcall on every exit. */
#define PERCPU_VCPU_INFO 56

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "core/vcpu.h"
#include "x86/descriptors.h"

namespace arch {

struct PerCpu {
    PerCpu* self;
    uint64_t stack_top;
    uint64_t scratch;
    core::Vcpu* current;  // null while the CPU runs its scheduler loop
    uint64_t idle_rsp;    // the scheduler loop's saved stack pointer
    uint32_t cpu_id;
    uint8_t mode;         // Vcpu::mode of current
    x86::Tss* tss;  // this CPU's TSS, whose rsp0 a vCPU switch sets (sched_init)
    pv_vcpu_info* vcpu_info;  // current->info, set with current
};
static_assert(__builtin_offsetof(PerCpu, stack_top) == PERCPU_STACK_TOP);
static_assert(__builtin_offsetof(PerCpu, scratch) == PERCPU_SCRATCH);
static_assert(__builtin_offsetof(PerCpu, current) == PERCPU_CURRENT);
static_assert(__builtin_offsetof(PerCpu, mode) == PERCPU_MODE);
static_assert(__builtin_offsetof(PerCpu, vcpu_info) == PERCPU_VCPU_INFO);

inline PerCpu& this_cpu() {
    PerCpu* p;
    // SAFETY: GS base points at this CPU's PerCpu whenever hypervisor code
    // runs (percpu_init, and the swapgs on every entry from ring 3).
    asm volatile("movq %%gs:0, %0" : "=r"(p));
    return *p;
}
// Sets up GS for this CPU and the SYSCALL MSRs.
void percpu_init();

}  // namespace arch
#endif

#endif
