/*
 * Exception and interrupt entry. Every vector has a 16-byte stub that
 * pushes a zero where the CPU pushes no error code, then the vector
 * number, and joins trap_common, which saves the general registers as a
 * TrapFrame (trap_frame.h) and calls trap_dispatch(TrapFrame*).
 */
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
         * The CPU pushed cs 24 bytes above the vector and error code. */
        testb   $3, 24(%rsp)
        jz      1f
        swapgs
1:
        PUSH_GPRS
        cld
        mov     %rsp, %rdi
        call    trap_dispatch
        .global trap_return
trap_return:
        POP_GPRS
        add     $16, %rsp                       /* vector, error code */
        testb   $3, 8(%rsp)                     /* returning to ring 3? */
        jz      2f
        swapgs
2:      iretq
