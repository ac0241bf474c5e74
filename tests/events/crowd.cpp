// Many small domains at once: each alternates sleeping on its timer
// (blocked, woken by VIRQ_TIMER) with spinning for a while, rounds= times,
// and must finish within a deadline of system time: a domain starved by
// the others, or a timer event lost among many, fails it.
#include "ev.h"
#include "pvk/cmdline.h"
#include "pvk/kprintf.h"

const char test_title[] = "crowd";

namespace {

using namespace ev;
namespace events = pvk::events;

volatile uint64_t g_ticks = 0;
void on_timer(events::Port, void*) { g_ticks = g_ticks + 1; }

}  // namespace

void test_main() {
    uint64_t rounds = pvk::cmdline_u64("rounds", 20);
    uint64_t deadline = now() + pvk::cmdline_u64("within", 20000) * ms;
    if (events::init().is_error() || events::timer_init(on_timer, nullptr).is_error())
        return test_error("event setup");
    events::irq_enable();
    for (uint64_t i = 0; i < rounds; ++i) {
        // Armed and waited for explicitly: one event per round, however
        // late we get to wait for it.
        uint64_t n = g_ticks;
        gt::check(events::timer_arm(now() + 2 * ms).is_ok(), "arm %lu", i);
        events::wait_until([&] { return g_ticks != n; });
        uint64_t spin_until = now() + 1 * ms;
        while (now() < spin_until) pvk::cpu_relax();
    }
    gt::check(g_ticks == rounds, "%lu timer events for %lu sleeps", g_ticks, rounds);
    gt::check(now() < deadline, "finished %lu ms after the deadline", (now() - deadline) / ms);
    events::irq_disable();
    if (gt::failures() == 0) test_pass();
}
