// Helpers for the guest tests (tests/guest): checks that record a failure
// with a readable reason, a trap handler that records the whole pv_frame it
// was given, raw hypercalls, probes of the address space and a way to run a
// few bytes of code in virtual user mode. Built on pvkernel's test
// framework (pvk/test.h); every test links this library too.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <pvisor/abi.h>
#include <pvisor/callback.h>
#include <pvisor/errno.h>
#include <pvisor/hypercall_stubs.h>
#include <pvisor/sched.h>
#include <pvisor/shared_info.h>
#include <pvisor/trap.h>

#include "pvk/fault.h"
#include "pvk/test.h"
#include "pvk/user_context.h"

namespace gt {

// ------------------------------------------------------------- checks
// Each records a test failure (pvk-test: note: ...) if the check fails and
// returns whether it held. failures() counts them.
// The what arguments are printf formats naming the check.
bool check(bool ok, const char* what, ...) __attribute__((format(printf, 2, 3)));
// Decimal, for return codes.
bool check_rc(int64_t got, int64_t want, const char* what, ...) __attribute__((format(printf, 3, 4)));
// Hex, for addresses and bits.
bool check_eq(uint64_t got, uint64_t want, const char* what, ...) __attribute__((format(printf, 3, 4)));
uint64_t failures();

// ------------------------------------------------------------- addresses
// Canonical, inside the hypervisor's slots: the direct map, and the ends of
// the range.
inline constexpr uint64_t hv_direct_map = 0xffff830000000000;
inline constexpr uint64_t hv_first = PV_HYPERVISOR_VIRT_START;
inline constexpr uint64_t hv_last = PV_HYPERVISOR_VIRT_END - 1;
// Not canonical: the first address above the lower half, and a typical
// poison value.
inline constexpr uint64_t non_canonical = 0x0000800000000000;
inline constexpr uint64_t non_canonical_poison = 0xdead00000000beef;

// Whether a byte can be read (a kernel-mode probe through catch_fault).
bool readable(uint64_t va);
// A canonical lower-half address the kernel root leaves unmapped: below the
// user region. The test errors out if it turns out to be mapped.
uint64_t unmapped_va();

// ------------------------------------------------------------- raw calls
// A hypercall made with syscall directly (not through the hypercall page),
// so any rax can be tried.
inline int64_t raw_hypercall(uint64_t nr, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0) {
    int64_t ret;
    // SAFETY: a hypercall from virtual kernel mode: the hypervisor returns
    // here with rax set and rcx, r11 clobbered (pvisor/hypercall.h).
    asm volatile("syscall" : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3) : "a"(nr) : "rcx", "r11", "memory");
    return ret;
}

volatile pv_vcpu_info& vcpu_info();

// ------------------------------------------------------------- trap tables
// Sets one vector's handler (0 removes it); returns the hypercall's result.
int64_t set_trap(uint8_t vector, uint8_t flags, uint64_t address);
// Puts back pvkernel's own handler for a vector (as its boot installed it).
void restore_pvk_trap(uint8_t vector);
// Puts back pvkernel's syscall and failsafe callbacks.
void restore_pvk_callbacks();

// ------------------------------------------------------------- the recorder
// gt_record_entry is a trap handler (and gt_failsafe_entry a failsafe
// callback) that copies the pv_frame it receives into gt_record and then
// resumes: at the exception-table fixup of the frame's rip if there is one,
// else at the frame's rip for traps (#DB, #BP, #OF). Anything else goes on
// to pvkernel's handler (a catch_fault() probe, or a report and a panic).
// For #DB it clears TF in the frame.
struct Record {
    pv_frame frame;
    uint64_t frame_address;  // where the hypervisor put the frame (rsp on entry)
    uint64_t count;          // deliveries since reset_record()
    uint64_t handler_rflags; // RFLAGS the handler started with
    uint8_t upcall_mask;     // the event mask the handler started with
};

// asm(GT_MARK_BEGIN "insn" GT_MARK_END ...) runs insn with its address in
// gt_mark_insn, the address after it in gt_mark_next and the rsp before it
// in gt_mark_rsp, and resumes after it if it faults (PVK_EXTABLE). Extended
// asm only (it uses %%); clobbers r11.
#define GT_MARK_BEGIN                          \
    "lea 1f(%%rip), %%r11\n\t"                 \
    "mov %%r11, gt_mark_insn(%%rip)\n\t"       \
    "lea 2f(%%rip), %%r11\n\t"                 \
    "mov %%r11, gt_mark_next(%%rip)\n\t"       \
    "mov %%rsp, gt_mark_rsp(%%rip)\n\t"        \
    "1: "
#define GT_MARK_END "\n2:\n\t" PVK_EXTABLE("1b", "2b")

}  // namespace gt

extern "C" {
extern gt::Record gt_record;
extern uint64_t gt_mark_insn, gt_mark_next, gt_mark_rsp;
// When gt_failsafe_entry runs it writes these into the refused frame (and
// clears its flags) and returns through it; with gt_failsafe_fix_rip 0 the
// callback was not expected, a test error.
extern uint64_t gt_failsafe_fix_rip, gt_failsafe_fix_rsp;
void gt_record_entry();
void gt_failsafe_entry();
void gt_iret_resume();
}

namespace gt {

void reset_record();
// Checks that exactly one frame was recorded since reset_record() and that
// it is the one a kernel-mode exception at the GT_MARK instruction makes:
// vector, flags (PV_FRAME_ERROR_CODE iff has_error), error code, rip (the
// instruction, or the next one for a trap), cs/ss, rsp, and the frame's
// address (16-byte aligned, just below rsp).
void check_kernel_frame(const char* what, uint32_t vector, bool has_error, uint64_t error_code, bool trap);

// ------------------------------------------------------------- iret
// The registers when execution resumed at gt_iret_resume. rdx and r8 were
// 0x1111222233334444 and 0x5555666677778888 at the hypercall.
struct IretRegs {
    uint64_t rax, rcx, r11, rdx, r8, rflags, rsp;
};
inline constexpr uint64_t iret_rdx_marker = 0x1111222233334444;
inline constexpr uint64_t iret_r8_marker = 0x5555666677778888;

// Makes the iret hypercall with rsp at a copy of f placed at `at` (0: near
// the top of a scratch stack of this library, 16-byte aligned). A zero
// f.rip becomes gt_iret_resume, a zero f.rsp the scratch stack's top, zero
// cs/ss the guest selectors. The failsafe repair (gt_failsafe_entry) is
// armed to resume at gt_iret_resume too. Returns the registers there.
IretRegs iret_with(pv_frame f, uint64_t at = 0);
// Where iret_with puts the frame by default.
uint64_t iret_frame_address();

// ------------------------------------------------------------- user mode
// Copies [start, end) to the start of the user region and enters user mode
// there with the registers in ctx (rip, rsp and rflags are set unless they
// are non-zero already: the code's first byte, the top of the user region,
// 0x202). Returns how user mode exited; ctx holds the user registers.
pvk::ExitReason run_user_code(const char* start, const char* end, pvk::UserContext& ctx);
// The user-region address that byte `label` of the code was copied to.
uint64_t user_address(const char* start, const char* label);
// Resumes the user code where ctx says.
pvk::ExitReason resume_user(pvk::UserContext& ctx);

}  // namespace gt

// Stringify a number for the assembly of user code.
#define GT_STR2(x) #x
#define GT_STR(x) GT_STR2(x)
