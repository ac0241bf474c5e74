#include "core/bounce.h"

#include <pvisor/abi.h>

#include "kstd/format.h"

namespace core {
namespace {

using kstd::Error;

constexpr uint32_t frame_flags_known = PV_FRAME_FROM_USER | PV_FRAME_ERROR_CODE | PV_FRAME_SYSCALL | PV_FRAME_EVENT;

// What the hardware does on an interrupt gate, minus IF: the guest's
// interrupt flag is virtual and the real one stays set.
uint64_t handler_rflags(uint64_t current) {
    return (current & rflags::guest_settable & ~(rflags::tf | rflags::rf | rflags::ac)) | rflags::if_ |
           rflags::reserved1;
}

// Switches to kernel mode if needed, writes a pv_frame on the kernel stack
// and points the vCPU at the handler.
kstd::Result<void> deliver(Vcpu& v, GuestRegs& regs, GuestAccess& mem, uint64_t handler, uint32_t vector,
                           uint32_t flags, uint64_t error_code, bool mask_events, BounceFailure* why) {
    bool from_user = v.mode == VcpuMode::user;
    uint64_t sp = regs.rsp;
    if (from_user) {
        if (v.kernel_sp == 0) {
            kstd::format(why->reason, sizeof why->reason, "vector %u from user mode but no kernel stack set",
                         vector);
            return Error::inval;
        }
        sp = v.kernel_sp;
        flags |= PV_FRAME_FROM_USER;
        mem.set_mode(v, VcpuMode::kernel);
    }
    sp = (sp & ~uint64_t{15}) - sizeof(pv_frame);

    pv_frame frame{};
    frame.rcx = regs.rcx;
    frame.r11 = regs.r11;
    frame.rax = regs.rax;
    frame.vector = vector;
    frame.flags = flags;
    frame.error_code = error_code;
    frame.rip = regs.rip;
    frame.cs = PV_GUEST_CS;
    frame.rflags = (regs.rflags & ~rflags::if_) | (v.events_masked() ? 0 : rflags::if_);
    frame.rsp = regs.rsp;
    frame.ss = PV_GUEST_SS;

    // copy_to refuses ranges that guest_range_ok refuses, and faults.
    if (mem.copy_to(Gva(sp), &frame, sizeof frame).is_error()) {
        kstd::format(why->reason, sizeof why->reason, "cannot write the frame for vector %u at %#lx", vector, sp);
        return Error::fault;
    }
    if (mask_events && v.info != nullptr) v.info->upcall_mask = 1;
    regs.rip = handler;
    regs.rsp = sp;
    regs.rflags = handler_rflags(regs.rflags);
    regs.cs = PV_GUEST_CS;
    regs.ss = PV_GUEST_SS;
    ++v.bounces;
    return kstd::ok();
}

}  // namespace

kstd::Result<void> deliver_exception(Vcpu& v, GuestRegs& regs, GuestAccess& mem, uint32_t vector,
                                     uint64_t error_code, uint64_t cr2, BounceFailure* why) {
    if (vector >= Vcpu::trap_count) {
        kstd::format(why->reason, sizeof why->reason, "vector %u is not an exception", vector);
        return Error::inval;
    }
    const TrapEntry& t = v.traps[vector];
    if (t.address == 0) {
        kstd::format(why->reason, sizeof why->reason, "no handler for vector %u (rip %#lx, %s mode)", vector,
                     regs.rip, v.mode == VcpuMode::user ? "user" : "kernel");
        return Error::noent;
    }
    if (vector == 14) {
        if (v.info != nullptr) v.info->fault_address = cr2;
        // The guest kernel runs in ring 3, so the CPU marks all its faults
        // as user faults (bit 2). Report what a kernel would see natively;
        // PV_FRAME_FROM_USER says which mode faulted.
        if (v.mode == VcpuMode::kernel) error_code &= ~uint64_t{4};
    }
    uint32_t flags = vector_has_error_code(vector) ? PV_FRAME_ERROR_CODE : 0;
    return deliver(v, regs, mem, t.address, vector, flags, vector_has_error_code(vector) ? error_code : 0,
                   (t.flags & PV_TRAP_MASK_EVENTS) != 0, why);
}

kstd::Result<void> deliver_syscall(Vcpu& v, GuestRegs& regs, GuestAccess& mem, BounceFailure* why) {
    const Callback& cb = v.callbacks[PV_CALLBACK_SYSCALL];
    if (cb.address == 0) {
        // As on hardware with syscall disabled: #UD at the instruction.
        regs.rip -= 2;
        return deliver_exception(v, regs, mem, 6, 0, 0, why);
    }
    return deliver(v, regs, mem, cb.address, PV_VECTOR_SYSCALL, PV_FRAME_SYSCALL, 0,
                   (cb.flags & PV_CALLBACK_MASK_EVENTS) != 0, why);
}

kstd::Result<void> deliver_pending_upcall(Vcpu& v, GuestRegs& regs, GuestAccess& mem, BounceFailure* why) {
    if (v.info == nullptr || v.info->upcall_pending == 0 || v.info->upcall_mask != 0) return kstd::ok();
    const Callback& cb = v.callbacks[PV_CALLBACK_EVENT];
    if (cb.address == 0) return kstd::ok();  // no callback: the guest polls the shared page itself
    return deliver(v, regs, mem, cb.address, PV_VECTOR_EVENT, PV_FRAME_EVENT, 0, true, why);
}

kstd::Result<void> deliver_failsafe(Vcpu& v, GuestRegs& regs, GuestAccess& mem, uint64_t bad_frame,
                                    BounceFailure* why) {
    const Callback& cb = v.callbacks[PV_CALLBACK_FAILSAFE];
    if (cb.address == 0) {
        kstd::format(why->reason, sizeof why->reason, "no failsafe callback");
        return Error::noent;
    }
    return deliver(v, regs, mem, cb.address, PV_VECTOR_FAILSAFE, PV_FRAME_ERROR_CODE, bad_frame,
                   (cb.flags & PV_CALLBACK_MASK_EVENTS) != 0, why);
}

kstd::Result<void> do_iret(Vcpu& v, GuestRegs& regs, GuestAccess& mem) {
    pv_frame frame;
    TRY(mem.copy_from(&frame, Gva(regs.rsp), sizeof frame));
    if ((frame.flags & ~frame_flags_known) != 0) return Error::inval;
    if (!guest_range_ok(frame.rip, 1) || !guest_range_ok(frame.rsp, 0)) return Error::inval;
    bool to_user = (frame.flags & PV_FRAME_FROM_USER) != 0;
    if (to_user && v.user_root.raw == 0) return Error::inval;

    if (to_user) mem.set_mode(v, VcpuMode::user);
    regs.rax = frame.rax;
    regs.rcx = frame.rcx;
    regs.r11 = frame.r11;
    regs.rip = frame.rip;
    regs.rsp = frame.rsp;
    regs.rflags = (frame.rflags & rflags::guest_settable) | rflags::if_ | rflags::reserved1;
    regs.cs = PV_GUEST_CS;
    regs.ss = PV_GUEST_SS;
    if (v.info != nullptr) v.info->upcall_mask = (frame.rflags & rflags::if_) != 0 ? 0 : 1;
    return kstd::ok();
}


}  // namespace core
