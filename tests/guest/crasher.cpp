// A guest the hypervisor must crash, one way per boot, chosen by a word on
// its command line. Booted as domain 1 next to a witness (witness.cpp),
// which must pass after the crash. If the crash does not come, the test
// fails.
//
//   no_handler           clears its trap table, then #PF
//   user_stack_unmapped  stack_switch to an unmapped address, ud2 in user mode
//   user_stack_readonly  stack_switch into read-only text, ud2 in user mode
//   syscall_stack_unmapped    the same two with a user syscall (the
//   syscall_stack_readonly    hypervisor's fast path for it)
//   kernel_stack_unmapped     ud2 in kernel mode with rsp unmapped
//   kernel_stack_hypervisor   ... with rsp in the hypervisor's direct map
//   kernel_stack_noncanonical ... with rsp not canonical
//   iret_no_failsafe     iret refuses a frame, no failsafe callback
//   iret_unreadable      iret with rsp unmapped
//   iret_hypervisor      iret with rsp in the hypervisor's direct map
//   failsafe_unwritable  iret refuses a frame, no room below it for the failsafe frame
//   syscall_no_handler   user syscall without a syscall callback or #UD handler
//   int3_no_handler      user int3 without PV_TRAP_USER_INT or #GP handler
//   upcall_stack_unmapped     an event sent to itself with events on and
//                             rsp unmapped: the upcall frame cannot be written
#include <pvisor/event_channel.h>
#include <pvisor/hypercall_numbers.h>

#include "gt.h"
#include "pvk/boot_info.h"
#include "pvk/cmdline.h"
#include "pvk/events.h"
#include "pvk/kprintf.h"

const char test_title[] = "crasher";

extern "C" const char gt_user_crash_ud2[], gt_user_crash_syscall[], gt_user_crash_int3[], gt_user_crash_end[];
asm(".pushsection .rodata.gt_user, \"a\"\n"
    "gt_user_crash_ud2: ud2\n"
    "gt_user_crash_syscall: syscall\n"
    "gt_user_crash_int3: int3\n"
    "  ud2\n"
    "gt_user_crash_end:\n"
    ".popsection\n");

namespace {

void user(const char* start) {
    pvk::UserContext ctx{};
    gt::run_user_code(start, gt_user_crash_end, ctx);
}

// ud2 with rsp = sp: the frame cannot be written there.
void kernel_fault_at(uint64_t sp) {
    asm volatile("mov %%rsp, %%rbx; mov %0, %%rsp; ud2; mov %%rbx, %%rsp" ::"r"(sp) : "rbx", "memory");
}

// The iret hypercall with rsp = sp.
void iret_at(uint64_t sp) {
    asm volatile("mov %0, %%rsp; jmp pv_hypercall_page + " GT_STR(PV_HYPERCALL_iret) " * 32" ::"r"(sp) : "memory");
}

// event_channel_op send on `port` with rsp = sp (the hypercall page's
// entry is jumped to: nothing is pushed). The upcall due on the way back
// is delivered on the stack the vCPU has: sp.
void send_at(uint64_t sp, uint32_t port) {
    asm volatile("mov %0, %%rsp; jmp pv_hypercall_page + " GT_STR(PV_HYPERCALL_event_channel_op) " * 32"
                 ::"r"(sp), "D"(uint64_t{PV_EVTCHNOP_send}), "S"(uint64_t{port}) : "memory");
}

pv_frame refused_frame() {
    pv_frame f{};
    f.rip = gt::non_canonical;
    f.rflags = 0x2;
    return f;
}

}  // namespace

