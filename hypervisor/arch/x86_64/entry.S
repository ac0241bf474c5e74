/*
 * Exception and interrupt entry. Every vector has a 16-byte stub that
 * pushes a zero where the CPU pushes no error code, then the vector
 * number, and joins trap_common, which saves the general registers as a
 * TrapFrame (trap_frame.h) and calls trap_dispatch(TrapFrame*).
 */
#include <pvisor/abi.h>
#include <pvisor/trap.h>

#include "asm_offsets.h"
#include "percpu.h"
#include "selectors.h"
#include "guest_regs.inc"

/* Vectors whose exceptions push an error code (Intel SDM Vol. 3A, 6.15). */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

        .text
        .balign 16
        .global trap_stubs
trap_stubs:
        .set vec, 0
        .rept 256
        .balign 16
        .if !HAS_ERROR_CODE(vec)
        pushq   $0
        .endif
        pushq   $vec
        jmp     trap_common
        .set vec, vec + 1
        .endr
        .balign 16
        .global trap_stubs_end
trap_stubs_end:

trap_common:
        /* From ring 3, GS holds the guest's base: swap in the per-CPU one.
         * The CPU pushed cs 24 bytes above the vector and error code.
         * A guest's exception (vector below 32) tries the fast path. */
        testb   $3, 24(%rsp)
        jz      trap_general
        swapgs
        cmpq    $31, (%rsp)
        jbe     trap_fast
trap_general:
        PUSH_GPRS
        cld
        mov     %rsp, %rdi
        call    trap_dispatch
        .global trap_return
trap_return:
        testb   $3, GR_CS(%rsp)                 /* returning to ring 3? */
        jz      1f
        UPCALL_CHECK
1:      POP_GPRS
        add     $16, %rsp                       /* vector, error code */
        testb   $3, 8(%rsp)                     /* returning to ring 3? */
        jz      2f
        swapgs
2:      iretq

/*
 * An exception raised by the guest, bounced to its handler without
 * leaving assembly (as guest_trap and core::deliver_exception in C). It
 * takes the plain case only: a handler registered, a kernel stack if the
 * vCPU is in user mode, no event upcall pending, and a frame address the
 * guest may use. Everything else goes to the general path, which applies
 * the same contract in C and is its reference: NMI, #DF, #MC, int3/into
 * (the user-mode permission check), and a kernel-mode write to a present
 * page (perhaps a page-table store the C path emulates). Nothing of the
 * hypervisor ran since the guest did, so no reschedule can be due.
 * Interrupts are off (interrupt gates), so nothing can come between.
 */
/* Vectors the fast path takes: all exceptions but 2, 3, 4, 8 and 18. */
#define TRAP_FAST_VECTORS 0xfffbfee3
/* Vectors with an error code (core::vector_has_error_code). */
#define TRAP_ERROR_CODE_VECTORS 0x60227d00
/* The stack below the CPU's frame: eight scratch registers, then the
 * stub's vector and error code, then the CPU's iretq frame. */
#define TF_R10 0
#define TF_R9 8
#define TF_R8 16
#define TF_RDI 24
#define TF_RSI 32
#define TF_RDX 40
#define TF_RCX 48
#define TF_RAX 56
#define TF_VECTOR 64
#define TF_ERROR 72
#define TF_RIP 80
#define TF_RFLAGS 96
#define TF_RSP 104
trap_fast:
        pushq   %rax
        pushq   %rcx
        pushq   %rdx
        pushq   %rsi
        pushq   %rdi
        pushq   %r8
        pushq   %r9
        pushq   %r10
        movl    TF_VECTOR(%rsp), %ecx
        movl    $TRAP_FAST_VECTORS, %edx
        btl     %ecx, %edx
        jnc     trap_fast_bail
        movq    %gs:PERCPU_CURRENT, %rax
        movq    VCPU_INFO(%rax), %rsi
        cmpb    $0, VCPU_INFO_UPCALL_PENDING(%rsi)
        jne     trap_fast_bail                  /* an upcall may be due: C decides */
        /* rdi: the pv_frame flags; r10: its error code; r8: CR2 for #PF. */
        xorl    %edi, %edi
        movq    TF_ERROR(%rsp), %r10            /* 0 from the stub if none */
        movl    $TRAP_ERROR_CODE_VECTORS, %edx
        btl     %ecx, %edx
        jnc     1f
        movl    $PV_FRAME_ERROR_CODE, %edi
