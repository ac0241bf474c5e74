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
// later. Defined below.
inline void lapic_arm_by(uint64_t deadline_ns, uint64_t now_ns);
void lapic_eoi();

namespace lapic_detail {
// About when the programmed count runs out (UINT64_MAX: not armed).
extern uint64_t g_fires_at;
}  // namespace lapic_detail

// Inline: the check is all a switch needs, most of the time.
inline void lapic_arm_by(uint64_t deadline_ns, uint64_t now_ns) {
    // An interrupt due later than now but no later than the deadline will
    // come; one whose time has passed may already have been handled.
    uint64_t at = lapic_detail::g_fires_at;
    if (at > now_ns && at <= deadline_ns) return;
    lapic_arm_at(deadline_ns, now_ns);
}

}  // namespace arch
