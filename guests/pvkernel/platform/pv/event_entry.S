/*
 * The event upcall entry (PV_CALLBACK_EVENT, registered with
 * PV_CALLBACK_MASK_EVENTS). The hypervisor enters it with rsp at a
 * pv_frame (16-byte aligned) and events masked, from kernel or user mode
 * (pvisor/trap.h). rax, rcx and r11 are in the frame and the callee-saved
 * registers survive the C call; the other caller-saved ones are pushed.
 * The iret hypercall then restores the interrupted context, its mode and
 * its event mask (frame rflags.IF).
 */
#include "pv_abi_asm.h"

        .text
        .global pvk_pv_event_entry
        .type pvk_pv_event_entry, @function
pvk_pv_event_entry:
        push    %rdi
        push    %rsi
        push    %rdx
        push    %r8
        push    %r9
        push    %r10
        cld
        lea     48(%rsp), %rdi          /* the frame; rsp stays 16-byte aligned */
        call    pvk_pv_event_upcall
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rdx
        pop     %rsi
        pop     %rdi
        jmp     PVK_PV_IRET_STUB
        .size pvk_pv_event_entry, . - pvk_pv_event_entry