void test_main() {
    const pvk::BootInfo& bi = pvk::boot_info();
    uint64_t unmapped = gt::unmapped_va();
    pv_callback no_failsafe{PV_CALLBACK_FAILSAFE, 0, 0};
    pv_callback no_syscall{PV_CALLBACK_SYSCALL, 0, 0};
    const char* what = nullptr;
    if (pvk::cmdline_has("no_handler")) {
        what = "no_handler";
        pvk::kprintf("crasher: %s: clearing the trap table, then #PF\n", what);
        pv_set_trap_table(nullptr, 0);
        (void)*reinterpret_cast<volatile uint8_t*>(unmapped);
    } else if (pvk::cmdline_has("user_stack_unmapped")) {
        what = "user_stack_unmapped";
        pvk::kprintf("crasher: %s: stack_switch(%#lx), ud2 in user mode\n", what, unmapped + 0x1000);
        pv_stack_switch(unmapped + 0x1000);
        user(gt_user_crash_ud2);
    } else if (pvk::cmdline_has("user_stack_readonly")) {
        what = "user_stack_readonly";
        uint64_t sp = reinterpret_cast<uint64_t>(pv_hypercall_page) + PV_PAGE_SIZE;
        pvk::kprintf("crasher: %s: stack_switch(%#lx), ud2 in user mode\n", what, sp);
        pv_stack_switch(sp);
        user(gt_user_crash_ud2);
    } else if (pvk::cmdline_has("syscall_stack_unmapped")) {
        what = "syscall_stack_unmapped";
        pvk::kprintf("crasher: %s: stack_switch(%#lx), syscall in user mode\n", what, unmapped + 0x1000);
        pv_stack_switch(unmapped + 0x1000);
        user(gt_user_crash_syscall);
    } else if (pvk::cmdline_has("syscall_stack_readonly")) {
        what = "syscall_stack_readonly";
        uint64_t sp = reinterpret_cast<uint64_t>(pv_hypercall_page) + PV_PAGE_SIZE;
        pvk::kprintf("crasher: %s: stack_switch(%#lx), syscall in user mode\n", what, sp);
        pv_stack_switch(sp);
        user(gt_user_crash_syscall);
    } else if (pvk::cmdline_has("kernel_stack_unmapped")) {
        what = "kernel_stack_unmapped";
        pvk::kprintf("crasher: %s: ud2 with rsp %#lx\n", what, unmapped + 0x1000);
        kernel_fault_at(unmapped + 0x1000);
    } else if (pvk::cmdline_has("kernel_stack_hypervisor")) {
        what = "kernel_stack_hypervisor";
        pvk::kprintf("crasher: %s: ud2 with rsp %#lx\n", what, gt::hv_direct_map + 0x200000);
        kernel_fault_at(gt::hv_direct_map + 0x200000);
    } else if (pvk::cmdline_has("kernel_stack_noncanonical")) {
        what = "kernel_stack_noncanonical";
        pvk::kprintf("crasher: %s: ud2 with rsp %#lx\n", what, gt::non_canonical + 0x1000);
        kernel_fault_at(gt::non_canonical + 0x1000);
    } else if (pvk::cmdline_has("iret_no_failsafe")) {
        what = "iret_no_failsafe";
        pvk::kprintf("crasher: %s: iret to a non-canonical rip\n", what);
        pv_callback_op(PV_CALLBACKOP_unregister, &no_failsafe);
        gt::iret_with(refused_frame());
    } else if (pvk::cmdline_has("iret_unreadable")) {
        what = "iret_unreadable";
        pvk::kprintf("crasher: %s: iret with rsp %#lx\n", what, unmapped);
        iret_at(unmapped);
    } else if (pvk::cmdline_has("iret_hypervisor")) {
        what = "iret_hypervisor";
        pvk::kprintf("crasher: %s: iret with rsp %#lx\n", what, gt::hv_direct_map + 0x1000);
        iret_at(gt::hv_direct_map + 0x1000);
    } else if (pvk::cmdline_has("failsafe_unwritable")) {
        what = "failsafe_unwritable";
        pvk::kprintf("crasher: %s: refused frame at %#lx, nothing mapped below\n", what, bi.user_va);
        if (gt::readable(bi.user_va - 1)) test_error("the page below the user region is mapped");
        else gt::iret_with(refused_frame(), bi.user_va);
    } else if (pvk::cmdline_has("syscall_no_handler")) {
        what = "syscall_no_handler";
        pvk::kprintf("crasher: %s: user syscall, no syscall callback, no #UD handler\n", what);
        pv_callback_op(PV_CALLBACKOP_unregister, &no_syscall);
        gt::set_trap(6, 0, 0);
        user(gt_user_crash_syscall);
    } else if (pvk::cmdline_has("int3_no_handler")) {
        what = "int3_no_handler";
        pvk::kprintf("crasher: %s: user int3, no PV_TRAP_USER_INT, no #GP handler\n", what);
        gt::set_trap(3, PV_TRAP_MASK_EVENTS, reinterpret_cast<uint64_t>(gt_record_entry));
        gt::set_trap(13, 0, 0);
        user(gt_user_crash_int3);
    } else if (pvk::cmdline_has("upcall_stack_unmapped")) {
        what = "upcall_stack_unmapped";
        kstd::Result<pvk::events::Port> port = pvk::events::init().is_ok()
                                                   ? pvk::events::bind_ipi([](pvk::events::Port, void*) {}, nullptr)
                                                   : kstd::Error::nosys;
        if (port.is_error()) {
            test_error("cannot bind an IPI port: %s", kstd::error_name(port.error()));
        } else {
            pvk::kprintf("crasher: %s: send to itself with rsp %#lx\n", what, unmapped + 0x1000);
            pvk::events::irq_enable();
            send_at(unmapped + 0x1000, port.value());
        }
    } else {
        test_error("no crash named on the command line \"%s\"", bi.cmdline);
        return;
    }
    test_fail("%s: the domain was not crashed", what);
}
