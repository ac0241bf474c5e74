// Privileged x86-64 instructions: the shared ring-0 helpers (x86/cpu.h),
// unqualified in arch, and what only the hypervisor needs.
#pragma once

#include <stdint.h>
#include <x86/cpu.h>

namespace arch {
using namespace x86;

inline uint64_t read_rbp() {
    uint64_t v;
    // SAFETY: reads the frame pointer register.
    asm volatile("mov %%rbp, %0" : "=r"(v));
    return v;
}

}  // namespace arch