1:      cmpl    $14, %ecx
        jne     2f
        movq    %cr2, %r8
        cmpb    $VCPU_MODE_KERNEL, %gs:PERCPU_MODE
        jne     2f
        movl    %r10d, %edx
        andl    $0x1f, %edx
        cmpl    $7, %edx                        /* present, write, ring 3 */
        je      trap_fast_bail
        andq    $~4, %r10                       /* a kernel fault, as natively */
2:      shll    $4, %ecx                        /* the trap entry */
        cmpq    $0, VCPU_TRAPS(%rax,%rcx)
        je      trap_fast_bail                  /* no handler: crash, in C */
        /* r9: the frame's address (no kernel stack: crash, in C). */
        BOUNCE_FRAME_ADDRESS TF_RSP(%rsp), %r9, %edi, %rdx, trap_fast_bail
        .global trap_fast_writes, trap_fast_writes_end, trap_fast_fixup
trap_fast_writes:                               /* guest memory: faults go to the fixup */
        movq    TF_RCX(%rsp), %rdx
        movq    %rdx, PV_FRAME_OFF_RCX(%r9)
        movq    %r11, PV_FRAME_OFF_R11(%r9)
        movq    TF_RAX(%rsp), %rdx
        movq    %rdx, PV_FRAME_OFF_RAX(%r9)
        movl    TF_VECTOR(%rsp), %edx
        movl    %edx, PV_FRAME_OFF_VECTOR(%r9)
        movl    %edi, PV_FRAME_OFF_FLAGS(%r9)
        movq    %r10, PV_FRAME_OFF_ERROR_CODE(%r9)
        movq    TF_RIP(%rsp), %rdx
        movq    %rdx, PV_FRAME_OFF_RIP(%r9)
        movq    $PV_GUEST_CS, PV_FRAME_OFF_CS(%r9)
        /* The frame's IF is the virtual one: set if events are on. */
        movq    TF_RFLAGS(%rsp), %rdx
        orq     $0x200, %rdx
        cmpb    $0, VCPU_INFO_UPCALL_MASK(%rsi)
        je      7f
        andq    $~0x200, %rdx
7:      movq    %rdx, PV_FRAME_OFF_RFLAGS(%r9)
        movq    TF_RSP(%rsp), %rdx
        movq    %rdx, PV_FRAME_OFF_RSP(%r9)
        movq    $PV_GUEST_SS, PV_FRAME_OFF_SS(%r9)
trap_fast_writes_end:
        /* Committed. */
        cmpl    $14, TF_VECTOR(%rsp)
        jne     8f
        movq    %r8, VCPU_INFO_FAULT_ADDRESS(%rsi)
8:      testb   $PV_TRAP_MASK_EVENTS, VCPU_TRAPS+8(%rax,%rcx)
        jz      9f
        movb    $1, VCPU_INFO_UPCALL_MASK(%rsi)
9:      incq    VCPU_TRAPS_TAKEN(%rax)
        incq    VCPU_BOUNCES(%rax)
        /* Resume at the handler, on the frame. */
        movq    VCPU_TRAPS(%rax,%rcx), %rdx
        ENTER_HANDLER %rsp, TF_RIP, %rdx, %r9, %edi, %r8
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rax
        addq    $16, %rsp                       /* vector, error code */
        swapgs
        iretq

