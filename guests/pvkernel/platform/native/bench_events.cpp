// The native baselines of the events benchmarks (pvk/bench_events.h): the
// same loops as platform/pv/bench_events.cpp, with two kernel threads in
// place of two domains and threads.h's software-interrupt wake-up in place
// of an event channel (what that path does is spelled out there). The
// timer benchmarks have no native counterpart yet (no LAPIC driver).
#include "pvk/bench_events.h"

#include "pvk/bench.h"
#include "pvk/cpu.h"
#include "pvk/panic.h"
#include "threads.h"

namespace pvk {
namespace {

namespace th = native::threads;

constexpr uint64_t warmup = 16;  // as on pv

struct Pingpong {
    th::Thread* ping;
    uint64_t rounds;
    volatile uint64_t ping_received;
    volatile uint64_t pong_received;
};

// The handlers: count the events, as the pv handlers do.
void on_ping_event(void* arg) {
    auto& pp = *static_cast<Pingpong*>(arg);
    pp.ping_received = pp.ping_received + 1;
}
void on_pong_event(void* arg) {
    auto& pp = *static_cast<Pingpong*>(arg);
    pp.pong_received = pp.pong_received + 1;
}

void pong(void* arg) {
    auto& pp = *static_cast<Pingpong*>(arg);
    th::set_handler(on_pong_event, arg);
    for (uint64_t i = 1; i <= pp.rounds; ++i) {
        while (pp.pong_received < i) th::block();
        th::wake(pp.ping);
    }
    // As on pv: wait for the release rather than exit inside a timed round.
    while (pp.pong_received <= pp.rounds) th::block();
}

struct Yielder {
    uint64_t yields;
};

void yielder(void* arg) {
    for (uint64_t i = 0; i < static_cast<Yielder*>(arg)->yields; ++i) th::yield();
}

}  // namespace

void bench_event_pingpong(uint64_t iterations) {
    th::init();
    Pingpong pp{th::current(), warmup + iterations, 0, 0};
    th::set_handler(on_ping_event, &pp);
    th::Thread* peer = th::spawn(pong, &pp);
    // Let the peer start and block waiting for the first ping.
    th::yield();
    uint64_t start = 0;
    for (uint64_t i = 1; i <= pp.rounds; ++i) {
        if (i == warmup + 1) start = pvk_cycles();
        th::wake(peer);
        while (pp.ping_received < i) th::block();
    }
    uint64_t cycles = pvk_cycles() - start;
    PVK_ASSERT(pp.ping_received == pp.rounds && pp.pong_received == pp.rounds);
    th::set_handler(nullptr, nullptr);
    // The release: the peer runs at once, returns and exits back to us.
    th::wake(peer);
    bench_report("evtchn_pingpong", cycles, iterations, "cycles");
    bench_report("evtchn_oneway", cycles, 2 * iterations, "cycles");
}

void bench_domain_switch(uint64_t iterations) {
    th::init();
    Yielder y{warmup + iterations};
    (void)th::spawn(yielder, &y);
    uint64_t start = 0;
    for (uint64_t i = 0; i < y.yields; ++i) {
        if (i == warmup) start = pvk_cycles();
        th::yield();
    }
    uint64_t cycles = pvk_cycles() - start;
    // One more: the peer returns from its last yield and exits.
    th::yield();
    // Each yield ran the peer, which yielded back: two switches.
    bench_report("domain_switch", cycles, 2 * iterations, "cycles");
}

void bench_timer(uint64_t) {}

}  // namespace pvk
