/*
 * The event upcall entry (PV_CALLBACK_EVENT, registered with
 * PV_CALLBACK_MASK_EVENTS) and the scan it runs, in assembly because they
 * run on every event. The hypervisor enters the upcall with rsp at a
 * pv_frame (16-byte aligned) and events masked, from kernel or user mode
 * (pvisor/trap.h). rax, rcx and r11 are in the frame; the other registers
 * the scan and its C handlers may change are pushed.
 *
 * The scan (pvk_pv_event_scan, also dispatch_pending's) is SPEC.md section
 * 7's "Guest, in its upcall handler": U = 0; sel = exchange(S, 0); for
 * each word w of sel, take the lowest bit of P[w] & ~M[w], clear it with
 * lock btr (a full barrier, like the hypervisor's lock bts) and call its
 * handler, then read the word again, so that a port raised meanwhile is
 * handled now; until U stays clear.
 *
 * Then how to resume. Into user mode it is the iret hypercall, which
 * restores the mode and the event mask. Into kernel mode with events
 * masked in the frame, a native iretq (K stays set, as the iret hypercall
 * would leave it). Into kernel mode with events enabled, events are
 * re-enabled here (store K = 0, then read U: SPEC.md section 7, "Returning
 * from an upcall without iret"; an event that arrives after the read comes
 * with a hypervisor entry whose return sees K clear), and if one came in
 * already the scan runs again instead of a hypercall; then a native iretq:
 * pv_frame's rip, cs, rflags, rsp and ss are its frame, and at CPL 3 iretq
 * leaves the real IF and IOPL alone.
 */
#include "pv_abi_asm.h"
#include "pvisor/trap.h"

/* The frame, above the six pushes. */
#define FRAME 48
#define RFLAGS_IF 0x200

/* uint32_t pvk_pv_event_scan(void): the scan, with events masked; returns
 * the number of ports found pending (handled or not). SysV calling
 * convention: rbx (the shared page), r12 (the selector bits still to scan)
 * and r13 (the count) live across the handler calls. */
        .text
        .global pvk_pv_event_scan
        .type pvk_pv_event_scan, @function
pvk_pv_event_scan:
        push    %rbx
        push    %r12
        push    %r13                    /* rsp 16-byte aligned for the calls */
        xorl    %r13d, %r13d
        /* pvk::pv::g_shared_info (boot.cpp): the shared page, mapped for
         * the domain's life; vCPU 0's vcpu_info is at its start. */
        movq    pvk_pv_shared_info(%rip), %rbx
1:      movb    $0, PVK_PV_SI_UPCALL_PENDING(%rbx)
        xorl    %r12d, %r12d
        /* The exchange is a full barrier: the words it names are read
         * after the hypervisor's writes that set their selector bits. */
        xchgq   %r12, PVK_PV_SI_PENDING_SEL(%rbx)
        testq   %r12, %r12
        jz      5f
2:      bsfq    %r12, %rcx              /* w: the lowest word left */
3:      movq    PVK_PV_SI_EVTCHN_MASK(%rbx,%rcx,8), %rdx
        movq    PVK_PV_SI_EVTCHN_PENDING(%rbx,%rcx,8), %rax
        notq    %rdx
        andq    %rdx, %rax
        jz      4f
        bsfq    %rax, %rax              /* b */
        /* Cleared before the handler runs: an event raised while it runs
         * sets the bit again and is seen by the next read. */
        lock btrq %rax, PVK_PV_SI_EVTCHN_PENDING(%rbx,%rcx,8)
        jnc     3b                      /* cleared by someone else: read again */
        incl    %r13d
        shll    $6, %ecx
        orl     %ecx, %eax              /* the port, w * 64 + b */
        movl    %eax, %edi
        cmpl    $PVK_PV_EVENT_MAX_PORTS, %eax
        jae     6f
        shlq    $PVK_PV_EVENT_SLOT_SHIFT, %rax
        movq    pvk_pv_event_slots(%rax), %rcx
        testq   %rcx, %rcx
        jz      6f
        movq    pvk_pv_event_slots+8(%rax), %rsi
        incq    pvk_pv_event_stats+PVK_PV_EVENT_STATS_HANDLED(%rip)
        call    *%rcx                   /* handler(port, arg) */
        jmp     2b
6:      incq    pvk_pv_event_stats+PVK_PV_EVENT_STATS_UNHANDLED(%rip)
        jmp     2b
4:      leaq    -1(%r12), %rax          /* word w is done: drop it from sel */
        andq    %rax, %r12
        jnz     2b
5:      cmpb    $0, PVK_PV_SI_UPCALL_PENDING(%rbx)
        jne     1b
        movl    %r13d, %eax
        pop     %r13
        pop     %r12
        pop     %rbx
        ret
        .size pvk_pv_event_scan, . - pvk_pv_event_scan

        .global pvk_pv_event_entry
        .type pvk_pv_event_entry, @function
pvk_pv_event_entry:
        push    %rdi
        push    %rsi
        push    %rdx
        push    %r8
        push    %r9
        push    %r10                    /* rsp stays 16-byte aligned */
        cld
        incq    pvk_pv_event_stats+PVK_PV_EVENT_STATS_UPCALLS(%rip)
1:      call    pvk_pv_event_scan
        testl   $PV_FRAME_FROM_USER, FRAME+PV_FRAME_OFF_FLAGS(%rsp)
        jnz     8f
        testl   $RFLAGS_IF, FRAME+PV_FRAME_OFF_RFLAGS(%rsp)
        jz      7f
        movq    pvk_pv_shared_info(%rip), %rax
        movb    $0, PVK_PV_SI_UPCALL_MASK(%rax)
        cmpb    $0, PVK_PV_SI_UPCALL_PENDING(%rax)
        je      7f
        /* One came in already: handle it here rather than by a hypercall. */
        movb    $1, PVK_PV_SI_UPCALL_MASK(%rax)
        jmp     1b
7:      pop     %r10
        pop     %r9
        pop     %r8
        pop     %rdx
        pop     %rsi
        pop     %rdi
        movq    PV_FRAME_OFF_RCX(%rsp), %rcx
        movq    PV_FRAME_OFF_R11(%rsp), %r11
        movq    PV_FRAME_OFF_RAX(%rsp), %rax
        addq    $PV_FRAME_OFF_RIP, %rsp
        iretq
8:      pop     %r10
        pop     %r9
        pop     %r8
        pop     %rdx
        pop     %rsi
        pop     %rdi
        jmp     PVK_PV_IRET_STUB
        .size pvk_pv_event_entry, . - pvk_pv_event_entry
