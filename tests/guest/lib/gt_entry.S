/*
 * The recording trap handler and failsafe callback of the guest tests
 * (lib/gt.h). Both save the registers the C++ half may clobber, call it
 * with the pv_frame, and return through the iret hypercall.
 */
#include "pvk/asm_offsets.h"
#include "pvisor/hypercall_numbers.h"

/* PV_HYPERCALL_ENTRY_SIZE is 32 (gt.cpp checks it against pvisor/abi.h). */
#define GT_IRET_STUB (pv_hypercall_page + PV_HYPERCALL_iret * 32)

.macro SAVE_CALLER_SAVED
        push    %rax
        push    %rcx
        push    %rdx
        push    %rsi
        push    %rdi
        push    %r8
        push    %r9
        push    %r10
        push    %r11
.endm

.macro RESTORE_CALLER_SAVED
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rdi
        pop     %rsi
        pop     %rdx
        pop     %rcx
        pop     %rax
.endm

        .text
/* rsp = the frame, 16-byte aligned. 9 pushes + 8 keep the call aligned. */
        .global gt_record_entry
        .type gt_record_entry, @function
gt_record_entry:
        pushfq
        popq    gt_handler_rflags(%rip)
        cld
        SAVE_CALLER_SAVED
        lea     72(%rsp), %rdi
        sub     $8, %rsp
        call    gt_on_trap
        add     $8, %rsp
        RESTORE_CALLER_SAVED
        jmp     GT_IRET_STUB
        .size gt_record_entry, . - gt_record_entry

/* rsp = the failsafe frame; its error code is the refused frame, which the
 * C++ half repairs. Return through the repaired frame, as pvisor/trap.h
 * allows. */
        .global gt_failsafe_entry
        .type gt_failsafe_entry, @function
gt_failsafe_entry:
        pushfq
        popq    gt_handler_rflags(%rip)
        cld
        SAVE_CALLER_SAVED
        lea     72(%rsp), %rdi
        sub     $8, %rsp
        call    gt_on_failsafe
        add     $8, %rsp
        RESTORE_CALLER_SAVED
        mov     TF_ERROR_CODE(%rsp), %rsp
        jmp     GT_IRET_STUB
        .size gt_failsafe_entry, . - gt_failsafe_entry

/*
 * uint64_t gt_iret(pv_frame* frame): makes the iret hypercall with rsp at
 * frame (built by the caller, gt::iret_with). If the frame resumes at
 * gt_iret_resume, that saves rax, rcx, r11, rdx, r8 and RFLAGS as iret left
 * them in gt_iret_regs and returns to gt_iret's caller on its own stack.
 * rdx and r8 are set to markers before the hypercall, to show that iret
 * leaves the registers it does not restore alone.
 */
        .global gt_iret
        .type gt_iret, @function
gt_iret:
        push    %rbp
        push    %rbx
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, gt_iret_saved_rsp(%rip)
        mov     %rdi, %rsp
        movabs  $0x1111222233334444, %rdx
        movabs  $0x5555666677778888, %r8
        jmp     GT_IRET_STUB
        .size gt_iret, . - gt_iret

        .global gt_iret_resume
        .type gt_iret_resume, @function
gt_iret_resume:
        mov     %rax, gt_iret_regs+0(%rip)
        mov     %rcx, gt_iret_regs+8(%rip)
        mov     %r11, gt_iret_regs+16(%rip)
        mov     %rdx, gt_iret_regs+24(%rip)
        mov     %r8, gt_iret_regs+32(%rip)
        mov     %rsp, gt_iret_regs+48(%rip)
        mov     gt_iret_saved_rsp(%rip), %rsp
        pushfq
        popq    gt_iret_regs+40(%rip)
        cld
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbx
        pop     %rbp
        ret
        .size gt_iret_resume, . - gt_iret_resume

        .bss
        .balign 8
gt_iret_saved_rsp:
        .quad   0
        .global gt_iret_regs
gt_iret_regs:
        .skip   56
