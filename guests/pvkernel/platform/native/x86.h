// Privileged x86-64 instructions for the native (ring 0) build. Each
// helper is one instruction; the pv build cannot use any of them.
#pragma once

#include <stdint.h>

namespace pvk::native {

inline void outb(uint16_t port, uint8_t v) {
    // SAFETY: port I/O has no memory effects visible to the compiler.
    asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
inline void outw(uint16_t port, uint16_t v) {
    // SAFETY: as outb.
    asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
inline uint8_t inb(uint16_t port) {
    uint8_t v;
    // SAFETY: as outb.
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline uint16_t inw(uint16_t port) {
    uint16_t v;
    // SAFETY: as outb.
    asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    // SAFETY: callers pass architectural MSRs every x86-64 CPU has.
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t{hi} << 32) | lo;
}
inline void wrmsr(uint32_t msr, uint64_t v) {
    // SAFETY: as rdmsr; the callers own the state they change.
    asm volatile("wrmsr" : : "c"(msr), "a"(static_cast<uint32_t>(v)), "d"(static_cast<uint32_t>(v >> 32)) : "memory");
}

// Architectural MSRs (Intel SDM Vol. 4, Table 2-2).
constexpr uint32_t msr_efer = 0xc0000080, msr_star = 0xc0000081, msr_lstar = 0xc0000082,
                   msr_fmask = 0xc0000084, msr_fs_base = 0xc0000100;
constexpr uint64_t efer_sce = 1u << 0;

inline uint64_t read_cr2() {
    uint64_t v;
    // SAFETY: reads the page-fault address register.
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
inline uint64_t read_cr4() {
    uint64_t v;
    // SAFETY: reads CR4.
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
inline void write_cr4(uint64_t v) {
    // SAFETY: the paging code owns CR4 and sets only features it checked.
    asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}
inline void write_cr3(uint64_t v) {
    // SAFETY: v is the physical address of a complete PML4 that maps the
    // running code and stack at the same virtual addresses.
    asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

inline uint64_t read_cr3() {
    uint64_t v;
    // SAFETY: reads CR3.
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
inline void invlpg(uint64_t va) {
    // SAFETY: drops one TLB entry; no other effect.
    asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

[[noreturn]] inline void halt_forever() {
    for (;;) {
        // SAFETY: stops the CPU with interrupts off.
        asm volatile("cli; hlt");
    }
}

}  // namespace pvk::native
