// What the boot CPU is and which features pvisor relies on.
#pragma once

#include <stdint.h>

namespace arch {

struct CpuInfo {
    char vendor[13];
    char brand[49];
    uint32_t family, model, stepping;
    uint32_t max_leaf, max_ext_leaf;
    // Features pvisor relies on (required) or uses when present (optional).
    bool nx, syscall, pae, pge, apic, tsc, msr, fxsr, lm;
    bool pcid, invpcid, smep, smap, fsgsbase, page1g, x2apic, tsc_deadline, invariant_tsc, xsave;
};

const CpuInfo& cpu_info();
void cpu_info_detect();
// Prints the CPU report; returns false if a required feature is missing.
bool cpu_info_report();
// Turns on the protections the CPU offers: SMEP, and global pages.
void cpu_enable_protections();

}  // namespace arch
