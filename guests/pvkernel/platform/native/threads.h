// Kernel threads for the native baselines of the events benchmarks
// (pvk/bench_events.h): the bare-machine counterpart of two pvisor domains
// exchanging events. A thread is a kernel stack and the registers saved on
// it; every switch happens inside a software interrupt, as a domain switch
// happens inside a hypercall on pvisor:
//
//   wake(t)   `int $0x40` (vec_wake). The handler saves all 15 general
//             registers, marks t's event pending and, if t was blocked,
//             makes it runnable and switches to it at once (the woken
//             party runs next, as pvisor's boosted wake-up preempts the
//             sender); then restores and iretq's.
//   block()   `int $0x41` (vec_sched). Unless an event is pending, marks
//             the thread blocked and switches to the next runnable one.
//   yield()   `int $0x41`. Switches to the next runnable thread (round
//             robin), the current one staying runnable.
//
// On the way back from either interrupt the thread runs its handler if
// its event is pending (the upcall's counterpart), with interrupts off.
// No IPI and no interrupt controller is involved: one CPU, interrupts
// disabled throughout (the native kernel takes none), so the two vectors
// are reached only by `int`. There is no address-space switch: threads
// share the kernel's page tables, where pvisor switches CR3 per domain.
#pragma once

#include <stdint.h>

namespace pvk::native::threads {

inline constexpr uint8_t vec_wake = 0x40;
inline constexpr uint8_t vec_sched = 0x41;

struct Thread;
using Handler = void (*)(void* arg);

// Installs the two vectors and adopts the calling (boot) thread; idempotent.
void init();
Thread* current();
// A new runnable thread with its own stack, queued behind the others; it
// runs entry(arg) and exits when entry returns. Panics when out of slots
// or memory.
Thread* spawn(void (*entry)(void*), void* arg);
// The current thread's event handler (null: events only wake it).
void set_handler(Handler h, void* arg);

void wake(Thread* t);
void block();
void yield();
[[noreturn]] void exit();

}  // namespace pvk::native::threads
