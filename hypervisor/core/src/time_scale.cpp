#include "core/time_scale.h"

namespace core {

TimeScale tsc_scale(uint64_t hz) {
    constexpr uint64_t ns_per_s = 1000000000;
    // Bring hz into (1e9, 2e9] with shifts, so that 1e9 / hz' lies in
    // [0.5, 1) and fits a 32-bit binary fraction.
    int shift = 0;
    uint64_t t = hz;
    while (t > 2 * ns_per_s) {
        t >>= 1;
        --shift;
    }
    while (t <= ns_per_s) {
        t <<= 1;
        ++shift;
    }
    return {static_cast<uint32_t>((ns_per_s << 32) / t), static_cast<int8_t>(shift)};
}

void publish_time(pv_vcpu_time_info& t, uint64_t tsc_timestamp, uint64_t system_time, TimeScale s) {
    volatile uint32_t& version = t.version;
    version = version + 1;  // odd: readers retry
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t.tsc_timestamp = tsc_timestamp;
    t.system_time = system_time;
    t.tsc_to_system_mul = s.mul;
    t.tsc_shift = s.shift;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    version = version + 1;  // even: consistent
}

}  // namespace core
