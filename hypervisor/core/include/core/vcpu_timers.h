// The timers a guest vCPU owns: the one-shot timer (set_timer_op, an
// absolute system time), the periodic timer (vcpu_op), both raising
// PV_VIRQ_TIMER, and the timeout of a poll. They live in the queue of the
// CPU the vCPU runs on; moving the vCPU to another CPU moves them too.
#pragma once

#include <stdint.h>

#include "core/timer.h"
#include "kstd/result.h"

namespace core {

// Shorter periods are refused: a guest could otherwise keep a CPU busy
// with timer interrupts alone (Xen draws the line at the same place).
constexpr uint64_t min_timer_period_ns = 1'000'000;

struct VcpuTimers {
    Timer singleshot;
    Timer periodic;
    Timer poll_timeout;

    // owner is the caller's name for the vCPU, returned with fired timers.
    void init(uint32_t owner);
};

// deadline 0 cancels. A deadline in the past fires at the next expire.
// ENOSPC if the queue is full.
[[nodiscard]] kstd::Result<void> set_singleshot_timer(TimerQueue& q, VcpuTimers& t, uint64_t deadline);
// period 0 stops the timer; otherwise it must be at least
// min_timer_period_ns (EINVAL) and first fires at now + period.
[[nodiscard]] kstd::Result<void> set_periodic_timer(TimerQueue& q, VcpuTimers& t, uint64_t period, uint64_t now);
// For poll with a timeout (0: none, and any armed timeout is cancelled).
[[nodiscard]] kstd::Result<void> set_poll_timeout(TimerQueue& q, VcpuTimers& t, uint64_t deadline);
// Before the vCPU is destroyed.
void cancel_vcpu_timers(TimerQueue& q, VcpuTimers& t);

}  // namespace core