trap_fast_fixup:
        /* A fault writing the frame: undo the root switch, give back the
         * guest's fault address (the fault just taken replaced CR2), and
         * let the C path deliver or crash the domain. */
        testl   $PV_FRAME_FROM_USER, %edi
        jz      1f
        movq    VCPU_USER_ROOT(%rax), %rdx
        shlq    $12, %rdx
        movq    %rdx, %cr3
1:      cmpl    $14, TF_VECTOR(%rsp)
        jne     trap_fast_bail
        movq    %r8, %cr2
trap_fast_bail:
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rax
        jmp     trap_general

/*
 * deliver_upcall: the exit paths' last act before a guest runs
 * (UPCALL_CHECK found upcall_pending set). rdi: the guest's GuestRegs;
 * rax: the current vCPU; rdx: its vcpu_info. If events are unmasked and an
 * event callback is registered, edits the frame to enter the callback on a
 * pv_frame, as core::deliver_pending_upcall does, which is the reference
 * and takes over whatever this does not: a missing kernel stack, a frame
 * address the guest may not use, or a fault writing the frame.
 * Clobbers the caller-saved registers (the exit restores the guest's).
 */
        .global deliver_upcall
deliver_upcall:
        cmpb    $0, VCPU_INFO_UPCALL_MASK(%rdx)
        jne     9f                              /* masked: it waits */
        movq    VCPU_CB_EVENT_ADDR(%rax), %r8
        testq   %r8, %r8
        jz      9f                              /* no callback: the guest polls */
        /* ecx: the pv_frame flags; rsi: its address. */
        movl    $PV_FRAME_EVENT, %ecx
        BOUNCE_FRAME_ADDRESS GR_RSP(%rdi), %rsi, %ecx, %r9, deliver_upcall_bail
        .global deliver_upcall_writes, deliver_upcall_writes_end, deliver_upcall_fixup
deliver_upcall_writes:                          /* guest memory: faults go to the fixup */
        movq    GR_RCX(%rdi), %r9
        movq    %r9, PV_FRAME_OFF_RCX(%rsi)
        movq    GR_R11(%rdi), %r9
        movq    %r9, PV_FRAME_OFF_R11(%rsi)
        movq    GR_RAX(%rdi), %r9
        movq    %r9, PV_FRAME_OFF_RAX(%rsi)
        movl    $PV_VECTOR_EVENT, PV_FRAME_OFF_VECTOR(%rsi)
        movl    %ecx, PV_FRAME_OFF_FLAGS(%rsi)
        movq    $0, PV_FRAME_OFF_ERROR_CODE(%rsi)
        movq    GR_RIP(%rdi), %r9
        movq    %r9, PV_FRAME_OFF_RIP(%rsi)
        movq    $PV_GUEST_CS, PV_FRAME_OFF_CS(%rsi)
        movq    GR_RFLAGS(%rdi), %r9
        orq     $0x200, %r9                     /* the virtual IF: events were on */
        movq    %r9, PV_FRAME_OFF_RFLAGS(%rsi)
        movq    GR_RSP(%rdi), %r9
        movq    %r9, PV_FRAME_OFF_RSP(%rsi)
        movq    $PV_GUEST_SS, PV_FRAME_OFF_SS(%rsi)
deliver_upcall_writes_end:
        /* Committed: events masked, the callback entered on the frame. */
        movb    $1, VCPU_INFO_UPCALL_MASK(%rdx)
        incq    VCPU_BOUNCES(%rax)
        ENTER_HANDLER %rdi, GR_RIP, %r8, %rsi, %ecx, %r9
9:      ret

deliver_upcall_fixup:
        /* A fault writing the frame: undo the root switch; C decides. */
        testl   $PV_FRAME_FROM_USER, %ecx
        jz      deliver_upcall_bail
        movq    VCPU_USER_ROOT(%rax), %r9
        shlq    $12, %r9
        movq    %r9, %cr3
deliver_upcall_bail:
        jmp     deliver_upcall_slow             /* (rdi: the GuestRegs) */
