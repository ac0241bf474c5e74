// Converting TSC ticks to nanoseconds the way guests do it from the shared
// page (pvisor/shared_info.h): ns = ((ticks << shift) * mul) >> 32, with a
// negative shift meaning a right shift. 32-bit mul and a shift keep the
// guest's arithmetic to one 64x32 multiply.
#pragma once

#include <stdint.h>

#include <pvisor/shared_info.h>

namespace core {

struct TimeScale {
    uint32_t mul;
    int8_t shift;
};

// The scale for a TSC running at hz (hz > 0).
TimeScale tsc_scale(uint64_t hz);

// Inline: the hypervisor reads the clock on every switch.
inline uint64_t scale_ticks(uint64_t ticks, TimeScale s) {
    ticks = s.shift >= 0 ? ticks << s.shift : ticks >> -s.shift;
    return static_cast<uint64_t>((static_cast<unsigned __int128>(ticks) * s.mul) >> 32);
}

// The same conversion with the shift folded into a 64-bit multiplier, for
// the hypervisor's own clock, which every switch reads: no branch on the
// shift's sign. A left shift moves into mul (mul << shift < 2^62); a right
// shift stays, since it drops low bits before the multiply.
// scale_ticks(t, tick_scale(s)) == scale_ticks(t, s) whenever t << shift
// fits in 64 bits (about 18 years of ticks at shift 1).
struct TickScale {
    uint64_t mul;
    uint8_t rshift;
};

constexpr TickScale tick_scale(TimeScale s) {
    if (s.shift >= 0) return {uint64_t{s.mul} << s.shift, 0};
    return {s.mul, static_cast<uint8_t>(-s.shift)};
}

inline uint64_t scale_ticks(uint64_t ticks, TickScale s) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(ticks >> s.rshift) * s.mul) >> 32);
}

// Publishes a time base under the version protocol: version odd while the
// fields change, even after.
void publish_time(pv_vcpu_time_info& t, uint64_t tsc_timestamp, uint64_t system_time, TimeScale s);

}  // namespace core
