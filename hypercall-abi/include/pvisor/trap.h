/*
 * pvisor hypercall ABI: exceptions, system calls and events as a guest
 * kernel receives them.
 *
 * Delivery. When the hypervisor delivers an exception, a system call from
 * virtual user mode, or an event upcall, it switches the vCPU to virtual
 * kernel mode (kernel page-table root, kernel GS base), takes the stack
 * (the current one if already in kernel mode, else the one set with
 * stack_switch), aligns it down to 16 bytes, writes a struct pv_frame just
 * below that, and enters the handler with rsp pointing at the frame (so rsp
 * is 16-byte aligned). rcx and r11
 * hold junk on entry; their old values are in the frame. If there is no
 * handler, or the frame cannot be written (unmapped or read-only stack, or
 * no kernel stack set for an event in user mode), the domain is crashed.
 *
 * Return. The handler restores its registers, points rsp at the frame and
 * jumps (jmp, not call: rsp must point at the frame) to the iret entry of
 * the hypercall page, pv_hypercall_page + PV_HYPERCALL_iret *
 * PV_HYPERCALL_ENTRY_SIZE. iret restores rax, rcx, r11, rip, rflags and rsp
 * from the frame and returns to the mode in its flags; it ignores the
 * frame's cs, ss, vector and error_code (the selectors are always
 * PV_GUEST_CS and PV_GUEST_SS).
 * A frame that cannot be read crashes the domain. A frame with values the
 * hypervisor refuses (non-canonical or hypervisor addresses, unknown flags,
 * user mode without a user root) goes to the failsafe callback, delivered
 * like an exception just below the refused frame with vector
 * PV_VECTOR_FAILSAFE and the frame's address as the error code; without a
 * failsafe callback, or if that frame cannot be written either, the domain
 * is crashed.
 *
 * For a system call from user mode, frame.rcx and frame.r11 hold what the
 * syscall instruction left there (the return rip and the user rflags); the
 * user's earlier rcx and r11 are gone, as on hardware. For a page fault
 * the error code is the hardware's, except that bit 2 (user) is clear for
 * faults in virtual kernel mode, as a native kernel would see it; use
 * PV_FRAME_FROM_USER to tell the modes apart. RDTSC works in both modes.
 *
 * Assembly may include this header: the C declarations are guarded by
 * __ASSEMBLER__ and the frame's offsets are PV_FRAME_OFF_*.
 *
 * Freestanding: C11 and C++20.
 */
#ifndef PVISOR_TRAP_H
#define PVISOR_TRAP_H

#include "pvisor/abi.h"

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define PV_FRAME_OFF_RCX 0
#define PV_FRAME_OFF_R11 8
#define PV_FRAME_OFF_RAX 16
#define PV_FRAME_OFF_VECTOR 24
#define PV_FRAME_OFF_FLAGS 28
#define PV_FRAME_OFF_ERROR_CODE 32
#define PV_FRAME_OFF_RIP 40
#define PV_FRAME_OFF_CS 48
#define PV_FRAME_OFF_RFLAGS 56
#define PV_FRAME_OFF_RSP 64
#define PV_FRAME_OFF_SS 72
#define PV_FRAME_SIZE 80

/* struct pv_frame.flags */
#define PV_FRAME_FROM_USER (PV_U(1) << 0)     /* the interrupted context was virtual user mode */
#define PV_FRAME_ERROR_CODE (PV_U(1) << 1)    /* error_code is meaningful */
#define PV_FRAME_SYSCALL (PV_U(1) << 2)       /* a system call from user mode, not an exception */
#define PV_FRAME_EVENT (PV_U(1) << 3)         /* an event upcall */

/* Vector numbers for pv_frame.vector beyond the 32 exceptions. */
#define PV_VECTOR_SYSCALL PV_U(256)
#define PV_VECTOR_EVENT PV_U(257)
#define PV_VECTOR_FAILSAFE PV_U(258)  /* an iret frame was refused; error_code = its address */

#ifndef __ASSEMBLER__
struct pv_frame {
    uint64_t rcx;
    uint64_t r11;
    uint64_t rax;        /* restored by iret; delivery stores the interrupted rax */
    uint32_t vector;     /* 0-31 for exceptions, or PV_VECTOR_* */
    uint32_t flags;      /* PV_FRAME_* */
    uint64_t error_code;
    /* As an x86 interrupt frame. rflags.IF is the virtual interrupt flag:
     * set if events were unmasked (pv_vcpu_info.upcall_mask == 0) when the
     * frame was made; iret unmasks events again if it is set. */
    uint64_t rip;
    uint64_t cs;
    uint64_t rflags;
    uint64_t rsp;
    uint64_t ss;
};
PV_STATIC_ASSERT(sizeof(struct pv_frame) == PV_FRAME_SIZE, "pv_frame is 80 bytes");
PV_STATIC_ASSERT(__builtin_offsetof(struct pv_frame, vector) == PV_FRAME_OFF_VECTOR, "pv_frame.vector");
PV_STATIC_ASSERT(__builtin_offsetof(struct pv_frame, rip) == PV_FRAME_OFF_RIP, "pv_frame.rip");
PV_STATIC_ASSERT(__builtin_offsetof(struct pv_frame, rsp) == PV_FRAME_OFF_RSP, "pv_frame.rsp");

/* One entry of the table given to set_trap_table. */
struct pv_trap_info {
    uint8_t vector;       /* 0-31 */
    uint8_t flags;        /* PV_TRAP_* */
    uint16_t reserved;    /* must be 0 */
    uint32_t reserved2;   /* must be 0 */
    uint64_t address;     /* handler; 0 removes the vector's handler */
};
PV_STATIC_ASSERT(sizeof(struct pv_trap_info) == 16, "pv_trap_info is 16 bytes");
#endif /* __ASSEMBLER__ */

/* The vector may be raised from virtual user mode with int n (int3, into). */
#define PV_TRAP_USER_INT (PV_U(1) << 0)
/* Deliver with events masked (like an interrupt gate), else leave the mask. */
#define PV_TRAP_MASK_EVENTS (PV_U(1) << 1)

#define PV_TRAP_TABLE_MAX PV_U(32)

#endif /* PVISOR_TRAP_H */
