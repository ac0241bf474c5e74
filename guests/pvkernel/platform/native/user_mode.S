/*
 * Entering and leaving user mode on the bare machine (ring 0 <-> ring 3).
 */
#include "pvk/asm_offsets.h"
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
        mov     UC_RBX(%rdi), %rbx
        mov     UC_RDX(%rdi), %rdx
        mov     UC_RSI(%rdi), %rsi
        mov     UC_RBP(%rdi), %rbp
        mov     UC_R8(%rdi), %r8
        mov     UC_R9(%rdi), %r9
        mov     UC_R10(%rdi), %r10
        mov     UC_R12(%rdi), %r12
        mov     UC_R13(%rdi), %r13
        mov     UC_R14(%rdi), %r14
        mov     UC_R15(%rdi), %r15
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
        mov     UC_RBX(%rdi), %rbx
        mov     UC_RCX(%rdi), %rcx
        mov     UC_RDX(%rdi), %rdx
        mov     UC_RSI(%rdi), %rsi
        mov     UC_RBP(%rdi), %rbp
        mov     UC_R8(%rdi), %r8
        mov     UC_R9(%rdi), %r9
        mov     UC_R10(%rdi), %r10
        mov     UC_R11(%rdi), %r11
        mov     UC_R12(%rdi), %r12
        mov     UC_R13(%rdi), %r13
        mov     UC_R14(%rdi), %r14
        mov     UC_R15(%rdi), %r15
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
        mov     %rbx, UC_RBX(%rax)
        mov     %rdx, UC_RDX(%rax)
        mov     %rsi, UC_RSI(%rax)
        mov     %rdi, UC_RDI(%rax)
        mov     %rbp, UC_RBP(%rax)
        mov     %r8, UC_R8(%rax)
        mov     %r9, UC_R9(%rax)
        mov     %r10, UC_R10(%rax)
        mov     %r12, UC_R12(%rax)
        mov     %r13, UC_R13(%rax)
        mov     %r14, UC_R14(%rax)
        mov     %r15, UC_R15(%rax)
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
