/*
 * The two software-interrupt vectors of platform/native/threads.h. Each
 * saves every general register on the current stack, so the stack pointer
 * after the pushes is the whole saved thread (struct SavedThread in
 * threads.cpp), calls the C half with rdi (the request, untouched by the
 * pushes) and that stack pointer, and resumes whichever thread's saved
 * stack pointer it returns.
 */
        .macro SAVE_AND_CALL fn
        push    %rax
        push    %rbx
        push    %rcx
        push    %rdx
        push    %rsi
        push    %rdi
        push    %rbp
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, %rsi
        cld
        call    \fn                     /* rsp is 16-byte aligned: 5 + 15 quadwords */
        mov     %rax, %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rbp
        pop     %rdi
        pop     %rsi
        pop     %rdx
        pop     %rcx
        pop     %rbx
        pop     %rax
        iretq
        .endm

        .text
        .global pvk_native_wake_entry
        .type pvk_native_wake_entry, @function
pvk_native_wake_entry:
        SAVE_AND_CALL pvk_native_wake_trap
        .size pvk_native_wake_entry, . - pvk_native_wake_entry

        .global pvk_native_sched_entry
        .type pvk_native_sched_entry, @function
pvk_native_sched_entry:
        SAVE_AND_CALL pvk_native_sched_trap
        .size pvk_native_sched_entry, . - pvk_native_sched_entry
