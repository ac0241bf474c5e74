// Delivering exceptions and system calls to a guest kernel ("bouncing"),
// and the iret hypercall that returns from them. pvisor/trap.h is the
// guest's side of this contract.
#pragma once

#include <stdint.h>

#include "core/guest_access.h"
#include "core/guest_regs.h"
#include "core/vcpu.h"
#include "kstd/result.h"

namespace core {

// Why a delivery failed, for the crash log. Set when a function returns an
// error that must crash the domain.
struct BounceFailure {
    char reason[96];
};

// Delivers exception `vector` (0-31) to the vCPU's trap-table handler. For
// a page fault the caller passes the fault address in cr2. On error the
// domain cannot continue and *why says why.
[[nodiscard]] kstd::Result<void> deliver_exception(Vcpu& v, GuestRegs& regs, GuestAccess& mem, uint32_t vector,
                                                   uint64_t error_code, uint64_t cr2, BounceFailure* why);

// Delivers a syscall executed in virtual user mode to the system-call
// callback (or #UD if there is none). regs.rip is the return address.
[[nodiscard]] kstd::Result<void> deliver_syscall(Vcpu& v, GuestRegs& regs, GuestAccess& mem, BounceFailure* why);

// If an event upcall is due (upcall_pending set and events unmasked) and an
// event callback is registered, delivers it: a pv_frame with vector
// PV_VECTOR_EVENT and PV_FRAME_EVENT, events masked on entry. Returns ok
// when nothing was due too; an error means the domain must be crashed.
[[nodiscard]] kstd::Result<void> deliver_pending_upcall(Vcpu& v, GuestRegs& regs, GuestAccess& mem,
                                                        BounceFailure* why);

// Delivers to the failsafe callback after an iret with a readable but
// invalid frame at bad_frame (passed to the guest as the error code).
[[nodiscard]] kstd::Result<void> deliver_failsafe(Vcpu& v, GuestRegs& regs, GuestAccess& mem, uint64_t bad_frame,
                                                  BounceFailure* why);

// The iret hypercall: restores rax, rcx, r11, rip, rflags and rsp from the
// pv_frame at regs.rsp and returns to the mode the frame names.
// Error::fault if the frame cannot be read; Error::inval if its values are
// not acceptable (non-canonical or hypervisor addresses, unknown flags, no
// user root). The caller crashes the domain on either.
[[nodiscard]] kstd::Result<void> do_iret(Vcpu& v, GuestRegs& regs, GuestAccess& mem);

// Whether an exception vector pushes an error code (Intel SDM Vol. 3A, 6.15).
constexpr bool vector_has_error_code(uint32_t v) {
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

}  // namespace core
