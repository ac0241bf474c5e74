// Calendar arithmetic for the wall clock: a civil date to seconds since the
// Unix epoch (1970-01-01 00:00:00 UTC), proleptic Gregorian.
#pragma once

#include <stdint.h>

namespace core {

struct CivilTime {
    uint32_t year;  // e.g. 2026
    uint32_t month; // 1-12
    uint32_t day;   // 1-31
    uint32_t hour, minute, second;
};

// Seconds since the epoch, or -1 for a date that is not valid.
int64_t unix_seconds(const CivilTime& t);

}  // namespace core
