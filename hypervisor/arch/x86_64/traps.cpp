// Exceptions: those raised by guests are bounced to the guest's handlers;
// those raised by the hypervisor itself are fatal, except faults inside the
// guest-memory copy, which become EFAULT.
#include "traps.h"

#include "backtrace.h"
#include "core/exit_status.h"
#include "core/log.h"
#include "cpu.h"
#include "guest_access.h"
#include "irq.h"
#include "mm.h"
#include "sched.h"
#include "shutdown.h"
#include "core/bounce.h"
#include <pvisor/trap.h>

namespace arch {
namespace {

const char* const exception_names[32] = {
    "#DE divide error",       "#DB debug",          "NMI",
    "#BP breakpoint",         "#OF overflow",       "#BR bound range",
    "#UD invalid opcode",     "#NM device not available", "#DF double fault",
    "coprocessor overrun",    "#TS invalid TSS",    "#NP segment not present",
    "#SS stack fault",        "#GP general protection", "#PF page fault",
    "reserved",               "#MF x87 error",      "#AC alignment check",
    "#MC machine check",      "#XM SIMD error",     "#VE virtualization",
    "#CP control protection", "reserved",           "reserved",
    "reserved",               "reserved",           "reserved",
    "reserved",               "#HV hypervisor injection", "#VC VMM communication",
    "#SX security",           "reserved",
};

bool g_in_fatal = false;

void describe_page_fault(uint64_t err) {
    // Error code bits: Intel SDM Vol. 3A, 4.7.
    core::print("pvisor: FATAL: page fault at %016lx: %s, %s, %s%s%s\n", read_cr2(),
                (err & 1) ? "protection violation" : "not present", (err & 2) ? "write" : "read",
                (err & 4) ? "user" : "supervisor", (err & 8) ? ", reserved bit" : "",
                (err & 16) ? ", instruction fetch" : "");
}

}  // namespace

const char* exception_name(uint64_t vector) {
    return vector < 32 ? exception_names[vector] : "external interrupt";
}

void dump_registers(const TrapFrame& f) {
    core::print("RIP=%016lx CS=%04lx RFLAGS=%016lx\n", f.rip, f.cs, f.rflags);
    core::print("RSP=%016lx SS=%04lx\n", f.rsp, f.ss);
    core::print("RAX=%016lx RBX=%016lx RCX=%016lx RDX=%016lx\n", f.rax, f.rbx, f.rcx, f.rdx);
    core::print("RSI=%016lx RDI=%016lx RBP=%016lx\n", f.rsi, f.rdi, f.rbp);
    core::print("R8 =%016lx R9 =%016lx R10=%016lx R11=%016lx\n", f.r8, f.r9, f.r10, f.r11);
    core::print("R12=%016lx R13=%016lx R14=%016lx R15=%016lx\n", f.r12, f.r13, f.r14, f.r15);
    core::print("CR0=%016lx CR2=%016lx CR3=%016lx CR4=%016lx\n", read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

[[noreturn]] void fatal_trap(const TrapFrame& f) {
    if (g_in_fatal) {
        // A fault while reporting a fault: say so and stop, no more dumps.
        core::print("pvisor: FATAL: nested exception %lu while reporting a crash\n", f.vector);
        machine_stop(core::ExitStatus::panic);
    }
    g_in_fatal = true;
    core::print("pvisor: FATAL: unexpected exception %s (vector %lu) in %s mode, error code %#lx\n",
                exception_name(f.vector), f.vector, from_user(f) ? "user" : "hypervisor", f.error_code);
    if (f.vector == 14) describe_page_fault(f.error_code);
    dump_registers(f);
    print_backtrace(f.rip, f.rbp);
    core::print("pvisor: stopping the machine (panic)\n");
    machine_stop(core::ExitStatus::panic);
}

}  // namespace arch

namespace arch {
namespace {

// An exception raised by a guest: bounce it to the guest's handler, or
// crash the domain if that is impossible.
void guest_trap(TrapFrame& f) {
    core::Vcpu& v = current_vcpu();
    ++v.traps_taken;
    auto vector = static_cast<uint32_t>(f.vector);
    if (vector == 2) {
        LOG_WARN("NMI while d%u ran; ignored\n", v.domain->id);
        return;
    }
    if (vector == 8 || vector == 18) fatal_trap(f);
    // int3 and into are callable from ring 3 (the guest kernel needs them);
    // from virtual user mode only if the trap table says so, as a DPL
    // check would on hardware.
    if ((vector == 3 || vector == 4) && v.mode == core::VcpuMode::user &&
        (v.traps[vector].address == 0 || (v.traps[vector].flags & PV_TRAP_USER_INT) == 0)) {
        // A #GP points at the faulting instruction: int3/into are one byte
        // (0xcc, 0xce), int $3/int $4 two (0xcd n).
        uint8_t prev = 0;
        bool one_byte = guest_access().copy_from(&prev, core::Gva(f.rip - 1), 1).is_ok() &&
                        prev == (vector == 3 ? 0xcc : 0xce);
        f.rip -= one_byte ? 1 : 2;
        f.error_code = (vector << 3) | 2;
        vector = 13;
    }
    uint64_t cr2 = vector == 14 ? read_cr2() : 0;
    // A store to one of the guest's own read-only page tables that the
    // hypervisor can check and make for it (SPEC.md section 6).
    if (vector == 14 && mm_emulate_pt_write(v, f, cr2)) {
        ++v.pt_updates;
        return;
    }
    core::BounceFailure why;  // written only on failure
    if (core::deliver_exception(v, f, guest_access(), vector, f.error_code, cr2, &why).is_error())
        crash_current_domain(why.reason);
}

}  // namespace
}  // namespace arch

extern "C" void trap_dispatch(arch::TrapFrame* frame) {
    // Vectors 32 and up are interrupts, wherever they arrive (irq.cpp).
    if (frame->vector >= 32) {
        arch::irq_dispatch(*frame);
        return;
    }
    if (arch::from_user(*frame)) {
        arch::guest_trap(*frame);
        arch::return_to_guest();
        return;
    }
    // A fault inside a guest-memory copy is the guest's bad pointer, not a
    // hypervisor bug: the copy returns a short count instead.
    if ((frame->vector == 14 || frame->vector == 13) && arch::fixup_guest_copy_fault(*frame)) return;
    arch::fatal_trap(*frame);
}

// The C half of entry.S's deliver_upcall, for what the assembly leaves to
// it: deliver the pending upcall into the frame, or crash the domain that
// cannot take it.
extern "C" void deliver_upcall_slow(core::GuestRegs* regs) {
    core::BounceFailure why;  // written only on failure
    if (core::deliver_pending_upcall(arch::current_vcpu(), *regs, arch::guest_access(), &why).is_error())
        arch::crash_current_domain(why.reason);
}
