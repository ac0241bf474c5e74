// Thin wrappers over privileged x86-64 instructions (control registers,
// MSRs, CPUID, TSC, TLB) and the architectural bits their callers use.
// Shared by the hypervisor and pvkernel's native build; each helper is a
// single instruction.
#pragma once

#include <stdint.h>

namespace x86 {

struct CpuidRegs {
    uint32_t eax, ebx, ecx, edx;
};

inline CpuidRegs cpuid(uint32_t leaf, uint32_t subleaf = 0) {
    CpuidRegs r;
    // SAFETY: cpuid only writes the four output registers.
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    // SAFETY: callers pass MSRs that exist on every x86-64 CPU or that
    // they checked with CPUID first.
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t{hi} << 32) | lo;
}

inline void wrmsr(uint32_t msr, uint64_t v) {
    // SAFETY: as rdmsr; the callers own the state they change.
    asm volatile("wrmsr" : : "c"(msr), "a"(static_cast<uint32_t>(v)), "d"(static_cast<uint32_t>(v >> 32)) : "memory");
}

inline uint64_t rdtsc() {
    uint32_t lo, hi;
    // SAFETY: reads the time-stamp counter; no memory effects.
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t{hi} << 32) | lo;
}

#define X86_DEFINE_CR(n)                                                      \
    inline uint64_t read_cr##n() {                                            \
        uint64_t v;                                                           \
        asm volatile("mov %%cr" #n ", %0" : "=r"(v));                         \
        return v;                                                             \
    }                                                                         \
    inline void write_cr##n(uint64_t v) { asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); }
// SAFETY: control-register moves are ring-0 only and the callers are the
// paging and boot code, which own the state they change (a new CR3 maps the
// running code and stack at the same addresses).
X86_DEFINE_CR(0)
X86_DEFINE_CR(2)
X86_DEFINE_CR(3)
X86_DEFINE_CR(4)
#undef X86_DEFINE_CR

inline void invlpg(uint64_t va) {
    // SAFETY: invalidates one TLB entry; has no other effect.
    asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

inline uint64_t read_rflags() {
    uint64_t v;
    // SAFETY: pushes and pops on the current stack.
    asm volatile("pushfq; popq %0" : "=r"(v));
    return v;
}

[[noreturn]] inline void halt_forever() {
    for (;;) {
        // SAFETY: stops this CPU with interrupts off.
        asm volatile("cli; hlt");
    }
}

// Architectural MSRs (Intel SDM Vol. 4, Table 2-2).
namespace msr {
inline constexpr uint32_t efer = 0xc0000080;
inline constexpr uint32_t star = 0xc0000081;
inline constexpr uint32_t lstar = 0xc0000082;
inline constexpr uint32_t cstar = 0xc0000083;
inline constexpr uint32_t fmask = 0xc0000084;
inline constexpr uint32_t fs_base = 0xc0000100;
inline constexpr uint32_t gs_base = 0xc0000101;
inline constexpr uint32_t kernel_gs_base = 0xc0000102;
}  // namespace msr

namespace efer {
inline constexpr uint64_t sce = 1u << 0;
}  // namespace efer
namespace cr0 {
inline constexpr uint64_t mp = 1u << 1;
inline constexpr uint64_t em = 1u << 2;
inline constexpr uint64_t ts = 1u << 3;
inline constexpr uint64_t ne = 1u << 5;
inline constexpr uint64_t wp = 1u << 16;
}  // namespace cr0
namespace cr4 {
inline constexpr uint64_t tsd = 1u << 2;
inline constexpr uint64_t pge = 1u << 7;
inline constexpr uint64_t osfxsr = 1u << 9;
inline constexpr uint64_t osxmmexcpt = 1u << 10;
inline constexpr uint64_t smep = 1u << 20;
inline constexpr uint64_t smap = 1u << 21;
}  // namespace cr4

}  // namespace x86
