// Checks that asm_offsets.h matches the C++ layouts it describes.
#include "asm_offsets.h"

#include <pvisor/callback.h>
#include <pvisor/shared_info.h>

#include "core/guest_regs.h"
#include "core/vcpu.h"
#include "cpu.h"
#include "percpu.h"

namespace arch {

using core::Vcpu;
static_assert(__builtin_offsetof(Vcpu, mode) == VCPU_MODE);
static_assert(static_cast<int>(core::VcpuMode::kernel) == VCPU_MODE_KERNEL);
static_assert(static_cast<int>(core::VcpuMode::user) == VCPU_MODE_USER);
static_assert(__builtin_offsetof(Vcpu, traps) == VCPU_TRAPS);
static_assert(__builtin_offsetof(Vcpu, callbacks) + PV_CALLBACK_EVENT * sizeof(core::Callback) == VCPU_CB_EVENT_ADDR);
static_assert(__builtin_offsetof(core::GuestRegs, r11) == GR_R11);
static_assert(__builtin_offsetof(core::GuestRegs, rcx) == GR_RCX);
static_assert(__builtin_offsetof(core::GuestRegs, rax) == GR_RAX);
static_assert(__builtin_offsetof(core::GuestRegs, rip) == GR_RIP);
static_assert(__builtin_offsetof(core::GuestRegs, cs) == GR_CS);
static_assert(__builtin_offsetof(core::GuestRegs, rflags) == GR_RFLAGS);
static_assert(__builtin_offsetof(core::GuestRegs, rsp) == GR_RSP);
static_assert(__builtin_offsetof(core::GuestRegs, ss) == GR_SS);
static_assert(sizeof(core::TrapEntry) == 16 && __builtin_offsetof(core::TrapEntry, flags) == 8);
static_assert(__builtin_offsetof(Vcpu, traps_taken) == VCPU_TRAPS_TAKEN);
static_assert(__builtin_offsetof(pv_vcpu_info, fault_address) == VCPU_INFO_FAULT_ADDRESS);
static_assert(Vcpu::trap_count == 32);
static_assert(__builtin_offsetof(Vcpu, callbacks) + PV_CALLBACK_SYSCALL * sizeof(core::Callback) ==
              VCPU_CB_SYSCALL_ADDR);
static_assert(VCPU_CB_SYSCALL_FLAGS - VCPU_CB_SYSCALL_ADDR == __builtin_offsetof(core::Callback, flags));
static_assert(__builtin_offsetof(Vcpu, kernel_sp) == VCPU_KERNEL_SP);
static_assert(__builtin_offsetof(Vcpu, gs_base_user) == VCPU_GS_USER);
static_assert(__builtin_offsetof(Vcpu, gs_base_kernel) == VCPU_GS_KERNEL);
static_assert(__builtin_offsetof(Vcpu, kernel_root) == VCPU_KERNEL_ROOT);
static_assert(__builtin_offsetof(Vcpu, user_root) == VCPU_USER_ROOT);
static_assert(__builtin_offsetof(Vcpu, info) == VCPU_INFO);
static_assert(__builtin_offsetof(Vcpu, hypercalls) == VCPU_HYPERCALLS);
static_assert(__builtin_offsetof(Vcpu, bounces) == VCPU_BOUNCES);
static_assert(__builtin_offsetof(pv_vcpu_info, upcall_mask) == VCPU_INFO_UPCALL_MASK);
static_assert(__builtin_offsetof(pv_vcpu_info, upcall_pending) == VCPU_INFO_UPCALL_PENDING);
static_assert(core::rflags::guest_settable == RFLAGS_GUEST_SETTABLE);
static_assert((core::rflags::guest_settable & ~(core::rflags::tf | core::rflags::rf | core::rflags::ac)) ==
              RFLAGS_HANDLER_KEEP);
static_assert(msr::kernel_gs_base == MSR_KERNEL_GS_BASE);

}  // namespace arch
