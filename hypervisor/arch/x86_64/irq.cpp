#include "irq.h"

#include "core/log.h"
#include "lapic.h"
#include "sched.h"

namespace arch {

void irq_dispatch(TrapFrame& frame) {
    if (frame.vector == vector_spurious) return;  // no EOI for a spurious interrupt
    lapic_eoi();
    if (frame.vector == vector_lapic_timer) {
        sched_timer_interrupt(frame);
        return;
    }
    LOG_WARN("unexpected interrupt %lu at rip %#lx\n", frame.vector, frame.rip);
}

}  // namespace arch
