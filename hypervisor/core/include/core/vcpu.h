// A virtual CPU of a PV domain: what the guest registered (trap table,
// callbacks, kernel stack, segment bases), its virtual mode, and its
// scheduling state. Its registers live in the GuestRegs frame at the top
// of its hypervisor stack while it is not running.
#pragma once

#include <stdint.h>

#include <pvisor/callback.h>
#include <pvisor/shared_info.h>
#include <pvisor/trap.h>

#include "core/addr.h"
#include "core/guest_regs.h"

namespace core {

class Domain;

enum class VcpuMode : uint8_t { kernel, user };
enum class VcpuState : uint8_t { runnable, blocked, down };

struct TrapEntry {
    uint64_t address;  // 0: no handler
    uint8_t flags;     // PV_TRAP_*
};

struct Callback {
    uint64_t address;  // 0: not registered
    uint32_t flags;    // PV_CALLBACK_*
};

class Vcpu {
public:
    static constexpr uint32_t trap_count = 32;

    Domain* domain = nullptr;
    uint32_t id = 0;
    VcpuState state = VcpuState::down;
    VcpuMode mode = VcpuMode::kernel;

    TrapEntry traps[trap_count] = {};
    Callback callbacks[PV_CALLBACK_MAX] = {};
    uint64_t kernel_sp = 0;  // set only by stack_switch, which range-checks it
    uint64_t fs_base = 0;
    uint64_t gs_base_user = 0;
    uint64_t gs_base_kernel = 0;
    Mfn kernel_root;
    Mfn user_root;

    // This vCPU's slot in its domain's shared page.
    pv_vcpu_info* info = nullptr;

    // The hypervisor stack: the guest's GuestRegs sit at its top; saved_rsp
    // is where a context switch left the stack pointer.
    uint64_t stack_bottom = 0;
    uint64_t stack_top = 0;
    uint64_t saved_rsp = 0;

    // The x87/SSE state (FXSAVE format, Intel SDM Vol. 1, 10.5.1), saved
    // and restored whenever the CPU switches vCPUs so that no domain sees
    // another's registers.
    alignas(16) uint8_t fpu[512] = {};

    // Counters for the hypervisor's domain table and benchmarks.
    uint64_t hypercalls = 0;
    uint64_t bounces = 0;

    // Given its first registers (vCPU 0 by the builder, others by
    // vcpu_op initialise). Appended here: assembly offsets precede it.
    bool initialised = false;

    // More counters for the domain table and the benchmarks' events per
    // operation (appended for the same reason): exceptions the vCPU raised
    // into the hypervisor (bounced, emulated or fatal), page-table entries
    // changed for it, and event-channel sends it made.
    uint64_t traps_taken = 0;
    uint64_t pt_updates = 0;
    uint64_t event_sends = 0;

    GuestRegs* regs() const { return reinterpret_cast<GuestRegs*>(stack_top - sizeof(GuestRegs)); }
    bool events_masked() const { return info == nullptr || info->upcall_mask != 0; }
};

}  // namespace core
