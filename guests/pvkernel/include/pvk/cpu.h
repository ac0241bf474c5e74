// The few unprivileged instructions common code uses directly. They behave
// the same in ring 0 (native) and ring 3 (pv).
#pragma once

#include <stdint.h>

// The benchmark clock: RDTSC. Under QEMU -icount shift=0 one tick is one
// guest instruction, which is what the benchmarks compare.
inline uint64_t pvk_cycles() {
    uint32_t lo, hi;
    // SAFETY: reads the time-stamp counter; no memory effects.
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t{hi} << 32) | lo;
}

namespace pvk {

inline void cpu_relax() {
    // SAFETY: a spin-wait hint; no architectural effect.
    asm volatile("pause");
}

inline uint64_t read_rbp() {
    uint64_t v;
    // SAFETY: reads the frame pointer register.
    asm volatile("mov %%rbp, %0" : "=r"(v));
    return v;
}

}  // namespace pvk
