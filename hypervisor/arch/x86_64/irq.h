// Interrupts (vectors 32-255): the hypervisor's own devices. Guests never
// see a hardware interrupt; they get events.
#pragma once

#include "trap_frame.h"

namespace arch {

inline constexpr uint8_t vector_spurious = 0xff;

void irq_dispatch(TrapFrame& frame);

}  // namespace arch
