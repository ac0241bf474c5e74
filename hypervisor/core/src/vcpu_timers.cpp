#include "core/vcpu_timers.h"

namespace core {

void VcpuTimers::init(uint32_t owner) {
    singleshot = Timer{};
    singleshot.kind = TimerKind::singleshot;
    periodic = Timer{};
    periodic.kind = TimerKind::periodic;
    poll_timeout = Timer{};
    poll_timeout.kind = TimerKind::poll_timeout;
    singleshot.owner = periodic.owner = poll_timeout.owner = owner;
}

kstd::Result<void> set_singleshot_timer(TimerQueue& q, VcpuTimers& t, uint64_t deadline) {
    if (deadline == 0) {
        q.cancel(t.singleshot);
        return kstd::ok();
    }
    return q.arm(t.singleshot, deadline);
}

kstd::Result<void> set_periodic_timer(TimerQueue& q, VcpuTimers& t, uint64_t period, uint64_t now) {
    if (period == 0) {
        q.cancel(t.periodic);
        return kstd::ok();
    }
    uint64_t first = 0;
    if (period < min_timer_period_ns || __builtin_add_overflow(now, period, &first)) return kstd::Error::inval;
    return q.arm(t.periodic, first, period);
}

kstd::Result<void> set_poll_timeout(TimerQueue& q, VcpuTimers& t, uint64_t deadline) {
    if (deadline == 0) {
        q.cancel(t.poll_timeout);
        return kstd::ok();
    }
    return q.arm(t.poll_timeout, deadline);
}

void cancel_vcpu_timers(TimerQueue& q, VcpuTimers& t) {
    q.cancel(t.singleshot);
    q.cancel(t.periodic);
    q.cancel(t.poll_timeout);
}

}  // namespace core
