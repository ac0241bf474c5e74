/*
 * Entering and leaving user mode, and the exception entry, on pvisor.
 * Both modes run in ring 3; the hypervisor switches page-table roots and
 * virtual mode on iret and on delivery (pvisor/trap.h).
 */
#include "pvk/asm_offsets.h"
#include "pvk/user_regs.inc"
#include "pv_abi_asm.h"

        .text
/*
 * void pvk_pv_enter_user(UserContext* ctx)
 *
 * Saves the callee-saved registers, builds a pv_frame with ctx's rax,
 * rcx, r11, rip, rflags and rsp and PV_FRAME_FROM_USER (the fields iret
 * reads), loads the other
 * registers and makes the iret hypercall. Returns through
 * pvk_user_exit_frame (common/user_exit.S) when user mode exits.
 */
        .global pvk_pv_enter_user
        .type pvk_pv_enter_user, @function
pvk_pv_enter_user:
        push    %rbp
        push    %rbx
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, pvk_resume_rsp(%rip)
        mov     %rdi, pvk_user_ctx(%rip)
        sub     $TF_SIZE, %rsp
        and     $-16, %rsp
        mov     UC_RAX(%rdi), %rax
        mov     %rax, TF_RAX(%rsp)
        mov     UC_RCX(%rdi), %rax
        mov     %rax, TF_RCX(%rsp)
        mov     UC_R11(%rdi), %rax
        mov     %rax, TF_R11(%rsp)
        mov     UC_RIP(%rdi), %rax
        mov     %rax, TF_RIP(%rsp)
        mov     UC_RFLAGS(%rdi), %rax
        mov     %rax, TF_RFLAGS(%rsp)
        mov     UC_RSP(%rdi), %rax
        mov     %rax, TF_RSP(%rsp)
        /* iret ignores vector, error_code, cs and ss (SPEC section 5). */
        movl    $TF_FROM_USER, TF_FLAGS(%rsp)
        LOAD_USER_REGS_BUT_RDI
        mov     UC_RDI(%rdi), %rdi
        jmp     PVK_PV_IRET_STUB
        .size pvk_pv_enter_user, . - pvk_pv_enter_user

/*
 * The handler for every exception vector (set_trap_table). From user mode:
 * back to the kernel through pvk_user_exit_frame. From kernel mode: call
 * pvk_kernel_trap(frame) with the caller-saved registers preserved (it
 * preserves the rest), then iret with the frame it may have changed.
 * System calls from user mode go straight to pvk_user_exit_frame (the
 * PV_CALLBACK_SYSCALL callback).
 */
        .global pvk_pv_trap_entry
        .type pvk_pv_trap_entry, @function
pvk_pv_trap_entry:
        testl   $TF_FROM_USER, TF_FLAGS(%rsp)
        jnz     pvk_user_exit_frame
        push    %rdi
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
        jmp     PVK_PV_IRET_STUB
        .size pvk_pv_trap_entry, . - pvk_pv_trap_entry

/* The failsafe callback: iret refused a frame (pvisor/trap.h: delivered
 * just below it, vector PV_VECTOR_FAILSAFE, error code = the refused
 * frame's address). A kernel bug; report on a stack of our own and crash. */
        .global pvk_pv_failsafe_entry
        .type pvk_pv_failsafe_entry, @function
pvk_pv_failsafe_entry:
        mov     %rsp, %rdi
        lea     pvk_pv_failsafe_stack_top(%rip), %rsp
        cld
        call    pvk_pv_failsafe
        ud2
        .size pvk_pv_failsafe_entry, . - pvk_pv_failsafe_entry
