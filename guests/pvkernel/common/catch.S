/*
 * The two halves of catch_fault() (common/fault.cpp): a call that saves
 * the callee-saved registers, and the place the exception handler resumes
 * when the called function faults.
 */
#include "pvk/asm_offsets.h"

        .text
/* uint64_t pvk_catch_call(CatchBuffer* buf, void (*fn)(void*), void* arg):
 * calls fn(arg) and returns 0, or returns 1 through pvk_catch_resume. */
        .global pvk_catch_call
        .type pvk_catch_call, @function
pvk_catch_call:
        mov     %rbx, CB_RBX(%rdi)
        mov     %rbp, CB_RBP(%rdi)
        mov     %r12, CB_R12(%rdi)
        mov     %r13, CB_R13(%rdi)
        mov     %r14, CB_R14(%rdi)
        mov     %r15, CB_R15(%rdi)
        lea     8(%rsp), %rax                   /* rsp after our ret */
        mov     %rax, CB_RSP(%rdi)
        mov     (%rsp), %rax                    /* our return address */
        mov     %rax, CB_RIP(%rdi)
        sub     $8, %rsp                        /* keep the call 16-byte aligned */
        mov     %rsi, %rax
        mov     %rdx, %rdi
        call    *%rax
        add     $8, %rsp
        xor     %eax, %eax
        ret
        .size pvk_catch_call, . - pvk_catch_call

/* Entered by the exception return with rax = the CatchBuffer. */
        .global pvk_catch_resume
        .type pvk_catch_resume, @function
pvk_catch_resume:
        mov     CB_RBX(%rax), %rbx
        mov     CB_RBP(%rax), %rbp
        mov     CB_R12(%rax), %r12
        mov     CB_R13(%rax), %r13
        mov     CB_R14(%rax), %r14
        mov     CB_R15(%rax), %r15
        mov     CB_RSP(%rax), %rsp
        mov     CB_RIP(%rax), %rcx
        mov     $1, %eax
        jmp     *%rcx
        .size pvk_catch_resume, . - pvk_catch_resume
