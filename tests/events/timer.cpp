// set_timer_op and VIRQ_TIMER, run under QEMU -icount (virtual time is
// instruction-exact): the upcall arrives at or after the deadline and
// within a small bound of it, whether the domain is blocked or spinning
// with events unmasked (the timer interrupt must break into the spin); a
// deadline in the past fires at once; 0 cancels; re-arming replaces the
// deadline (one-shot: one event); with events masked the event waits,
// pending, until they are unmasked.
#include "ev.h"
#include "pvk/kprintf.h"

const char test_title[] = "timer";

namespace {

using namespace ev;
namespace events = pvk::events;

// How late an upcall may be. Under -icount one instruction is 1 ns; the
// path from the LAPIC interrupt to our handler is about a thousand.
constexpr uint64_t max_late_ns = 50000;

volatile uint64_t g_fired = 0;
volatile uint64_t g_fired_at = 0;
volatile bool g_masked_in_handler = false;

void on_timer(events::Port, void*) {
    g_fired_at = now();
    g_masked_in_handler = events::irqs_masked();
    g_fired = g_fired + 1;
}

void check_on_time(const char* how, uint64_t deadline) {
    uint64_t at = g_fired_at;
    pvk::kprintf("timer: %s: deadline +%lu ns, fired %lu ns late\n", how, deadline, at - deadline);
    gt::check(at >= deadline, "%s: fired at %lu, before the deadline %lu", how, at, deadline);
    gt::check(at - deadline <= max_late_ns, "%s: fired %lu ns late", how, at - deadline);
    gt::check(g_masked_in_handler, "%s: the handler ran with events masked", how);
}

void blocked(uint64_t delta) {
    uint64_t n = g_fired;
    uint64_t deadline = now() + delta;
    gt::check(events::timer_arm(deadline).is_ok(), "arm");
    events::wait_until([&] { return g_fired != n; });
    check_on_time("blocked", deadline);
}

void spinning(uint64_t delta) {
    uint64_t n = g_fired;
    uint64_t deadline = now() + delta;
    gt::check(events::timer_arm(deadline).is_ok(), "arm");
    // Events are unmasked: only an upcall can change g_fired.
    while (g_fired == n && now() < deadline + 100 * ms) pvk::cpu_relax();
    gt::check(g_fired == n + 1, "the timer interrupted a spinning domain");
    check_on_time("spinning", deadline);
}

// Sleeps until `until` without the timer: poll on a port that never fires.
void quiet_until(uint64_t until, uint32_t idle_port) {
    while (now() < until) gt::check(events::poll(&idle_port, 1, until).is_ok(), "poll");
}

}  // namespace

void test_main() {
    if (events::init().is_error()) return test_error("events::init");
    kstd::Result<events::Port> tp = events::timer_init(on_timer, nullptr);
    if (tp.is_error()) return test_error("timer_init: %s", kstd::error_name(tp.error()));
    kstd::Result<events::Port> idle = events::alloc_unbound(PV_DOMID_SELF);
    if (idle.is_error()) return test_error("alloc_unbound");
    events::irq_enable();

    // 6 s is beyond the 4 s the hypervisor arms its timer for at once, so
    // it takes an early interrupt and a re-arm (cheap under icount with
    // sleep=off: idle time passes at once).
    const uint64_t block_deltas[] = {1 * ms, 3 * ms, 10 * ms, 250000, 6000 * ms};
    for (uint64_t d : block_deltas) blocked(d);
    const uint64_t spin_deltas[] = {1 * ms, 7 * ms};
    for (uint64_t d : spin_deltas) spinning(d);

    // A deadline already past fires at once.
    uint64_t n = g_fired;
    uint64_t t0 = now();
    gt::check(events::timer_arm(t0 - 1).is_ok(), "arm in the past");
    events::wait_until([&] { return g_fired != n; });
    gt::check(g_fired_at - t0 <= max_late_ns, "a past deadline fired %lu ns after arming", g_fired_at - t0);

    // 0 cancels.
    n = g_fired;
    gt::check(events::timer_arm(now() + 2 * ms).is_ok(), "arm");
    gt::check_rc(pv_set_timer_op(0), 0, "cancel");
    quiet_until(now() + 10 * ms, idle.value());
    gt::check_eq(g_fired, n, "events from a cancelled timer");

    // Re-arming replaces the deadline: one event, at the later one.
    n = g_fired;
    gt::check(events::timer_arm(now() + 2 * ms).is_ok(), "arm");
    uint64_t later = now() + 6 * ms;
    gt::check(events::timer_arm(later).is_ok(), "re-arm");
    events::wait_until([&] { return g_fired != n; });
    check_on_time("re-armed", later);
    quiet_until(now() + 10 * ms, idle.value());
    gt::check_eq(g_fired, n + 1, "a re-armed one-shot timer fired once");

    // Masked: the event waits, pending, for the unmask.
    n = g_fired;
    events::irq_disable();
    uint64_t deadline = now() + 1 * ms;
    gt::check(events::timer_arm(deadline).is_ok(), "arm");
    while (now() < deadline + 3 * ms) pvk::cpu_relax();
    gt::check_eq(g_fired, n, "a timer event delivered while events were masked");
    gt::check_eq(gt::vcpu_info().upcall_pending, 1, "upcall_pending while masked");
    events::irq_enable();
    gt::check_eq(g_fired, n + 1, "the event delivered as soon as events were unmasked");

    events::irq_disable();
    gt::check_eq(events::stats().unhandled, 0, "events without a handler");
    if (gt::failures() == 0) test_pass();
}
