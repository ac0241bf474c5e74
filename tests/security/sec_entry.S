/*
 * void sec_multicall_enter_user(UserContext* ctx, calls, count)
 *
 * Like pvk_pv_enter_user (guests/pvkernel/platform/pv/user_mode.S), but
 * the iret that enters user mode is the first entry of a multicall: the
 * pv_frame is at rsp when the multicall is made. User mode comes back
 * through pvk_user_exit_frame as usual. If the multicall returns instead
 * (it must not), sec_multicall_returned is set and this returns too.
 */
#include "pvk/asm_offsets.h"
#include "pvisor/hypercall_numbers.h"

        .bss
        .global sec_multicall_returned
sec_multicall_returned:
        .quad   0

        .text
        .global sec_multicall_enter_user
        .type sec_multicall_enter_user, @function
sec_multicall_enter_user:
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
        movq    $0, TF_RAX(%rsp)
        movq    $0, TF_RCX(%rsp)
        movq    $0, TF_R11(%rsp)
        mov     UC_RIP(%rdi), %rax
        mov     %rax, TF_RIP(%rsp)
        movq    $0x202, TF_RFLAGS(%rsp)
        mov     UC_RSP(%rdi), %rax
        mov     %rax, TF_RSP(%rsp)
        movq    $0x2b, TF_CS(%rsp)
        movq    $0x23, TF_SS(%rsp)
        movl    $0, TF_VECTOR(%rsp)
        movl    $TF_FROM_USER, TF_FLAGS(%rsp)
        movq    $0, TF_ERROR_CODE(%rsp)
        mov     %rsi, %rdi
        mov     %rdx, %rsi
        mov     $PV_HYPERCALL_multicall, %eax
        syscall
        movq    $1, sec_multicall_returned(%rip)
        mov     pvk_resume_rsp(%rip), %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbx
        pop     %rbp
        ret
        .size sec_multicall_enter_user, . - sec_multicall_enter_user
