// A guest's registers as saved on entry to the hypervisor. The layout is
// fixed by the entry stubs (arch/x86_64/entry.S, syscall_entry.S), which
// push it; the core reads and edits it to bounce exceptions and return
// from them.
#pragma once

#include <stdint.h>

namespace core {

struct GuestRegs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error_code;
    // The hardware interrupt frame (Intel SDM Vol. 3A, 6.14.2).
    uint64_t rip, cs, rflags, rsp, ss;
};
static_assert(sizeof(GuestRegs) == 22 * 8, "the entry stubs push 22 quadwords");

// GuestRegs.vector for entries that are not exceptions.
inline constexpr uint64_t entry_syscall = 0x100;

// RFLAGS bits (Intel SDM Vol. 1, 3.4.3).
namespace rflags {
inline constexpr uint64_t cf = 1u << 0;
inline constexpr uint64_t reserved1 = 1u << 1;
inline constexpr uint64_t tf = 1u << 8;
inline constexpr uint64_t if_ = 1u << 9;
inline constexpr uint64_t df = 1u << 10;
inline constexpr uint64_t iopl = 3u << 12;
inline constexpr uint64_t nt = 1u << 14;
inline constexpr uint64_t rf = 1u << 16;
inline constexpr uint64_t vm = 1u << 17;
inline constexpr uint64_t ac = 1u << 18;
inline constexpr uint64_t vif = 1u << 19;
inline constexpr uint64_t vip = 1u << 20;
inline constexpr uint64_t id = 1u << 21;
// What a guest may choose; everything else is forced: IF always on (the
// guest's interrupt flag is virtual), IOPL 0, no VM/NT/VIF/VIP.
inline constexpr uint64_t guest_settable = 0x3f7fd5 & ~(if_ | iopl | nt | vm | vif | vip);
}  // namespace rflags

}  // namespace core
