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
/* The general path: the GuestRegs frame, then the C half. syscall_slow
 * takes a hypercall (from virtual kernel mode), user_syscall_slow a
 * guest's own system call (from virtual user mode). */
.macro SYSCALL_FRAME
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
.endm

syscall_slow:
        SYSCALL_FRAME
        call    hypercall_from_guest
syscall_exit:
        /* Back to ring 3 (this path never returns elsewhere). */
        UPCALL_CHECK
        POP_GPRS
        add     $16, %rsp
        swapgs
        iretq

user_syscall_slow:
        SYSCALL_FRAME
        call    user_syscall_from_guest
        jmp     syscall_exit

/*
 * A guest's own system call, for its kernel (as deliver_syscall in C).
 * rcx and r11 hold the return rip and rflags until they are in the frame
 * (the handler gets its address in rcx and its rflags in r11 from
 * sysret); rax, rdx and rsi are saved for the work: rax the vCPU, rdx its
 * vcpu_info, rsi the frame's address. Every other register is the user's
 * and passes to the kernel's handler untouched.
 */
user_syscall_fast:
        pushq   %rax
        pushq   %rdx
        pushq   %rsi
        movq    %gs:PERCPU_CURRENT, %rax
        /* An event upcall may be due on the way back: the C path decides. */
        movq    VCPU_INFO(%rax), %rdx
        cmpb    $0, VCPU_INFO_UPCALL_PENDING(%rdx)
        jne     user_syscall_bail
        cmpq    $0, VCPU_CB_SYSCALL_ADDR(%rax)
        je      user_syscall_bail               /* no callback: #UD, in C */
        cmpq    $0, VCPU_KERNEL_SP(%rax)
        je      user_syscall_bail               /* no kernel stack: crash, in C */
        /* The kernel stack is mapped in the kernel root only. */
        LOAD_ROOT VCPU_KERNEL_ROOT, %rax, %rsi
        movq    VCPU_KERNEL_SP(%rax), %rsi
        andq    $-16, %rsi
        subq    $PV_FRAME_SIZE, %rsi            /* the frame's address */
        .global user_syscall_writes, user_syscall_writes_end, user_syscall_fixup
user_syscall_writes:                            /* guest memory: faults go to the fixup */
        /* The frame's rflags carry the virtual IF: set if events are on. */
        movq    %r11, PV_FRAME_OFF_RFLAGS(%rsi)
        cmpb    $0, VCPU_INFO_UPCALL_MASK(%rdx)
        je      1f
        andq    $~0x200, PV_FRAME_OFF_RFLAGS(%rsi)
1:      movq    %rcx, PV_FRAME_OFF_RCX(%rsi)
        movq    %rcx, PV_FRAME_OFF_RIP(%rsi)
        movq    %r11, PV_FRAME_OFF_R11(%rsi)
        pushq   16(%rsp)                        /* the user's rax */
        popq    PV_FRAME_OFF_RAX(%rsi)
        movl    $PV_VECTOR_SYSCALL, PV_FRAME_OFF_VECTOR(%rsi)
        movl    $(PV_FRAME_SYSCALL | PV_FRAME_FROM_USER), PV_FRAME_OFF_FLAGS(%rsi)
        movq    $0, PV_FRAME_OFF_ERROR_CODE(%rsi)
        movq    $PV_GUEST_CS, PV_FRAME_OFF_CS(%rsi)
        pushq   %gs:PERCPU_SCRATCH              /* the user's rsp */
        popq    PV_FRAME_OFF_RSP(%rsi)
        movq    $PV_GUEST_SS, PV_FRAME_OFF_SS(%rsi)
user_syscall_writes_end:
        /* Committed: the vCPU is in kernel mode from here. */
        testl   $PV_CALLBACK_MASK_EVENTS, VCPU_CB_SYSCALL_FLAGS(%rax)
        jz      2f
        movb    $1, VCPU_INFO_UPCALL_MASK(%rdx)
2:      incq    VCPU_BOUNCES(%rax)
        andq    $RFLAGS_HANDLER_KEEP, %r11
        orq     $0x202, %r11                    /* IF, and the always-one bit */
        pushq   VCPU_CB_SYSCALL_ADDR(%rax)
        ENTER_KERNEL_MODE %rax
        popq    %rcx                            /* sysret goes to rcx: the handler */
        movq    8(%rsp), %rdx
        movq    16(%rsp), %rax
        xchgq   %rsi, %rsp                      /* rsp: the frame, the handler's */
        movq    (%rsi), %rsi
        swapgs
        /* The handler's address was checked canonical when it was
         * registered, so SYSRET cannot fault in ring 0. */
        sysretq

user_syscall_fixup:
        /* A fault writing the frame: undo the root switch and let the C
         * path deliver (or crash the domain). rcx and r11 are untouched;
         * rsp is reset in case the fault hit a pop to the frame. */
        movq    %gs:PERCPU_STACK_TOP, %rsp
        subq    $24, %rsp
        LOAD_ROOT VCPU_USER_ROOT, %rax, %rdx
