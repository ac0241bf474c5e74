// The events benchmarks on pvisor (pvk/bench_events.h): two domains over
// an interdomain channel, two domains yielding, and the one-shot timer.
// Everything goes through pvk/events.h and sched_op, as a real kernel
// would; the only pv detail used directly is the shared page's time scale,
// to turn a timer deadline into TSC ticks.
#include "pvk/bench_events.h"

#include <pvisor/event_channel.h>

#include "pv.h"
#include "pvk/bench.h"
#include "pvk/boot_info.h"
#include "pvk/cpu.h"
#include "pvk/events.h"
#include "pvk/kprintf.h"
#include "pvk/panic.h"
#include "pvk/platform.h"

namespace pvk {
namespace {

// Rounds run before the clock starts, so both sides are in their loops.
constexpr uint64_t warmup = 16;
// The peer yields this many times more than dom0 times: a few of its
// yields may go to dom0 while dom0 still waits for the rendezvous.
constexpr uint64_t yield_margin = 16;
// dom0 offers the lowest free port of a fresh table to dom1.
constexpr events::Port offered_port = 1;
constexpr uint32_t peer_domid = 1;

volatile uint64_t g_received = 0;
void on_event(events::Port, void*) { g_received = g_received + 1; }

// dom0: offers the channel and waits (yielding) until dom1 has bound it.
events::Port offer_and_wait(events::Handler h) {
    kstd::Result<events::Port> p = events::alloc_unbound(peer_domid);
    if (p.is_error() || p.value() != offered_port) panic("bench: cannot offer port %u to domain %u", offered_port, peer_domid);
    if (events::set_handler(p.value(), h, nullptr).is_error()) panic("bench: set_handler");
    for (;;) {
        kstd::Result<events::Status> s = events::status(PV_DOMID_SELF, p.value());
        if (s.is_ok() && s.value().state == events::PortState::interdomain) return p.value();
        platform::yield();
    }
}

// dom1: binds dom0's offer, retrying until it is made. The bind makes the
// new port pending once (SPEC.md, bind_interdomain); that is not an event
// of the benchmark, so it is dropped.
events::Port connect(events::Handler h) {
    events::IrqGuard g;
    for (;;) {
        kstd::Result<events::Port> p = events::bind_interdomain(0, offered_port, h, nullptr);
        if (p.is_ok()) {
            events::clear_pending(p.value());
            return p.value();
        }
        if (p.error() != kstd::Error::noent) panic("bench: bind_interdomain: %s", kstd::error_name(p.error()));
        platform::yield();
    }
}

bool ready() {
    if (events::init().is_ok()) return true;
    kprintf("bench: no event channels\n");
    return false;
}

// ---------------------------------------------------------------- time
// System time <-> TSC with the scale the hypervisor published (SPEC.md
// section 7); under -icount shift=0 both are guest instructions.
struct TimeScale {
    uint64_t tsc_timestamp, system_time;
    uint32_t mul;
    int8_t shift;
};

TimeScale time_scale() {
    const volatile pv_vcpu_time_info& t = pv::shared_info().vcpu[0].time;
    for (;;) {
        uint32_t version = t.version;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        TimeScale s{t.tsc_timestamp, t.system_time, t.tsc_to_system_mul, t.tsc_shift};
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if ((version & 1) == 0 && version == t.version) return s;
    }
}

// The first TSC value whose system time is at least ns (the inverse of
// platform::uptime_ns, rounded up).
uint64_t ns_to_tsc(const TimeScale& s, uint64_t ns) {
    if (ns <= s.system_time || s.mul == 0) return s.tsc_timestamp;
    // (d << 32) / mul in two 64-bit steps (no 128-bit division in a
    // freestanding kernel): r < mul < 2^32, so r << 32 fits.
    uint64_t d = ns - s.system_time, q = d / s.mul, r = d % s.mul;
    uint64_t delta = (q << 32) + ((r << 32) + s.mul - 1) / s.mul;
    delta = s.shift >= 0 ? delta >> s.shift : delta << -s.shift;
    return s.tsc_timestamp + delta;
}

volatile uint64_t g_timer_tsc = 0;
volatile bool g_timer_fired = false;
void on_timer(events::Port, void*) {
    // The handler's first act: the latency ends here.
    g_timer_tsc = pvk_cycles();
    g_timer_fired = true;
}

void wait_for_timer() {
    events::wait_until([] { return g_timer_fired; });
}

}  // namespace

void bench_event_pingpong(uint64_t iterations) {
    if (!ready()) return;
    uint64_t rounds = warmup + iterations;
    if (boot_info().domid == 0) {
        events::Port port = offer_and_wait(on_event);
        events::irq_enable();
        uint64_t start = 0;
        for (uint64_t i = 1; i <= rounds; ++i) {
            if (i == warmup + 1) start = pvk_cycles();
            if (events::send(port).is_error()) panic("bench: send");
            events::wait_until([i] { return g_received >= i; });
        }
        uint64_t cycles = pvk_cycles() - start;
        // Releases the peer, which waits for this last event: were it to
        // end right after its last answer, its shutdown (millions of
        // instructions) would run inside our timed round.
        if (events::send(port).is_error()) panic("bench: send");
        events::irq_disable();
        PVK_ASSERT(g_received == rounds);
        bench_report("evtchn_pingpong", cycles, iterations, "cycles");
        bench_report("evtchn_oneway", cycles, 2 * iterations, "cycles");
    } else {
        events::Port port = connect(on_event);
        events::irq_enable();
        for (uint64_t i = 1; i <= rounds; ++i) {
            events::wait_until([i] { return g_received >= i; });
            if (events::send(port).is_error()) panic("bench: send");
        }
        events::wait_until([rounds] { return g_received > rounds; });
        events::irq_disable();
    }
}

void bench_domain_switch(uint64_t iterations) {
    if (!ready()) return;
    uint64_t yields = warmup + iterations;
    if (boot_info().domid == 0) {
        (void)offer_and_wait(nullptr);
        uint64_t start = 0;
        for (uint64_t i = 0; i < yields; ++i) {
            if (i == warmup) start = pvk_cycles();
            platform::yield();
        }
        uint64_t cycles = pvk_cycles() - start;
        // Each yield ran the peer, which yielded back: two switches.
        bench_report("domain_switch", cycles, 2 * iterations, "cycles");
    } else {
        (void)connect(nullptr);
        for (uint64_t i = 0; i < yields + yield_margin; ++i) platform::yield();
    }
}

void bench_timer(uint64_t iterations) {
    if (!ready()) return;
    if (events::timer_init(on_timer, nullptr).is_error()) panic("bench: cannot bind VIRQ_TIMER");
    TimeScale scale = time_scale();

    // A deadline 20 us ahead: the vCPU blocks, the hypervisor idles (under
    // -icount sleep=off the clock jumps to the deadline) and the timer
    // interrupt wakes it.
    constexpr uint64_t ahead_ns = 20'000;
    uint64_t late = 0;
    for (uint64_t i = 0; i < warmup + iterations; ++i) {
        uint64_t deadline = platform::uptime_ns() + ahead_ns;
        g_timer_fired = false;
        if (events::timer_arm(deadline).is_error()) panic("bench: set_timer_op");
        wait_for_timer();
        uint64_t due = ns_to_tsc(scale, deadline);
        if (g_timer_tsc < due) panic("bench: timer fired %lu ticks early", due - g_timer_tsc);
        if (i >= warmup) late += g_timer_tsc - due;
    }
    bench_report("timer_latency", late, iterations, "cycles");

    // A deadline already past fires at once: what the delivery costs.
    uint64_t cost = 0;
    for (uint64_t i = 0; i < warmup + iterations; ++i) {
        g_timer_fired = false;
        uint64_t start = pvk_cycles();
        if (events::timer_arm(1).is_error()) panic("bench: set_timer_op");
        wait_for_timer();
        if (i >= warmup) cost += g_timer_tsc - start;
    }
    bench_report("timer_expired", cost, iterations, "cycles");
    (void)events::timer_arm(0);
}

}  // namespace pvk
