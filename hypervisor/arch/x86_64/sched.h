// Running domains on this CPU: the domain registry, switching between
// vCPUs (straight from one vCPU's stack to the next's), the scheduler loop
// on the boot stack (idling, and freeing domains that ended), and what
// happens when a domain ends.
#pragma once

#include "core/domain.h"
#include "core/evtchn.h"
#include "core/hypercall.h"
#include "trap_frame.h"

namespace arch {

// Sets up the scheduler and the timer queue (boot, once).
void sched_init();

// Adds a built domain; it runs once unpaused.
kstd::Result<void> sched_add_domain(core::Domain* d);
void sched_unpause(core::Domain* d);

// The scheduler loop. Returns never: when every domain has ended it
// prints the domain table and stops the machine.
[[noreturn]] void sched_run();

// The local APIC timer fired (from irq_dispatch, after the EOI).
void sched_timer_interrupt(TrapFrame& frame);
// Every C path back to the guest ends here: gives up the CPU if a slice
// ended or a wake-up outranks the running vCPU, and returns when it runs
// again. A pending event upcall is delivered after it, as the last step of
// the exit path (UPCALL_CHECK and deliver_upcall in entry.S,
// deliver_upcall_slow in C).
void return_to_guest();

// The vCPU running now (never null inside a guest entry).
core::Vcpu& current_vcpu();

// Crashes the running domain and switches away from it for good.
[[noreturn]] void crash_current_domain(const char* why);

core::HypercallHooks& hypercall_hooks();
core::EventSink& event_sink();
core::DomainLookup& domain_lookup();

// Prints one line per domain: id, name, vCPUs, state, counters.
void print_domain_table();

}  // namespace arch
