#include "irq.h"

#include "core/log.h"

namespace arch {

void irq_dispatch(TrapFrame& frame) {
    if (frame.vector == vector_spurious) return;  // no EOI for a spurious interrupt
    LOG_WARN("unexpected interrupt %lu at rip %#lx\n", frame.vector, frame.rip);
}

}  // namespace arch
