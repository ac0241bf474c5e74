// The local APIC: the hypervisor's timer. One-shot mode, programmed for
// the next scheduling or guest-timer deadline; calibrated against the TSC.
#pragma once

#include <stdint.h>

namespace arch {

inline constexpr uint8_t vector_lapic_timer = 0xf0;

// Enables the APIC, measures its timer and masks it. False if there is no
// usable APIC (the hypervisor then runs without preemption or timers).
bool lapic_init();
bool lapic_present();
uint64_t lapic_timer_hz();
// Fires vector_lapic_timer at system time `deadline_ns` (or at once if it
// has passed); UINT64_MAX disarms.
void lapic_arm(uint64_t deadline_ns);
// The same, for a caller that has just read the system time.
void lapic_arm_at(uint64_t deadline_ns, uint64_t now_ns);
// Makes sure the timer fires no later than deadline_ns: an earlier
// interrupt still to come is left armed (its handler re-arms), which spares
// the MMIO write on the scheduler's switches, whose deadlines mostly move
// later.
void lapic_arm_by(uint64_t deadline_ns, uint64_t now_ns);
void lapic_eoi();

}  // namespace arch
