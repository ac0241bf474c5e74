// User mode as a resumable context. The kernel keeps a program's registers
// in a UserContext and calls platform::run_user(), which enters user mode
// with them and returns when the program makes a system call or takes an
// exception, with the registers saved back. Returning to the program is
// another run_user() call, so the kernel needs no per-process kernel stack.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pvk/asm_offsets.h"

namespace pvk {

struct UserContext {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
    // Written by the platform when user mode exits; read through ExitReason.
    uint32_t exit_vector;
    uint32_t exit_flags;
    uint64_t exit_error_code;
};

static_assert(offsetof(UserContext, rax) == UC_RAX);
static_assert(offsetof(UserContext, rbx) == UC_RBX);
static_assert(offsetof(UserContext, rcx) == UC_RCX);
static_assert(offsetof(UserContext, rdx) == UC_RDX);
static_assert(offsetof(UserContext, rsi) == UC_RSI);
static_assert(offsetof(UserContext, rdi) == UC_RDI);
static_assert(offsetof(UserContext, rbp) == UC_RBP);
static_assert(offsetof(UserContext, rsp) == UC_RSP);
static_assert(offsetof(UserContext, r8) == UC_R8);
static_assert(offsetof(UserContext, r9) == UC_R9);
static_assert(offsetof(UserContext, r10) == UC_R10);
static_assert(offsetof(UserContext, r11) == UC_R11);
static_assert(offsetof(UserContext, r12) == UC_R12);
static_assert(offsetof(UserContext, r13) == UC_R13);
static_assert(offsetof(UserContext, r14) == UC_R14);
static_assert(offsetof(UserContext, r15) == UC_R15);
static_assert(offsetof(UserContext, rip) == UC_RIP);
static_assert(offsetof(UserContext, rflags) == UC_RFLAGS);
static_assert(offsetof(UserContext, exit_vector) == UC_EXIT_VECTOR);
static_assert(offsetof(UserContext, exit_flags) == UC_EXIT_FLAGS);
static_assert(offsetof(UserContext, exit_error_code) == UC_EXIT_ERROR_CODE);
static_assert(sizeof(UserContext) == UC_SIZE);

// RFLAGS for a new program: bit 1 is reserved-one, IF=1 (on pv, the
// virtual interrupt flag: events unmasked while user code runs).
inline constexpr uint64_t user_initial_rflags = 0x202;

// Why run_user() came back.
struct ExitReason {
    enum class Kind : uint8_t { syscall, exception };
    Kind kind;
    bool has_error_code;
    uint32_t vector;          // exception vector; TF_VECTOR_SYSCALL for a system call
    uint64_t error_code;
    uint64_t fault_address;   // for #PF
};

}  // namespace pvk

namespace pvk {

// Builds the ExitReason from the exit fields the platform saved in ctx
// (and, for #PF, the platform's fault address).
ExitReason exit_reason_of(const UserContext& ctx);

}  // namespace pvk
