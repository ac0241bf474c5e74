// The register state saved by the trap entry stubs (entry.S), lowest
// address first. The order is the reverse of the pushes in trap_common.
#pragma once

#include <stdint.h>

namespace arch {

struct TrapFrame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error_code;
    // Pushed by the CPU (Intel SDM Vol. 3A, 6.14.2).
    uint64_t rip, cs, rflags, rsp, ss;
};
static_assert(sizeof(TrapFrame) == 22 * 8, "entry.S pushes 22 quadwords");

inline bool from_user(const TrapFrame& f) { return (f.cs & 3) != 0; }

}  // namespace arch
