// A vCPU's hypervisor stack: allocation, the initial frame that makes its
// first switch enter the guest, and release.
#pragma once

#include "core/domain.h"
#include "core/guest_regs.h"
#include "kstd/result.h"

namespace arch {

// Gives v a stack whose top holds `initial` and whose first switch_stacks
// returns into the guest with those registers.
[[nodiscard]] kstd::Result<void> vcpu_stack_init(core::Vcpu& v, const core::GuestRegs& initial);

// Releases an ended domain's memory and its vCPUs' stacks.
void vcpus_release(core::Domain& d);

}  // namespace arch
