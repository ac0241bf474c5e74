// Masks. A masked port's event stays pending and raises no upcall, not
// even while the domain is blocked (block unmasks the vCPU, not the
// port): only the watchdog timer wakes it. Unmasking the port delivers
// the event, at once if the vCPU's events are enabled, else when they are
// (the unmask hypercall path). The vCPU-wide mask holds an event back
// across hypercalls and lets it in the moment it is cleared. An event on
// a port with no handler is cleared and counted.
#include "ev.h"

const char test_title[] = "masking";

namespace {

using namespace ev;
namespace events = pvk::events;

volatile uint64_t g_count = 0;
volatile uint64_t g_timer = 0;

void on_event(events::Port, void*) { g_count = g_count + 1; }
void on_timer(events::Port, void*) { g_timer = g_timer + 1; }

}  // namespace

void test_main() {
    if (events::init().is_error()) return test_error("events::init");
    if (events::timer_init(on_timer, nullptr).is_error()) return test_error("timer_init");
    kstd::Result<events::Port> r = events::bind_ipi(on_event, nullptr);
    if (r.is_error()) return test_error("bind_ipi");
    events::Port p = r.value();
    volatile pv_vcpu_info& vi = gt::vcpu_info();

    // Port masked, vCPU unmasked: pending, but no selector bit, no upcall.
    events::mask(p);
    events::irq_enable();
    gt::check(events::send(p).is_ok(), "send");
    gt::check(events::is_pending(p), "a masked port's event is pending");
    gt::check_eq(g_count, 0, "events delivered on a masked port");
    gt::check_eq(vi.upcall_pending, 0, "upcall_pending for a masked port");

    // Blocked with the port masked: only the watchdog wakes us.
    uint64_t watchdog = now() + 5 * ms;
    events::irq_disable();
    gt::check(events::timer_arm(watchdog).is_ok(), "arm the watchdog");
    while (g_timer == 0) events::wait();
    gt::check(now() >= watchdog, "woken at %lu before the watchdog at %lu", now(), watchdog);
    gt::check_eq(g_count, 0, "a masked port woke a blocked domain");
    gt::check(events::is_pending(p), "still pending after the block");

    // Unmask with the vCPU masked: raised, held until the vCPU unmasks.
    events::unmask(p);
    gt::check_eq(g_count, 0, "delivered while the vCPU was masked");
    gt::check_eq(vi.upcall_pending, 1, "upcall_pending after unmasking a pending port");
    events::irq_enable();
    gt::check_eq(g_count, 1, "delivered when the vCPU unmasked");
    gt::check(!events::is_pending(p), "the handled port is no longer pending");

    // Unmask with the vCPU unmasked: delivered at once.
    events::mask(p);
    gt::check(events::send(p).is_ok(), "send");
    gt::check_eq(g_count, 1, "delivered while the port was masked");
    events::unmask(p);
    gt::check_eq(g_count, 2, "delivered by unmasking the port");

    // The vCPU mask holds an event back across hypercalls.
    events::irq_disable();
    gt::check(events::send(p).is_ok(), "send");
    for (int i = 0; i < 5; ++i) (void)pv_version(0, nullptr);
    pvk::platform::yield();
    gt::check_eq(g_count, 2, "delivered while the vCPU was masked");
    gt::check_eq(vi.upcall_pending, 1, "upcall_pending while masked");
    events::irq_enable();
    gt::check_eq(g_count, 3, "delivered when the vCPU unmasked");

    // Block with an event already pending returns at once and delivers it.
    events::irq_disable();
    gt::check(events::send(p).is_ok(), "send");
    uint64_t t0 = now();
    events::wait();
    gt::check_eq(g_count, 4, "the pending event after block");
    gt::check(now() - t0 < 5 * ms, "block with an event pending returned at once");
    gt::check(events::irqs_masked(), "wait() returns with events masked");

    gt::check_eq(events::stats().unhandled, 0, "events without a handler");

    // A port without a handler: the upcall clears its event and counts it,
    // and the handled ports around it are not disturbed.
    kstd::Result<events::Port> bare = events::bind_ipi(nullptr, nullptr);
    if (bare.is_error()) return test_error("bind_ipi without a handler");
    events::irq_enable();
    gt::check(events::send(bare.value()).is_ok(), "send to the port without a handler");
    gt::check(events::send(p).is_ok(), "send");
    gt::check_eq(events::stats().unhandled, 1, "events without a handler, counted");
    gt::check(!events::is_pending(bare.value()), "the unhandled event is cleared");
    gt::check_eq(g_count, 5, "the handled port's event beside it");
    if (gt::failures() == 0) test_pass();
}
