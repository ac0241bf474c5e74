/*
 * The way back from user mode, shared by both platforms: both deliver a
 * user-mode exception (and the pv build a system call) as a TrapFrame on
 * the entry stack with the other user registers live. We save everything
 * into the current UserContext and return from the platform's enter-user
 * routine on the kernel stack it left (pvk_resume_rsp), so run_user()
 * simply returns. The entry stack is then free again.
 */
#include "pvk/asm_offsets.h"
#include "pvk/user_regs.inc"

        .bss
        .balign 8
/* The UserContext of the program in user mode, and the kernel rsp to
 * resume on, with rbp, rbx, r12-r15 pushed. Set by the enter routines. */
        .global pvk_user_ctx
pvk_user_ctx:
        .quad   0
        .global pvk_resume_rsp
pvk_resume_rsp:
        .quad   0

        .text
/* rsp = TrapFrame; rax, rcx, r11 are in the frame, all else is user state. */
        .global pvk_user_exit_frame
        .type pvk_user_exit_frame, @function
pvk_user_exit_frame:
        mov     pvk_user_ctx(%rip), %rax
        STORE_USER_REGS %rax
        mov     TF_RAX(%rsp), %rcx
        mov     %rcx, UC_RAX(%rax)
        mov     TF_RCX(%rsp), %rcx
        mov     %rcx, UC_RCX(%rax)
        mov     TF_R11(%rsp), %rcx
        mov     %rcx, UC_R11(%rax)
        mov     TF_RIP(%rsp), %rcx
        mov     %rcx, UC_RIP(%rax)
        mov     TF_RFLAGS(%rsp), %rcx
        mov     %rcx, UC_RFLAGS(%rax)
        mov     TF_RSP(%rsp), %rcx
        mov     %rcx, UC_RSP(%rax)
        mov     TF_VECTOR(%rsp), %rcx           /* vector and flags together */
        mov     %rcx, UC_EXIT_VECTOR(%rax)
        mov     TF_ERROR_CODE(%rsp), %rcx
        mov     %rcx, UC_EXIT_ERROR_CODE(%rax)
        mov     pvk_resume_rsp(%rip), %rsp
        cld
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbx
        pop     %rbp
        ret
        .size pvk_user_exit_frame, . - pvk_user_exit_frame
