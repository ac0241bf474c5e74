/*
 * The pv kernel's entry point and its hypercall page.
 *
 * The builder enters pvk_pv_start in virtual kernel mode (ring 3) with
 * rsi = the start-info page, rsp = the top of a boot stack it made, events
 * masked and the other registers zero (pvisor/start_info.h). We zero our
 * .bss, move to our own stack (the ABI leaves the boot stack's size
 * unstated) and call pvk_pv_boot_main(start_info).
 */
#include "pvk/layout.h"

/* Filled by the builder with one 32-byte stub per hypercall
 * (pvisor/hypercall.h). int3 until then, so an unfilled page traps. */
        .section .text.hypercall_page, "ax", @progbits
        .balign 4096
        .global pv_hypercall_page
        .type pv_hypercall_page, @object
pv_hypercall_page:
        .fill   4096, 1, 0xcc
        .size pv_hypercall_page, 4096

        .section .text.entry, "ax", @progbits
        .global pvk_pv_start
        .type pvk_pv_start, @function
pvk_pv_start:
        cld
        mov     %rsi, %r12
        lea     __bss_start(%rip), %rdi
        lea     __bss_end(%rip), %rcx
        sub     %rdi, %rcx
        xor     %eax, %eax
        rep stosb
        lea     pvk_pv_kernel_stack_top(%rip), %rsp
        xor     %ebp, %ebp
        mov     %r12, %rdi
        call    pvk_pv_boot_main
        ud2
        .size pvk_pv_start, . - pvk_pv_start

        .bss
        .balign 4096
pvk_pv_kernel_stack:
        .skip   PVK_KERNEL_STACK_SIZE
pvk_pv_kernel_stack_top:
/* Given to stack_switch: events from user mode are delivered here. */
        .skip   PVK_ENTRY_STACK_SIZE
        .global pvk_pv_entry_stack_top
pvk_pv_entry_stack_top:
        .skip   4096
        .global pvk_pv_failsafe_stack_top
pvk_pv_failsafe_stack_top:
