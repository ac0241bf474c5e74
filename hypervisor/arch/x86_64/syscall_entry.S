/*
 * SYSCALL from ring 3: a hypercall from virtual kernel mode, or the
 * guest's own system call from virtual user mode. SYSCALL leaves rsp
 * alone, so the entry swaps GS to the per-CPU block, parks the guest rsp
 * there, moves to the vCPU's hypervisor stack and builds the same GuestRegs
 * frame as an exception (core/guest_regs.h), with the return rip from rcx
 * and rflags from r11. It leaves through trap_return like every entry.
 * FMASK has cleared IF, so nothing can interrupt the stack switch.
 */
#include <pvisor/callback.h>
#include <pvisor/hypercall_numbers.h>
#include <pvisor/trap.h>

#include "asm_offsets.h"
#include "percpu.h"
#include "selectors.h"
#include "guest_regs.inc"

        .text
        .global syscall_entry
syscall_entry:
        swapgs
        movq    %rsp, %gs:PERCPU_SCRATCH
        movq    %gs:PERCPU_STACK_TOP, %rsp
        /* Two fast paths handle the commonest entries entirely here: a
         * system call from virtual user mode (bounced to the guest kernel)
         * and the iret hypercall. They take only the plain case and leave
         * everything else, including any fault on guest memory, to the
         * general path below, which implements the same contract in C
         * (core/bounce.cpp) and is the reference for it. */
        cmpb    $VCPU_MODE_USER, %gs:PERCPU_MODE
        je      user_syscall_fast
        cmpl    $PV_HYPERCALL_iret, %eax
        je      iret_fast
syscall_slow:
        pushq   $SEL_GUEST_DATA                 /* ss */
        pushq   %gs:PERCPU_SCRATCH              /* rsp */
        pushq   %r11                            /* rflags */
        pushq   $SEL_GUEST_CODE                 /* cs */
        pushq   %rcx                            /* rip */
        pushq   $0                              /* error code */
        pushq   $0x100                          /* vector: core::entry_syscall */
        PUSH_GPRS
        mov     %rsp, %rdi
        movq    %gs:PERCPU_CURRENT, %rsi
        cmpb    $VCPU_MODE_USER, %gs:PERCPU_MODE
        je      1f
        call    hypercall_from_guest
        jmp     2f
1:      call    user_syscall_from_guest
2:      /* Back to ring 3 (this path never returns elsewhere). */
        UPCALL_CHECK
        POP_GPRS
        add     $16, %rsp
        swapgs
        iretq

/*
 * A guest's own system call, for its kernel (as deliver_syscall in C).
 * The guest's rax is parked in the per-CPU block; rcx and
 * r11 hold the return rip and rflags; every other register is the user's
 * and passes to the kernel's handler untouched.
 */
user_syscall_fast:
        movq    %rax, %gs:PERCPU_FAST_RAX
        movq    %gs:PERCPU_CURRENT, %rax
        pushq   %rdx
        /* An event upcall may be due on the way back: the C path decides. */
        movq    VCPU_INFO(%rax), %rdx
        cmpb    $0, VCPU_INFO_UPCALL_PENDING(%rdx)
        jne     user_syscall_bail
        cmpq    $0, VCPU_CB_SYSCALL_ADDR(%rax)
        je      user_syscall_bail               /* no callback: #UD, in C */
        movq    VCPU_KERNEL_SP(%rax), %rdx
        testq   %rdx, %rdx
        jz      user_syscall_bail               /* no kernel stack: crash, in C */
        andq    $-16, %rdx
        subq    $PV_FRAME_SIZE, %rdx            /* the frame's address */
        movq    %rcx, %gs:PERCPU_FAST_RCX
        movq    %r11, %gs:PERCPU_FAST_R11
        /* The kernel stack is mapped in the kernel root only. */
        movq    VCPU_KERNEL_ROOT(%rax), %rcx
        shlq    $12, %rcx
        movq    %rcx, %cr3
        /* The frame's rflags carry the virtual IF: set if events are on. */
        movq    VCPU_INFO(%rax), %rcx
        cmpb    $0, VCPU_INFO_UPCALL_MASK(%rcx)
        je      1f
        andq    $~0x200, %r11
