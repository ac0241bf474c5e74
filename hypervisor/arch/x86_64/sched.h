// Running domains on this CPU: the domain registry, the scheduler loop
// (which runs on the boot stack and switches to one vCPU at a time), and
// what happens when a domain ends.
#pragma once

#include "core/domain.h"
#include "core/hypercall.h"

namespace arch {

// Adds a built domain; it runs once unpaused.
kstd::Result<void> sched_add_domain(core::Domain* d);
void sched_unpause(core::Domain* d);

// The scheduler loop. Returns never: when every domain has ended it
// prints the domain table and stops the machine.
[[noreturn]] void sched_run();

// The vCPU running now (never null inside a guest entry).
core::Vcpu& current_vcpu();

// Crashes the running domain and switches away from it for good.
[[noreturn]] void crash_current_domain(const char* why);

core::HypercallHooks& hypercall_hooks();

// Prints one line per domain: id, name, vCPUs, state, counters.
void print_domain_table();

}  // namespace arch
