/*
 * Entering and leaving user mode on the bare machine (ring 0 <-> ring 3).
 */
#include "pvk/asm_offsets.h"
#include "pvk/user_regs.inc"
#include "selectors.h"

        .text
/*
 * void pvk_native_enter_user(UserContext* ctx)
 *
 * Saves the callee-saved registers and enters user mode with ctx's
 * registers. After a system call (rcx == rip, r11 == rflags, as SYSCALL
 * left them) SYSRET suffices, as in Linux; otherwise IRETQ restores every
 * register. Returns through pvk_native_syscall_entry or, for exceptions,
 * pvk_user_exit_frame (common/user_exit.S).
 */
        .global pvk_native_enter_user
        .type pvk_native_enter_user, @function
pvk_native_enter_user:
        push    %rbp
        push    %rbx
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, pvk_resume_rsp(%rip)
        mov     %rdi, pvk_user_ctx(%rip)
        mov     UC_RIP(%rdi), %rcx
        cmp     UC_RCX(%rdi), %rcx
        jne     .Liret
        mov     UC_RFLAGS(%rdi), %r11
        cmp     UC_R11(%rdi), %r11
        jne     .Liret
        /* SYSRET to a non-canonical rip faults in ring 0 on Intel CPUs:
         * only take it below the top page of the lower half. */
        movabs  $0x00007ffffffff000, %rax
        cmp     %rax, %rcx
        jae     .Liret
        mov     UC_RAX(%rdi), %rax
        LOAD_USER_REGS_BUT_RDI
        mov     UC_RSP(%rdi), %rsp
        mov     UC_RDI(%rdi), %rdi
        sysretq
.Liret:
        pushq   $SEL_USER_DATA
        pushq   UC_RSP(%rdi)
        pushq   UC_RFLAGS(%rdi)
        pushq   $SEL_USER_CODE
        pushq   UC_RIP(%rdi)
        mov     UC_RAX(%rdi), %rax
        mov     UC_RCX(%rdi), %rcx
        mov     UC_R11(%rdi), %r11
        LOAD_USER_REGS_BUT_RDI
        mov     UC_RDI(%rdi), %rdi
        iretq
        .size pvk_native_enter_user, . - pvk_native_enter_user

/*
 * IA32_LSTAR: SYSCALL from user mode. rcx = user rip, r11 = user rflags,
 * rsp = the user's; FMASK cleared IF. Switch to the kernel stack that
 * entered user mode first, then save the user registers into the context
 * and return from pvk_native_enter_user.
 */
        .global pvk_native_syscall_entry
        .type pvk_native_syscall_entry, @function
pvk_native_syscall_entry:
        mov     %rsp, pvk_native_user_rsp(%rip)
        mov     pvk_resume_rsp(%rip), %rsp
        push    %rax
        mov     pvk_user_ctx(%rip), %rax
        popq    UC_RAX(%rax)
        mov     %rcx, UC_RIP(%rax)
        mov     %rcx, UC_RCX(%rax)
        mov     %r11, UC_RFLAGS(%rax)
        mov     %r11, UC_R11(%rax)
        mov     pvk_native_user_rsp(%rip), %rcx
        mov     %rcx, UC_RSP(%rax)
        STORE_USER_REGS %rax
        movl    $TF_VECTOR_SYSCALL, UC_EXIT_VECTOR(%rax)
        movl    $(TF_SYSCALL | TF_FROM_USER), UC_EXIT_FLAGS(%rax)
        movq    $0, UC_EXIT_ERROR_CODE(%rax)
        cld
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbx
        pop     %rbp
        ret
        .size pvk_native_syscall_entry, . - pvk_native_syscall_entry

        .bss
        .balign 8
pvk_native_user_rsp:
        .quad   0
