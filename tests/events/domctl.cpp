// domctl from dom0: pause stops dom1 (a worker that sends dom0 an event
// every few microseconds: while paused, none arrive, and the worker sees
// a gap in its own clock at least as long as the pause), pauses nest,
// unpause resumes it, a second unpause is EALREADY; get/set_sched; and
// the refusals: self-pause EINVAL, no such domain ESRCH, domid above
// PV_DOMID_SELF EINVAL, weight 0 or > 65535 and cap > 100 EINVAL, bad
// pointers EFAULT, unknown commands ENOSYS. dom1 gets EPERM for all.
#include "ev.h"
#include "pvk/kprintf.h"

const char test_title[] = "domctl";

namespace {

using namespace ev;
namespace events = pvk::events;

// dom0 pauses the worker for at least this long in all.
constexpr uint64_t paused_ns = 80 * ms;

volatile bool g_stop = false;
void on_stop(events::Port, void*) { g_stop = true; }

int64_t set_sched(uint64_t dom, uint32_t weight, uint32_t cap) {
    pv_domctl_sched s{weight, cap};
    return pv_domctl(PV_DOMCTL_set_sched, dom, ptr(&s));
}

// Whether the worker's port fires within `wait` (the port is masked; we
// poll, then clear it).
bool fires_within(uint32_t port, uint64_t wait) {
    events::clear_pending(port);
    uint64_t until = now() + wait;
    while (!events::is_pending(port) && now() < until) (void)events::poll(&port, 1, until);
    bool fired = events::is_pending(port);
    events::clear_pending(port);
    return fired;
}

void controller() {
    uint32_t port = offer(1, nullptr, nullptr);
    if (port == 0 || !await_peer(port)) return;
    events::mask(port);

    pv_domctl_sched s{};
    gt::check_rc(pv_domctl(PV_DOMCTL_get_sched, 1, ptr(&s)), 0, "get_sched dom1");
    gt::check_eq(s.weight, 256, "default weight");
    gt::check_eq(s.cap, 0, "default cap");

    gt::check(fires_within(port, 500 * ms), "the worker runs before the pause");
    gt::check_rc(pv_domctl(PV_DOMCTL_pause, 1, 0), 0, "pause dom1");
    gt::check(!fires_within(port, paused_ns / 2), "the paused worker sent an event");
    gt::check_rc(pv_domctl(PV_DOMCTL_pause, 1, 0), 0, "pause dom1 again (nested)");
    gt::check_rc(pv_domctl(PV_DOMCTL_unpause, 1, 0), 0, "unpause once");
    gt::check(!fires_within(port, paused_ns / 2), "the worker ran while still paused once");
    gt::check_rc(pv_domctl(PV_DOMCTL_unpause, 1, 0), 0, "unpause dom1");
    gt::check(fires_within(port, 500 * ms), "the worker runs again after the unpause");
    gt::check_rc(pv_domctl(PV_DOMCTL_unpause, 1, 0), -PV_EALREADY, "unpause a running domain");

    gt::check_rc(pv_domctl(PV_DOMCTL_pause, 0, 0), -PV_EINVAL, "pause ourselves by ID");
    gt::check_rc(pv_domctl(PV_DOMCTL_pause, PV_DOMID_SELF, 0), -PV_EINVAL, "pause ourselves as DOMID_SELF");
    gt::check_rc(pv_domctl(PV_DOMCTL_unpause, 0, 0), -PV_EINVAL, "unpause ourselves");
    gt::check_rc(pv_domctl(PV_DOMCTL_pause, 7, 0), -PV_ESRCH, "pause a domain that does not exist");
    gt::check_rc(pv_domctl(PV_DOMCTL_get_sched, 9, ptr(&s)), -PV_ESRCH, "get_sched of no domain");
    gt::check_rc(pv_domctl(PV_DOMCTL_pause, PV_DOMID_SELF + 1, 0), -PV_EINVAL, "domid 0x7ff1");
    gt::check_rc(pv_domctl(PV_DOMCTL_pause, uint64_t{1} << 32 | 1, 0), -PV_EINVAL, "domid 2^32 + 1");
    gt::check_rc(set_sched(1, 0, 0), -PV_EINVAL, "weight 0");
    gt::check_rc(set_sched(1, 65536, 0), -PV_EINVAL, "weight 65536");
    gt::check_rc(set_sched(1, 100, 101), -PV_EINVAL, "cap 101");
    gt::check_rc(pv_domctl(PV_DOMCTL_get_sched, 1, ptr(&s)), 0, "get_sched");
    gt::check(s.weight == 256 && s.cap == 0, "refused set_sched changed it to %u/%u", s.weight, s.cap);
    gt::check_rc(set_sched(1, 65535, 100), 0, "weight 65535 cap 100");
    gt::check_rc(pv_domctl(PV_DOMCTL_get_sched, 1, ptr(&s)), 0, "get_sched");
    gt::check(s.weight == 65535 && s.cap == 100, "get_sched after set: %u/%u", s.weight, s.cap);
    gt::check_rc(set_sched(PV_DOMID_SELF, 300, 0), 0, "set_sched on ourselves");
    gt::check_rc(pv_domctl(PV_DOMCTL_get_sched, 0, ptr(&s)), 0, "get_sched of ourselves");
    gt::check_eq(s.weight, 300, "our weight");
    gt::check_rc(set_sched(1, 256, 0), 0, "restore");
    const uint64_t bad[] = {gt::unmapped_va(), gt::non_canonical, gt::hv_direct_map};
    for (uint64_t a : bad) {
        gt::check_rc(pv_domctl(PV_DOMCTL_set_sched, 1, a), -PV_EFAULT, "set_sched from %#lx", a);
        gt::check_rc(pv_domctl(PV_DOMCTL_get_sched, 1, a), -PV_EFAULT, "get_sched into %#lx", a);
    }
    const uint64_t unknown[] = {4, 0xffff, uint64_t{1} << 32};
    for (uint64_t c : unknown) gt::check_rc(pv_domctl(c, 1, 0), -PV_ENOSYS, "domctl command %#lx", c);

    gt::check(events::send(port).is_ok(), "tell the worker to stop");
}

void worker() {
    for (uint64_t c = 0; c < 4; ++c) {
        pv_domctl_sched s{256, 0};
        gt::check_rc(pv_domctl(c, 0, ptr(&s)), -PV_EPERM, "domU: domctl %lu", c);
    }
    if (events::init().is_error()) return test_error("events::init");
    uint32_t port = connect(0, on_stop, nullptr);
    if (port == 0) return;
    events::irq_enable();
    uint64_t last = now(), max_gap = 0, sends = 0;
    while (!g_stop) {
        uint64_t t = now();
        max_gap = kstd::max(max_gap, t - last);
        last = t;
        if (++sends % 64 == 0) (void)events::send(port);
        pvk::cpu_relax();
    }
    events::irq_disable();
    pvk::kprintf("domctl: worker's longest stop %lu ms\n", max_gap / ms);
    gt::check(max_gap >= paused_ns, "the worker's longest stop, %lu ns, is shorter than the pause", max_gap);
}

}  // namespace

void test_main() {
    if (pvk::boot_info().domid == 0) controller();
    else worker();
    if (gt::failures() == 0) test_pass();
}
