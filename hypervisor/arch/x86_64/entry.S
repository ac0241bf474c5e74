/*
 * Exception and interrupt entry. Every vector has a 16-byte stub that
 * pushes a zero where the CPU pushes no error code, then the vector
 * number, and joins trap_common, which saves the general registers as a
 * TrapFrame (trap_frame.h) and calls trap_dispatch(TrapFrame*). The stubs
 * of the exceptions trap_fast takes join one of its entries instead
 * (trap_common_fast, _ec, _pf), which go to the same general path for
 * anything from ring 0 or anything they do not take.
 */
#include <pvisor/abi.h>
#include <pvisor/trap.h>

#include "asm_offsets.h"
#include "percpu.h"
#include "selectors.h"
#include "guest_regs.inc"

/* Vectors whose exceptions push an error code (Intel SDM Vol. 3A, 6.15). */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)
/* Vectors trap_fast takes (below): all exceptions but 2, 3, 4, 8 and 18. */
#define TRAP_FAST_VECTORS 0xfffbfee3
#define IS_TRAP_FAST(v) ((v) < 32 && ((TRAP_FAST_VECTORS >> ((v) & 31)) & 1))

/* The pv_frame's vector and flags are adjacent 32-bit fields: trap_fast
 * keeps them in one register (flags in the upper half) and stores both
 * at once. */
#if PV_FRAME_OFF_FLAGS != PV_FRAME_OFF_VECTOR + 4 || PV_FRAME_FROM_USER != 1
#error "trap_fast's vector-and-flags register"
#endif

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
        .if vec == 14
        jmp     trap_common_fast_pf
        .elseif IS_TRAP_FAST(vec) && HAS_ERROR_CODE(vec)
        jmp     trap_common_fast_ec
        .elseif IS_TRAP_FAST(vec)
        jmp     trap_common_fast
        .else
        jmp     trap_common
        .endif
        .set vec, vec + 1
        .endr
        .balign 16
        .global trap_stubs_end
trap_stubs_end:

trap_common:
        /* From ring 3, GS holds the guest's base: swap in the per-CPU one.
         * The CPU pushed cs 24 bytes above the vector and error code. */
        testb   $3, 24(%rsp)
        jz      trap_general
        swapgs
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
 * (the user-mode permission check; their stubs go to trap_common), and a
 * kernel-mode write to a present page (perhaps a page-table store the C
 * path emulates). Nothing of the hypervisor ran since the guest did, so no
 * reschedule can be due. Interrupts are off (interrupt gates), so nothing
 * can come between.
 *
 * It saves six registers; rax, rcx and r11 keep the guest's values until
 * they are in the frame (a handler finds rcx and r11 undefined, and rax
 * is saved around the wrmsr). rsi: the vCPU; rdi: its vcpu_info; r8: the
 * frame's vector, and its flags in the upper half; r10: the vector times
 * 8, so (%rsi,%r10,2) is its trap entry; r9: the frame's address; rdx:
 * scratch, and the frame's error code when the writes begin.
 */
/* The stack below the CPU's frame: six scratch registers, then the
 * stub's vector and error code, then the CPU's iretq frame. */
#define TF_R10 0
#define TF_R9 8
#define TF_R8 16
#define TF_RDI 24
#define TF_RSI 32
#define TF_RDX 40
#define TF_VECTOR 48
#define TF_ERROR 56
#define TF_RIP 64
#define TF_RFLAGS 80
#define TF_RSP 88

.macro TRAP_FAST_ENTRY
        testb   $3, 24(%rsp)                    /* from ring 3? */
        jz      trap_general
        swapgs
        pushq   %rdx
        pushq   %rsi
        pushq   %rdi
        pushq   %r8
        pushq   %r9
        pushq   %r10
.endm

/* After the entry: the checks every vector makes, then to
 * trap_fast_kernel\@ in virtual kernel mode. \vector8: the vector times 8,
 * into r10. */
.macro TRAP_FAST_CHECKS vector8, kernel
        movq    %gs:PERCPU_CURRENT, %rsi
        movq    VCPU_INFO(%rsi), %rdi
        cmpb    $0, VCPU_INFO_UPCALL_PENDING(%rdi)
        jne     trap_fast_bail                  /* an upcall may be due: C decides */
        \vector8
        cmpq    $0, VCPU_TRAPS(%rsi,%r10,2)
        je      trap_fast_bail                  /* no handler: crash, in C */
        cmpb    $VCPU_MODE_USER, %gs:PERCPU_MODE
        jne     \kernel
.endm

/* From virtual user mode: the frame below the kernel stack (none: crash,
 * in C), the flag, the kernel root, and the error code into rdx. */
.macro TRAP_FAST_USER_FRAME
        USER_BOUNCE_FRAME %rsi, %r9, trap_fast_bail
        btsq    $32, %r8                        /* PV_FRAME_FROM_USER */
        LOAD_ROOT VCPU_KERNEL_ROOT, %rsi, %rdx
        movq    TF_ERROR(%rsp), %rdx            /* 0 from the stub if none */
