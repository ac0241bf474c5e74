// sched_op poll: returns at once when a named port is already pending
// (masked or not), sleeps until a named port becomes pending (the timer's,
// masked, so no upcall is involved), returns at the timeout otherwise, and
// refuses bad requests with the errors of pvisor/sched.h and
// event_channel.h (E2BIG, EINVAL, ERANGE, EFAULT). Events stay masked.
#include <pvisor/sched.h>

#include "ev.h"

const char test_title[] = "poll";

namespace {

using namespace ev;
namespace events = pvk::events;

int64_t raw_poll(const uint32_t* ports, uint32_t n, uint64_t timeout, uint32_t pad = 0) {
    pv_sched_poll req{ptr(ports), n, pad, timeout};
    return pv_sched_op(PV_SCHEDOP_poll, ptr(&req));
}

}  // namespace

void test_main() {
    // No upcall callback: the domain sees its events only through poll.
    kstd::Result<events::Port> tr = events::timer_init(nullptr, nullptr);
    kstd::Result<events::Port> ir = events::bind_ipi(nullptr, nullptr);
    kstd::Result<events::Port> ur = events::alloc_unbound(PV_DOMID_SELF);
    if (tr.is_error() || ir.is_error() || ur.is_error()) return test_error("binding ports");
    uint32_t timer = tr.value(), ipi = ir.value(), idle = ur.value();

    // Already pending (and masked: poll ignores the mask): at once.
    events::mask(ipi);
    gt::check(events::send(ipi).is_ok(), "send");
    uint64_t t0 = now();
    gt::check_rc(raw_poll(&ipi, 1, t0 + 500 * ms), 0, "poll a pending port");
    gt::check(now() - t0 < 50 * ms, "poll of a pending port returned at once (%lu ns)", now() - t0);
    uint32_t two[] = {idle, ipi};
    gt::check_rc(raw_poll(two, 2, 0), 0, "poll two ports, one pending, no timeout");
    events::clear_pending(ipi);

    // Becomes pending: the (masked) timer port at +5 ms, timeout +1 s.
    events::mask(timer);
    uint64_t deadline = now() + 5 * ms;
    gt::check_rc(pv_set_timer_op(deadline), 0, "arm");
    gt::check_rc(raw_poll(&timer, 1, now() + 1000 * ms), 0, "poll the timer port");
    uint64_t t1 = now();
    gt::check(t1 >= deadline, "poll returned at %lu, before the timer at %lu", t1, deadline);
    gt::check(t1 < deadline + 500 * ms, "poll returned %lu ns after the timer", t1 - deadline);
    gt::check(events::is_pending(timer), "the timer port is pending after poll");
    events::clear_pending(timer);

    // Nothing comes: returns at the timeout.
    const uint64_t waits[] = {2 * ms, 20 * ms};
    for (uint64_t wait : waits) {
        uint64_t timeout = now() + wait;
        gt::check_rc(raw_poll(&idle, 1, timeout), 0, "poll with a timeout");
        gt::check(now() >= timeout, "poll returned %lu ns before its timeout", timeout - now());
        gt::check(now() < timeout + 500 * ms, "poll returned %lu ns after its timeout", now() - timeout);
    }
    t0 = now();
    gt::check_rc(raw_poll(&idle, 1, 1), 0, "poll with a timeout in the past");
    gt::check(now() - t0 < 50 * ms, "a past timeout returned at once");
    uint32_t closed = 900, zero = 0;
    gt::check_rc(raw_poll(&closed, 1, now() + 1 * ms), 0, "poll a closed port (times out)");
    gt::check_rc(raw_poll(&zero, 1, now() + 1 * ms), 0, "poll port 0 (times out)");

    // Refusals.
    uint32_t many[PV_SCHED_POLL_MAX_PORTS + 1];
    for (uint32_t& p : many) p = idle;
    gt::check_rc(raw_poll(many, PV_SCHED_POLL_MAX_PORTS + 1, 1), -PV_E2BIG, "129 ports");
    gt::check_rc(raw_poll(many, 0xffffffff, 1), -PV_E2BIG, "~0 ports");
    gt::check_rc(raw_poll(many, PV_SCHED_POLL_MAX_PORTS, 1), 0, "128 ports");
    gt::check_rc(raw_poll(many, 0, 1), -PV_EINVAL, "0 ports");
    gt::check_rc(raw_poll(&idle, 1, 1, 1), -PV_EINVAL, "pad 1");
    uint32_t beyond[] = {idle, pvk::events::max_ports};
    gt::check_rc(raw_poll(beyond, 2, 1), -PV_ERANGE, "a port beyond the table");
    uint32_t huge = 0xffffffff;
    gt::check_rc(raw_poll(&huge, 1, 1), -PV_ERANGE, "port ~0");
    const uint64_t bad[] = {gt::unmapped_va(), gt::non_canonical, gt::hv_direct_map, ~uint64_t{0} - 3};
    for (uint64_t a : bad) {
        pv_sched_poll req{a, 1, 0, 1};
        gt::check_rc(pv_sched_op(PV_SCHEDOP_poll, ptr(&req)), -PV_EFAULT, "ports at %#lx", a);
        gt::check_rc(pv_sched_op(PV_SCHEDOP_poll, a), -PV_EFAULT, "request at %#lx", a);
    }

    if (gt::failures() == 0) test_pass();
}
