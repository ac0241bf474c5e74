// The time-stamp counter: calibrated once at boot against the PIT.
#pragma once

#include <stdint.h>

#include <pvisor/shared_info.h>

namespace arch {

// Measures the TSC frequency over a 10 ms PIT interval; returns Hz.
uint64_t tsc_calibrate();
uint64_t tsc_hz();
// The TSC at hypervisor system time zero (set by tsc_calibrate).
uint64_t tsc_boot();
// Nanoseconds since system time zero.
uint64_t system_time_ns();
// Fills a vCPU's time info in the shared page.
void publish_vcpu_time(pv_vcpu_time_info& t);

}  // namespace arch