.endm

/* The pv_frame at r9; rdx: its error code. */
.macro TRAP_FAST_WRITES
        movq    %rdx, PV_FRAME_OFF_ERROR_CODE(%r9)
        movq    %rcx, PV_FRAME_OFF_RCX(%r9)
        movq    %r11, PV_FRAME_OFF_R11(%r9)
        movq    %rax, PV_FRAME_OFF_RAX(%r9)
        movq    %r8, PV_FRAME_OFF_VECTOR(%r9)   /* and the flags */
        movq    TF_RIP(%rsp), %rdx
        movq    %rdx, PV_FRAME_OFF_RIP(%r9)
        movq    $PV_GUEST_CS, PV_FRAME_OFF_CS(%r9)
        /* The frame's IF is the virtual one: set if events are on. */
        movq    TF_RFLAGS(%rsp), %rdx
        orq     $0x200, %rdx
        cmpb    $0, VCPU_INFO_UPCALL_MASK(%rdi)
        je      .Lmasked\@
        andq    $~0x200, %rdx
.Lmasked\@:
        movq    %rdx, PV_FRAME_OFF_RFLAGS(%r9)
        movq    TF_RSP(%rsp), %rdx
        movq    %rdx, PV_FRAME_OFF_RSP(%r9)
        movq    $PV_GUEST_SS, PV_FRAME_OFF_SS(%r9)
.endm

/* Committed: the event mask, the counts, and the handler entered on the
 * frame. */
.macro TRAP_FAST_COMMIT
        testb   $PV_TRAP_MASK_EVENTS, VCPU_TRAPS+8(%rsi,%r10,2)
        jz      .Lkeep_mask\@
        movb    $1, VCPU_INFO_UPCALL_MASK(%rdi)
.Lkeep_mask\@:
        incq    VCPU_TRAPS_TAKEN(%rsi)
        incq    VCPU_BOUNCES(%rsi)
        movq    VCPU_TRAPS(%rsi,%r10,2), %rdx
        ENTER_HANDLER %rsp, TF_RIP, %rdx, %r9
.endm

.macro TRAP_FAST_EXIT
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rdi
        popq    %rsi
        popq    %rdx
        addq    $16, %rsp                       /* vector, error code */
        swapgs
        iretq
.endm

trap_common_fast:                               /* a vector without an error code */
        TRAP_FAST_ENTRY
        movq    TF_VECTOR(%rsp), %r8
        jmp     trap_fast
trap_common_fast_ec:                            /* one with an error code, not #PF */
        TRAP_FAST_ENTRY
        movabsq $(PV_FRAME_ERROR_CODE << 32), %r8
        orq     TF_VECTOR(%rsp), %r8
trap_fast:
        TRAP_FAST_CHECKS "leal (,%r8,8), %r10d", trap_fast_kernel
        TRAP_FAST_USER_FRAME
        jmp     trap_fast_writes
trap_fast_kernel:
        KERNEL_BOUNCE_FRAME TF_RSP(%rsp), %r9, %rdx, trap_fast_bail
        movq    TF_ERROR(%rsp), %rdx            /* 0 from the stub if none */
        jmp     trap_fast_kernel_writes

/* A page fault. Its address goes to vcpu_info once a handler is found,
 * as core::deliver_exception does, so the frame's writes may fault. From
 * user mode, the commonest bounce, it falls through to its writes. */
trap_common_fast_pf:
        TRAP_FAST_ENTRY
        movabsq $(14 | (PV_FRAME_ERROR_CODE << 32)), %r8
        TRAP_FAST_CHECKS "movl $(14 * 8), %r10d", trap_fast_kernel_pf
        movq    %cr2, %rdx
        movq    %rdx, VCPU_INFO_FAULT_ADDRESS(%rdi)
        TRAP_FAST_USER_FRAME
        /* The writes, one copy per mode so that neither tests it again,
         * each between labels whose faults go to trap_fast_fixup. */
        .global trap_fast_writes, trap_fast_writes_end, trap_fast_fixup
        .global trap_fast_kernel_writes, trap_fast_kernel_writes_end
trap_fast_writes:                               /* guest memory: faults go to the fixup */
        TRAP_FAST_WRITES
trap_fast_writes_end:
        TRAP_FAST_COMMIT
        movq    %rax, %r9
        ENTER_KERNEL_MODE %rsi
        movq    %r9, %rax
        TRAP_FAST_EXIT

trap_fast_kernel_pf:
        movl    TF_ERROR(%rsp), %edx
        andl    $0x1f, %edx
        cmpl    $7, %edx                        /* present, write, ring 3 */
        je      trap_fast_bail
        movq    %cr2, %rdx
        movq    %rdx, VCPU_INFO_FAULT_ADDRESS(%rdi)
        KERNEL_BOUNCE_FRAME TF_RSP(%rsp), %r9, %rdx, trap_fast_bail
        movq    TF_ERROR(%rsp), %rdx
        andq    $~4, %rdx                       /* a kernel fault, as natively */
