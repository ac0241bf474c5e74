/*
 * SYSCALL from ring 3: a hypercall from virtual kernel mode, or the
 * guest's own system call from virtual user mode. SYSCALL leaves rsp
 * alone, so the entry swaps GS to the per-CPU block, parks the guest rsp
 * there, moves to the vCPU's hypervisor stack and builds the same GuestRegs
 * frame as an exception (core/guest_regs.h), with the return rip from rcx
 * and rflags from r11. It leaves through trap_return like every entry.
 * FMASK has cleared IF, so nothing can interrupt the stack switch.
 */
#include "percpu.h"
#include "selectors.h"

        .text
        .global syscall_entry
syscall_entry:
        swapgs
        movq    %rsp, %gs:PERCPU_SCRATCH
        movq    %gs:PERCPU_STACK_TOP, %rsp
        pushq   $SEL_GUEST_DATA                 /* ss */
        pushq   %gs:PERCPU_SCRATCH              /* rsp */
        pushq   %r11                            /* rflags */
        pushq   $SEL_GUEST_CODE                 /* cs */
        pushq   %rcx                            /* rip */
        pushq   $0                              /* error code */
        pushq   $0x100                          /* vector: core::entry_syscall */
        pushq   %rax
        pushq   %rbx
        pushq   %rcx
        pushq   %rdx
        pushq   %rsi
        pushq   %rdi
        pushq   %rbp
        pushq   %r8
        pushq   %r9
        pushq   %r10
        pushq   %r11
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        mov     %rsp, %rdi
        call    syscall_dispatch
        /* Back to ring 3 (this path never returns elsewhere). */
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rbp
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rbx
        popq    %rax
        add     $16, %rsp
        swapgs
        iretq

/* SYSCALL from compatibility mode. The GDT has no 32-bit user code
 * segment, so a guest cannot get here; if it ever does, stop loudly. */
        .global syscall_entry_compat
syscall_entry_compat:
        ud2

/* switch_stacks(save, new_rsp): saves the callee-saved registers and rsp
 * into *save and continues on new_rsp, where a previous switch_stacks (or
 * vcpu_stack_init's frame) left the same layout. */
        .global switch_stacks
switch_stacks:
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        movq    %rsp, (%rdi)
        movq    %rsi, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret

/* Where a new vCPU's first switch_stacks returns: into the guest. */
        .global vcpu_first_entry
vcpu_first_entry:
        jmp     trap_return

/* guest_copy(dst, src, n): copies n bytes where either side may be guest
 * memory, eight at a time and then the tail. Returns 0, or the number of
 * bytes not copied when a fault hit: the trap handler sends a fault at
 * either copy instruction to its fixup (fixup_guest_copy_fault). */
        .global guest_copy
        .global guest_copy_insn_q
        .global guest_copy_insn_b
        .global guest_copy_fixup_q
        .global guest_copy_fixup_b
guest_copy:
        movq    %rdx, %rcx
        shrq    $3, %rcx
guest_copy_insn_q:
        rep movsq
        movl    %edx, %ecx
        andl    $7, %ecx
guest_copy_insn_b:
        rep movsb
        xorl    %eax, %eax
        ret
guest_copy_fixup_q:
        leaq    (,%rcx,8), %rax                 /* quadwords left */
        andl    $7, %edx
        addq    %rdx, %rax                      /* and the tail */
        ret
guest_copy_fixup_b:
        movq    %rcx, %rax
        ret
