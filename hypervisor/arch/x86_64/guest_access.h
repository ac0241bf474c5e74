// Guest memory from the hypervisor: copies through the live page tables
// (the guest's root is loaded whenever its vCPU runs), with faults caught
// and turned into EFAULT instead of crashing the hypervisor.
#pragma once

#include "core/guest_access.h"
#include "core/guest_regs.h"

namespace arch {

class LiveGuestAccess final : public core::GuestAccess {
public:
    kstd::Result<void> copy_from(void* dst, core::Gva src, size_t len) override;
    kstd::Result<void> copy_to(core::Gva dst, const void* src, size_t len) override;
    void set_mode(core::Vcpu& vcpu, core::VcpuMode mode) override;
};

extern LiveGuestAccess g_guest_access;
inline LiveGuestAccess& guest_access() { return g_guest_access; }

// Called by the trap handler for a fault in hypervisor mode: if it hit
// inside guest_copy, resume at its fixup and return true.
bool fixup_guest_copy_fault(core::GuestRegs& frame);

// Loads the page-table root and GS base for the vCPU's current mode.
void load_mode(core::Vcpu& v);

}  // namespace arch
