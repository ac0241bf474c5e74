// The hypervisor's GDT and TSS. The TSS supplies the ring-0 stack used when
// a guest (ring 3) traps, and IST stacks for the exceptions that must never
// run on a possibly broken stack: NMI, double fault, machine check.
#pragma once

#include <stdint.h>
#include <x86/descriptors.h>

namespace arch {

enum IstIndex : uint8_t { ist_none = 0, ist_nmi = 1, ist_double_fault = 2, ist_machine_check = 3 };

using x86::Tss;

// Loads the GDT and the TSS on this CPU. ist_tops[i] is the top of the stack
// for IST slot i+1.
void gdt_init(const uint64_t (&ist_tops)[3]);

// The stack the CPU switches to when a guest traps into the hypervisor.
void tss_set_rsp0(uint64_t rsp0);
Tss& current_tss();

}  // namespace arch
