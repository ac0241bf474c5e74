// Port I/O for ring-0 code: the hypervisor and pvkernel's native build.
// Each helper is one instruction; the port number is the caller's
// responsibility.
#pragma once

#include <stdint.h>

namespace x86 {

inline void outb(uint16_t port, uint8_t v) {
    // SAFETY: port I/O has no memory effects visible to the compiler.
    asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
inline void outw(uint16_t port, uint16_t v) {
    // SAFETY: as outb.
    asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
inline void outl(uint16_t port, uint32_t v) {
    // SAFETY: as outb.
    asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
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

}  // namespace x86
