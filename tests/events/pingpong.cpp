// Two domains ping-pong over an interdomain channel 10,000 times with
// upcalls and blocking: dom0 offers port 1 to dom1, dom1 binds it
// (ev::connect), then each side sends and waits for the answer. Every
// event must arrive (a lost one leaves both blocked, which the hypervisor
// reports and fails) and none may be spurious: the counts match exactly,
// stay put after a quiet period, and no port fired without a handler.
// Then dom0 closes its end (dom1's returns to unbound, offered to dom0),
// binds dom1's port again and sends once more.
#include "ev.h"
#include "pvk/cmdline.h"
#include "pvk/kprintf.h"

const char test_title[] = "pingpong";

namespace {

using namespace ev;
namespace events = pvk::events;

constexpr uint64_t rounds = 10000;

volatile uint64_t g_received = 0;
volatile uint32_t g_bad_port = 0;
uint32_t g_port = 0;

void on_event(events::Port p, void*) {
    if (p != g_port) g_bad_port = p;
    g_received = g_received + 1;
}

// Events arriving after the exchange would be spurious: wait a while
// (blocked, on the timer) and check the count did not move.
void check_quiet(uint64_t want) {
    (void)events::sleep_until(now() + 20 * ms);
    gt::check_eq(g_received, want, "events received after a quiet 20 ms");
}

void ping() {
    g_port = offer(1, on_event, nullptr);
    if (g_port == 0 || !await_peer(g_port)) return;
    events::irq_enable();
    uint64_t start = now();
    for (uint64_t i = 1; i <= rounds && gt::failures() == 0; ++i) {
        if (events::send(g_port).is_error()) test_fail("send %lu", i);
        events::wait_until([&] { return g_received >= i; });
        if (g_received != i) test_fail("round %lu: %lu events received", i, g_received);
    }
    uint64_t took = now() - start;
    pvk::kprintf("pingpong: %lu round trips in %lu ms (%lu ns each)\n", rounds, took / ms, took / rounds);
    check_quiet(rounds);

    // Closing our end returns dom1's to unbound, offered to us; we bind
    // it again.
    pv_evtchn_status s;
    gt::check_rc(status(PV_DOMID_SELF, g_port, &s), 0, "status of our end");
    uint32_t peer_port = s.remote_port;
    gt::check(events::close(g_port).is_ok(), "close our end");
    gt::check_rc(status(1, peer_port, &s), 0, "status of dom1's end");
    gt::check_eq(s.status, PV_EVTCHNSTAT_unbound, "dom1's end after we closed ours");
    gt::check_eq(s.remote_dom, 0, "dom1's end is offered back to us");
    kstd::Result<events::Port> again = events::bind_interdomain(1, peer_port, on_event, nullptr);
    if (again.is_error()) return test_fail("rebinding dom1's port: %s", kstd::error_name(again.error()));
    g_port = again.value();
    // The bind made our new port pending once (by design): count it.
    events::wait_until([&] { return g_received >= rounds + 1; });
    gt::check(events::send(g_port).is_ok(), "send on the rebound channel");
    events::wait_until([&] { return g_received >= rounds + 2; });
    check_quiet(rounds + 2);
}

void pong() {
    g_port = connect(0, on_event, nullptr);
    if (g_port == 0) return;
    events::irq_enable();
    for (uint64_t i = 1; i <= rounds && gt::failures() == 0; ++i) {
        events::wait_until([&] { return g_received >= i; });
        if (g_received != i) test_fail("round %lu: %lu events received", i, g_received);
        if (events::send(g_port).is_error()) test_fail("send %lu", i);
    }
    // dom0 closes its end, binds ours again and sends once more.
    events::wait_until([&] { return g_received >= rounds + 1; });
    gt::check(events::send(g_port).is_ok(), "send on the rebound channel");
    check_quiet(rounds + 1);
}

}  // namespace

void test_main() {
    if (events::init().is_error()) return test_error("events::init");
    if (pvk::boot_info().domid == 0) ping();
    else pong();
    gt::check_eq(g_bad_port, 0, "an event on an unexpected port");
    gt::check_eq(events::stats().unhandled, 0, "events on ports without a handler");
    events::irq_disable();
    if (gt::failures() == 0) test_pass();
}