1:
        .global user_syscall_writes, user_syscall_writes_end, user_syscall_fixup
user_syscall_writes:                            /* guest memory: faults go to the fixup */
        movq    %r11, PV_FRAME_OFF_RFLAGS(%rdx)
        movq    %gs:PERCPU_FAST_RCX, %r11
        movq    %r11, PV_FRAME_OFF_RCX(%rdx)
        movq    %r11, PV_FRAME_OFF_RIP(%rdx)
        movq    %gs:PERCPU_FAST_R11, %r11
        movq    %r11, PV_FRAME_OFF_R11(%rdx)
        movq    %gs:PERCPU_FAST_RAX, %r11
        movq    %r11, PV_FRAME_OFF_RAX(%rdx)
        movl    $PV_VECTOR_SYSCALL, PV_FRAME_OFF_VECTOR(%rdx)
        movl    $(PV_FRAME_SYSCALL | PV_FRAME_FROM_USER), PV_FRAME_OFF_FLAGS(%rdx)
        movq    $0, PV_FRAME_OFF_ERROR_CODE(%rdx)
        movq    $PV_GUEST_CS, PV_FRAME_OFF_CS(%rdx)
        movq    %gs:PERCPU_SCRATCH, %r11
        movq    %r11, PV_FRAME_OFF_RSP(%rdx)
        movq    $PV_GUEST_SS, PV_FRAME_OFF_SS(%rdx)
user_syscall_writes_end:
        /* Committed: the vCPU is in kernel mode from here. */
        testl   $PV_CALLBACK_MASK_EVENTS, VCPU_CB_SYSCALL_FLAGS(%rax)
        jz      2f
        movb    $1, VCPU_INFO_UPCALL_MASK(%rcx)
2:      movb    $VCPU_MODE_KERNEL, VCPU_MODE(%rax)
        movb    $VCPU_MODE_KERNEL, %gs:PERCPU_MODE
        incq    VCPU_BOUNCES(%rax)
        movq    %rdx, %gs:PERCPU_SCRATCH        /* the handler's rsp */
        movq    %gs:PERCPU_FAST_R11, %r11
        andq    $RFLAGS_HANDLER_KEEP, %r11
        orq     $0x202, %r11                    /* IF, and the always-one bit */
        pushq   VCPU_CB_SYSCALL_ADDR(%rax)
        LOAD_GUEST_GS_BASE VCPU_GS_KERNEL
        popq    %rcx                            /* sysret goes to rcx: the handler */
        popq    %rdx
        movq    %gs:PERCPU_FAST_RAX, %rax
        movq    %gs:PERCPU_SCRATCH, %rsp
        swapgs
        /* The handler's address was checked canonical when it was
         * registered, so SYSRET cannot fault in ring 0. */
        sysretq

user_syscall_fixup:
        /* A fault writing the frame: undo the root switch, bring back rcx
         * and r11, and let the C path deliver (or crash the domain). */
        movq    %gs:PERCPU_STACK_TOP, %rsp
        subq    $8, %rsp
        movq    %gs:PERCPU_CURRENT, %rax
        movq    VCPU_USER_ROOT(%rax), %rcx
        shlq    $12, %rcx
        movq    %rcx, %cr3
        movq    %gs:PERCPU_FAST_RCX, %rcx
        movq    %gs:PERCPU_FAST_R11, %r11
user_syscall_bail:
        popq    %rdx
        movq    %gs:PERCPU_FAST_RAX, %rax
        jmp     syscall_slow

/*
 * The iret hypercall (as do_iret in C), from kernel mode; rsp
 * at the stack top; the guest's rsp (in the per-CPU block) points at the
 * pv_frame. The guest's rcx and r11 are the syscall's, restored from the
 * frame anyway. The iretq frame is built in the top 40 bytes of the stack.
 */
