// The register state saved by the entry stubs: core::GuestRegs, whose
// layout entry.S and syscall_entry.S push.
#pragma once

#include "core/guest_regs.h"

namespace arch {

using TrapFrame = core::GuestRegs;

inline bool from_user(const TrapFrame& f) { return (f.cs & 3) != 0; }

}  // namespace arch