trap_fast_kernel_writes:                        /* guest memory: faults go to the fixup */
        TRAP_FAST_WRITES
trap_fast_kernel_writes_end:
        TRAP_FAST_COMMIT
        TRAP_FAST_EXIT

trap_fast_fixup:
        /* A fault writing the frame: undo the root switch, give back the
         * guest's fault address (the fault just taken replaced CR2), and
         * let the C path deliver or crash the domain. */
        btq     $32, %r8                        /* PV_FRAME_FROM_USER */
        jnc     1f
        LOAD_ROOT VCPU_USER_ROOT, %rsi, %rdx
1:      cmpl    $14, %r8d
        jne     trap_fast_bail
        movq    VCPU_INFO_FAULT_ADDRESS(%rdi), %rdx
        movq    %rdx, %cr2
trap_fast_bail:
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rdi
        popq    %rsi
        popq    %rdx
        jmp     trap_general

/*
 * deliver_upcall: the exit paths' last act before a guest runs
 * (UPCALL_CHECK found upcall_pending set). rdi: the guest's GuestRegs;
 * rax: the current vCPU; rdx: its vcpu_info. If events are unmasked and an
 * event callback is registered, edits the frame to enter the callback on a
 * pv_frame, as core::deliver_pending_upcall does, which is the reference
 * and takes over whatever this does not: a missing kernel stack, a frame
 * address the guest may not use, or a fault writing the frame.
 * rcx: the frame's vector, and its flags in the upper half; rsi: its
 * address; r8: the callback. Clobbers the caller-saved registers (the
 * exit restores the guest's).
 */
/* The pv_frame at rsi from the GuestRegs at rdi; rcx: its vector and
 * flags. */
.macro UPCALL_WRITES
        movq    GR_RCX(%rdi), %r9
        movq    %r9, PV_FRAME_OFF_RCX(%rsi)
        movq    GR_R11(%rdi), %r9
        movq    %r9, PV_FRAME_OFF_R11(%rsi)
        movq    GR_RAX(%rdi), %r9
        movq    %r9, PV_FRAME_OFF_RAX(%rsi)
        movq    %rcx, PV_FRAME_OFF_VECTOR(%rsi) /* and the flags */
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
.endm

/* Committed: events masked, the callback entered on the frame. */
.macro UPCALL_COMMIT
        movb    $1, VCPU_INFO_UPCALL_MASK(%rdx)
        incq    VCPU_BOUNCES(%rax)
        ENTER_HANDLER %rdi, GR_RIP, %r8, %rsi
.endm

        .global deliver_upcall
deliver_upcall:
        cmpb    $0, VCPU_INFO_UPCALL_MASK(%rdx)
        jne     9f                              /* masked: it waits */
        movq    VCPU_CB_EVENT_ADDR(%rax), %r8
        testq   %r8, %r8
        jz      9f                              /* no callback: the guest polls */
        cmpb    $VCPU_MODE_USER, %gs:PERCPU_MODE
        je      deliver_upcall_user
        movabsq $(PV_VECTOR_EVENT | (PV_FRAME_EVENT << 32)), %rcx
        KERNEL_BOUNCE_FRAME GR_RSP(%rdi), %rsi, %r9, deliver_upcall_bail
        /* The writes, one copy per mode so that neither tests it again. */
        .global deliver_upcall_writes, deliver_upcall_writes_end, deliver_upcall_fixup
deliver_upcall_writes:                          /* guest memory: faults go to the fixup */
        UPCALL_WRITES
        jmp     deliver_upcall_commit_kernel
deliver_upcall_writes_user:
        UPCALL_WRITES
deliver_upcall_writes_end:
        UPCALL_COMMIT
        ENTER_KERNEL_MODE %rax
        ret
deliver_upcall_commit_kernel:
        UPCALL_COMMIT
9:      ret

deliver_upcall_user:                            /* from virtual user mode */
        movabsq $(PV_VECTOR_EVENT | ((PV_FRAME_EVENT | PV_FRAME_FROM_USER) << 32)), %rcx
        USER_BOUNCE_FRAME %rax, %rsi, deliver_upcall_bail
        LOAD_ROOT VCPU_KERNEL_ROOT, %rax, %r9
        jmp     deliver_upcall_writes_user

deliver_upcall_fixup:
        /* A fault writing the frame: undo the root switch; C decides. */
        btq     $32, %rcx                       /* PV_FRAME_FROM_USER */
        jnc     deliver_upcall_bail
        LOAD_ROOT VCPU_USER_ROOT, %rax, %r9
deliver_upcall_bail:
        jmp     deliver_upcall_slow             /* (rdi: the GuestRegs) */