iret_fast:
        movq    %gs:PERCPU_CURRENT, %rax
        subq    $40, %rsp
        pushq   %rcx
        pushq   %r11
        pushq   %rdx
        pushq   %rsi                            /* iretq frame at 32(%rsp) */
        /* An event upcall may be due once iret unmasks: the C path decides. */
        movq    VCPU_INFO(%rax), %rdx
        cmpb    $0, VCPU_INFO_UPCALL_PENDING(%rdx)
        jne     iret_bail
        movq    %gs:PERCPU_SCRATCH, %rcx
        FRAME_RANGE_CHECK %rcx, %rdx, iret_bail
        .global iret_reads, iret_reads_end, iret_fixup
iret_reads:                                     /* guest memory: faults go to the fixup */
        /* rsp and rip must each be in the lower half or at or above the
         * hypervisor's slots (guest_range_ok). */
        movq    PV_FRAME_OFF_RSP(%rcx), %rsi
        movq    %rsi, %rdx
        shrq    $47, %rdx
        jz      2f
        movabsq $0xffff880000000000, %rdx
        cmpq    %rdx, %rsi
        jb      iret_bail
2:      movq    %rsi, 56(%rsp)                  /* iretq rsp */
        movq    PV_FRAME_OFF_RIP(%rcx), %rsi
        movq    %rsi, %rdx
        shrq    $47, %rdx
        jz      3f
        movabsq $0xffff880000000000, %rdx
        cmpq    %rdx, %rsi
        jb      iret_bail
3:      movq    %rsi, 32(%rsp)                  /* iretq rip */
        movq    $PV_GUEST_CS, 40(%rsp)
        movq    $PV_GUEST_SS, 64(%rsp)
        movq    PV_FRAME_OFF_RFLAGS(%rcx), %r11
        movq    %r11, %rdx
        andq    $RFLAGS_GUEST_SETTABLE, %rdx
        orq     $0x202, %rdx
        movq    %rdx, 48(%rsp)                  /* iretq rflags */
        movl    PV_FRAME_OFF_FLAGS(%rcx), %esi
        testl   $~(PV_FRAME_FROM_USER | PV_FRAME_ERROR_CODE | PV_FRAME_SYSCALL | PV_FRAME_EVENT), %esi
        jnz     iret_bail
        testl   $PV_FRAME_FROM_USER, %esi
        jz      4f
        cmpq    $0, VCPU_USER_ROOT(%rax)
        je      iret_bail
4:      movq    PV_FRAME_OFF_RAX(%rcx), %rdx
        movq    %rdx, %gs:PERCPU_FAST_RAX
        movq    PV_FRAME_OFF_R11(%rcx), %rdx
        movq    %rdx, %gs:PERCPU_FAST_R11
        movq    PV_FRAME_OFF_RCX(%rcx), %rdx
        movq    %rdx, %gs:PERCPU_FAST_RCX
iret_reads_end:
        /* Committed. The frame's IF is the virtual interrupt flag. */
        incq    VCPU_HYPERCALLS(%rax)
        movq    VCPU_INFO(%rax), %rdx
        shrq    $9, %r11
        notl    %r11d
        andl    $1, %r11d
        movb    %r11b, VCPU_INFO_UPCALL_MASK(%rdx)
        testl   $PV_FRAME_FROM_USER, %esi
        jz      5f
        movb    $VCPU_MODE_USER, VCPU_MODE(%rax)
        movb    $VCPU_MODE_USER, %gs:PERCPU_MODE
        movq    VCPU_USER_ROOT(%rax), %rdx
        shlq    $12, %rdx
        movq    %rdx, %cr3
        LOAD_GUEST_GS_BASE VCPU_GS_USER
5:      popq    %rsi
        popq    %rdx
        addq    $16, %rsp                       /* the syscall's r11 and rcx */
        movq    %gs:PERCPU_FAST_RAX, %rax
        movq    %gs:PERCPU_FAST_RCX, %rcx
        movq    %gs:PERCPU_FAST_R11, %r11
        swapgs
        iretq

iret_fixup:                                     /* a fault reading the frame */
iret_bail:                                      /* anything the C path must judge */
        popq    %rsi
        popq    %rdx
        popq    %r11
        popq    %rcx
        addq    $40, %rsp
        movl    $PV_HYPERCALL_iret, %eax
        jmp     syscall_slow

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