user_syscall_bail:
        popq    %rsi
        popq    %rdx
        popq    %rax
        jmp     user_syscall_slow

/*
 * The iret hypercall (as do_iret in C), from kernel mode; rsp
 * at the stack top; the guest's rsp (in the per-CPU block) points at the
 * pv_frame. The guest's rcx and r11 are the syscall's, restored from the
 * frame anyway; they are saved for the C path, with rdx and rsi, below the
 * iretq frame built in the top 40 bytes of the stack. rax (the hypercall
 * number) is free. The frame's rax, r11 and rcx are read last, straight
 * into their registers, and its flags into rdx, which held its address;
 * rsi: the vCPU. The filtered RFLAGS are computed once committed, from
 * the frame's, whose IF gives the event mask.
 */
#define IRET_RIP 32
#define IRET_CS 40
#define IRET_RFLAGS 48
#define IRET_RSP 56
#define IRET_SS 64
/* iret_fast's commit: counts the hypercall, sets the event mask from the
 * frame's IF (bit 1 of the rflags' second byte) and filters the rflags.
 * rsi: the vCPU. Clobbers rdx. */
.macro IRET_COMMIT
        incq    VCPU_HYPERCALLS(%rsi)
        movq    VCPU_INFO(%rsi), %rdx
        testb   $2, IRET_RFLAGS+1(%rsp)
        setz    VCPU_INFO_UPCALL_MASK(%rdx)
        andq    $RFLAGS_GUEST_SETTABLE, IRET_RFLAGS(%rsp)
        orq     $0x202, IRET_RFLAGS(%rsp)       /* IF, and the always-one bit */
.endm

iret_fast:
        subq    $40, %rsp
        pushq   %rcx
        pushq   %r11
        pushq   %rdx
        pushq   %rsi                            /* iretq frame at 32(%rsp) */
        movq    %gs:PERCPU_CURRENT, %rsi
        /* An event upcall may be due once iret unmasks: the C path decides. */
        movq    VCPU_INFO(%rsi), %rax
        cmpb    $0, VCPU_INFO_UPCALL_PENDING(%rax)
        jne     iret_bail
        movq    %gs:PERCPU_SCRATCH, %rdx
        FRAME_RANGE_CHECK %rdx, %rax, iret_bail
        .global iret_reads, iret_reads_end, iret_fixup
iret_reads:                                     /* guest memory: faults go to the fixup */
        /* rsp and rip must each be in the lower half or at or above the
         * hypervisor's slots (guest_range_ok). */
        movq    PV_FRAME_OFF_RSP(%rdx), %rax
        movq    %rax, IRET_RSP(%rsp)
        shrq    $47, %rax
        jz      2f
        movabsq $0xffff880000000000, %rax
        cmpq    %rax, IRET_RSP(%rsp)
        jb      iret_bail
2:      movq    PV_FRAME_OFF_RIP(%rdx), %rax
        movq    %rax, IRET_RIP(%rsp)
        shrq    $47, %rax
        jz      3f
        movabsq $0xffff880000000000, %rax
        cmpq    %rax, IRET_RIP(%rsp)
        jb      iret_bail
3:      movq    PV_FRAME_OFF_RFLAGS(%rdx), %rax
        movq    %rax, IRET_RFLAGS(%rsp)         /* filtered once committed */
        movq    PV_FRAME_OFF_RAX(%rdx), %rax
        movq    PV_FRAME_OFF_R11(%rdx), %r11
        movq    PV_FRAME_OFF_RCX(%rdx), %rcx
        movl    PV_FRAME_OFF_FLAGS(%rdx), %edx
iret_reads_end:
        testl   $~(PV_FRAME_FROM_USER | PV_FRAME_ERROR_CODE | PV_FRAME_SYSCALL | PV_FRAME_EVENT), %edx
        jnz     iret_bail
        movq    $PV_GUEST_CS, IRET_CS(%rsp)
        movq    $PV_GUEST_SS, IRET_SS(%rsp)
        testl   $PV_FRAME_FROM_USER, %edx
        jnz     iret_fast_user
        /* Committed, staying in kernel mode. */
        IRET_COMMIT
        popq    %rsi
        popq    %rdx
        addq    $16, %rsp                       /* the syscall's r11 and rcx */
        swapgs
        iretq

iret_fast_user:
        cmpq    $0, VCPU_USER_ROOT(%rsi)
        je      iret_bail
        /* Committed, to user mode: its root and GS base. The wrmsr needs
         * rax, rcx and rdx: the frame's rax and rcx wait where the
         * syscall's rcx and r11 were saved. */
        IRET_COMMIT
        movb    $VCPU_MODE_USER, VCPU_MODE(%rsi)
        movb    $VCPU_MODE_USER, %gs:PERCPU_MODE
        LOAD_ROOT VCPU_USER_ROOT, %rsi, %rdx
        movq    %rcx, 16(%rsp)
        movq    %rax, 24(%rsp)
        LOAD_GUEST_GS_BASE VCPU_GS_USER, %rsi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rax
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
