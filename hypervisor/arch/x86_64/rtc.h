// The CMOS real-time clock: read once at boot for the guests' wall clock.
#pragma once

#include <stdint.h>

namespace arch {

// Reads the RTC (UTC assumed, as QEMU and most firmware keep it) and
// records the wall-clock time at system time zero. False if unreadable.
bool rtc_init();
// Seconds and nanoseconds since the Unix epoch at system time zero.
void wallclock_at_zero(uint64_t* sec, uint32_t* nsec);

}  // namespace arch
