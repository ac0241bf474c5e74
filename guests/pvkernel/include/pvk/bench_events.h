// The events benchmarks (command line `bench=events`, `bench=yield`,
// `bench=timer`): the wake-up and switch paths of events.h, with the
// platform's own implementation of each (platform/*/bench_events.cpp).
//
// On pvisor the two-party benchmarks run in two domains booted together:
// dom0 offers an interdomain channel (port 1) to dom1, dom1 binds it, and
// dom0 times and reports; dom1 (a second module with the same `bench=`
// word) only answers. Natively the two parties are two kernel threads of
// the one kernel, woken through a software interrupt (no IPI, one CPU);
// see platform/native/threads.h for exactly what that path does.
//
// Lines printed (by dom0, or the native kernel):
//   evtchn_pingpong   one round trip: A wakes B, B's handler runs, B wakes
//                     A, A's handler runs (the send to A's handler)
//   evtchn_oneway     evtchn_pingpong / 2 (the TSC is one clock for both
//                     parties, but they share no memory to compare stamps)
//   domain_switch     per switch, from two parties yielding to each other
//                     (one yield round trip is two switches)
//   timer_latency     pv: from the timer's deadline (in TSC ticks, via the
//                     shared page's time scale) to the first instruction of
//                     the VIRQ_TIMER handler, the vCPU blocked meanwhile
//   timer_expired     pv: set_timer_op for a time already past, to the
//                     handler: the cost of a timer delivery with no waiting
#pragma once

#include <stdint.h>

namespace pvk {

void bench_event_pingpong(uint64_t iterations);
void bench_domain_switch(uint64_t iterations);
void bench_timer(uint64_t iterations);

}  // namespace pvk
