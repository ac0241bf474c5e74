// The time-stamp counter: calibrated once at boot against the PIT.
#pragma once

#include <stdint.h>

#include <pvisor/shared_info.h>

#include "core/time_scale.h"
#include "cpu.h"

namespace arch {

// Measures the TSC frequency over a 10 ms PIT interval; returns Hz.
uint64_t tsc_calibrate();
uint64_t tsc_hz();
// The TSC at hypervisor system time zero (set by tsc_calibrate).
uint64_t tsc_boot();
namespace tsc_detail {
// Set once by tsc_calibrate; read inline by system_time_ns.
extern uint64_t g_boot;
extern core::TimeScale g_scale;       // as published to guests
extern core::TickScale g_tick_scale;  // the same, for system_time_ns
}  // namespace tsc_detail

// Nanoseconds since system time zero. Inline: every switch reads it.
inline uint64_t system_time_ns() { return core::scale_ticks(rdtsc() - tsc_detail::g_boot, tsc_detail::g_tick_scale); }
// Fills a vCPU's time info in the shared page.
void publish_vcpu_time(pv_vcpu_time_info& t);

}  // namespace arch
