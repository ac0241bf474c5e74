// Kernel-mode exceptions. An exception in kernel mode goes to
// pvk_kernel_trap(), which resumes it in one of two ways if it was
// expected, and otherwise prints a report and panics:
//
//  1. Exception table (as Linux's extable): inline asm marks an instruction
//     that may fault and where to continue. Cheapest; the benchmarks and
//     tests that provoke one known instruction use it.
//
//       asm volatile("1: ud2\n2:\n" PVK_EXTABLE("1b", "2b"));
//
//  2. catch_fault(fn): runs fn; if anything in it faults, fn is abandoned
//     and catch_fault returns what happened (a setjmp/longjmp pair that
//     the exception handler drives). For tests of arbitrary code.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pvk/asm_offsets.h"
#include "pvk/trap_frame.h"

// One exception-table entry: if the instruction at `fault` raises an
// exception in kernel mode, continue at `fixup`. Arguments are asm labels.
#define PVK_EXTABLE(fault, fixup)          \
    ".pushsection .pvk_extable, \"a\"\n\t" \
    ".balign 8\n\t"                        \
    ".quad " fault ", " fixup "\n\t"       \
    ".popsection\n\t"

namespace pvk {

struct FaultInfo {
    uint32_t vector;
    bool has_error_code;
    uint64_t error_code;
    uint64_t rip;
    uint64_t fault_address;  // for #PF
};

// The last exception resumed through the exception table.
const FaultInfo& last_fixed_fault();
// How many exceptions the exception table has resumed since boot.
uint64_t fixed_fault_count();

struct CatchResult {
    bool faulted;
    FaultInfo fault;  // valid if faulted
};

// Runs fn(arg). Not reentrant: fn must not call catch_fault itself.
CatchResult catch_fault(void (*fn)(void*), void* arg);

template <typename F>
CatchResult catch_fault(F& f) {
    return catch_fault([](void* p) { (*static_cast<F*>(p))(); }, &f);
}

// Saved by pvk_catch_call (common/catch.S); restored by pvk_catch_resume.
struct CatchBuffer {
    uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};
static_assert(offsetof(CatchBuffer, rbx) == CB_RBX);
static_assert(offsetof(CatchBuffer, rbp) == CB_RBP);
static_assert(offsetof(CatchBuffer, r12) == CB_R12);
static_assert(offsetof(CatchBuffer, r13) == CB_R13);
static_assert(offsetof(CatchBuffer, r14) == CB_R14);
static_assert(offsetof(CatchBuffer, r15) == CB_R15);
static_assert(offsetof(CatchBuffer, rsp) == CB_RSP);
static_assert(offsetof(CatchBuffer, rip) == CB_RIP);

// The platform's fault address of the last page fault (native: CR2, pv:
// the shared page). Defined by each platform.
namespace platform {
uint64_t last_fault_address();
}

}  // namespace pvk

// Entered from the platform's exception entry with the frame of a
// kernel-mode exception. May change frame->rip/rsp/rax to resume elsewhere.
extern "C" void pvk_kernel_trap(pvk::TrapFrame* frame);
