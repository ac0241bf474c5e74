/*
 * The event upcall entry (PV_CALLBACK_EVENT, registered with
 * PV_CALLBACK_MASK_EVENTS). The hypervisor enters it with rsp at a
 * pv_frame (16-byte aligned) and events masked, from kernel or user mode
 * (pvisor/trap.h). rax, rcx and r11 are in the frame and the callee-saved
 * registers survive the C call; the other caller-saved ones are pushed.
 *
 * pvk_pv_event_upcall says how to resume. Into user mode it is the iret
 * hypercall, which restores the mode and the event mask. Into kernel mode
 * the upcall has already set the event mask the frame asks for (SPEC.md
 * section 7, "Returning from an upcall without iret"), so a native iretq
 * does the rest: pv_frame's rip, cs, rflags, rsp and ss are the iretq
 * frame, and at CPL 3 iretq leaves the real IF and IOPL alone.
 */
#include "pv_abi_asm.h"
#include "pvisor/trap.h"

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
        test    %al, %al                /* pops leave the flags alone */
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rdx
        pop     %rsi
        pop     %rdi
        jz      1f
        movq    PV_FRAME_OFF_RCX(%rsp), %rcx
        movq    PV_FRAME_OFF_R11(%rsp), %r11
        movq    PV_FRAME_OFF_RAX(%rsp), %rax
        addq    $PV_FRAME_OFF_RIP, %rsp
        iretq
1:      jmp     PVK_PV_IRET_STUB
        .size pvk_pv_event_entry, . - pvk_pv_event_entry
