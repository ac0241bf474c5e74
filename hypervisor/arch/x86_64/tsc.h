// The time-stamp counter: calibrated once at boot against the PIT.
#pragma once

#include <stdint.h>

namespace arch {

// Measures the TSC frequency over a 10 ms PIT interval; returns Hz.
uint64_t tsc_calibrate();
uint64_t tsc_hz();

}  // namespace arch
