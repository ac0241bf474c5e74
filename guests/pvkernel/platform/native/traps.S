/*
 * Exception entry on the bare machine. Each stub completes the CPU's
 * interrupt frame to a TrapFrame (pvk/trap_frame.h, the pv_frame layout):
 * a zero error code where the CPU pushes none, then vector and flags, then
 * rax, r11 and rcx. From there it is the pv path: user-mode exceptions
 * leave through pvk_user_exit_frame, kernel-mode ones call
 * pvk_kernel_trap(frame) and return with iretq.
 */
#include "pvk/asm_offsets.h"

.macro STUB vec, has_error_code
        .balign 16
stub_\vec:
        .if \has_error_code == 0
        pushq   $0
        .endif
        pushq   $\vec
        .if \has_error_code
        movl    $TF_HAS_ERROR_CODE, 4(%rsp)
        .endif
        jmp     pvk_native_trap_common
.endm

        .text
/* Vectors with an error code: Intel SDM Vol. 3A, Table 6-1. */
        STUB 0, 0
        STUB 1, 0
        STUB 2, 0
        STUB 3, 0
        STUB 4, 0
        STUB 5, 0
        STUB 6, 0
        STUB 7, 0
        STUB 8, 1
        STUB 9, 0
        STUB 10, 1
        STUB 11, 1
        STUB 12, 1
        STUB 13, 1
        STUB 14, 1
        STUB 15, 0
        STUB 16, 0
        STUB 17, 1
        STUB 18, 0
        STUB 19, 0
        STUB 20, 0
        STUB 21, 1
        STUB 22, 0
        STUB 23, 0
        STUB 24, 0
        STUB 25, 0
        STUB 26, 0
        STUB 27, 0
        STUB 28, 0
        STUB 29, 1
        STUB 30, 1
        STUB 31, 0

        .type pvk_native_trap_common, @function
pvk_native_trap_common:
        push    %rax
        push    %r11
        push    %rcx
        testb   $3, TF_CS(%rsp)
        jz      1f
        orl     $TF_FROM_USER, TF_FLAGS(%rsp)
        jmp     pvk_user_exit_frame
1:      push    %rdi
        push    %rsi
        push    %rdx
        push    %r8
        push    %r9
        push    %r10
        cld
        lea     48(%rsp), %rdi
        call    pvk_kernel_trap
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rdx
        pop     %rsi
        pop     %rdi
        pop     %rcx
        pop     %r11
        pop     %rax
        add     $16, %rsp                       /* vector/flags, error code */
        iretq
        .size pvk_native_trap_common, . - pvk_native_trap_common

        .section .rodata
        .balign 8
        .global pvk_native_trap_stubs
pvk_native_trap_stubs:
        .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .quad stub_\v
        .endr
