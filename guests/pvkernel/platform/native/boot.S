/*
 * First instructions of the native pvkernel, booted by a multiboot1 loader
 * (QEMU -kernel with the flat pvkernel-native.bin), as the hypervisor is.
 * The loader enters pvk_native_start32 in 32-bit protected mode with
 * paging off. We check for long mode, map physical 0-1 GiB twice (identity
 * for this code, and at PVK_KERNEL_OFFSET for the kernel), enter long mode
 * and jump high. platform/native/paging.cpp replaces these tables.
 */
#include "pvk/layout.h"

#define MB1_MAGIC 0x1BADB002
/* bit 0: page-align modules, bit 1: memory info, bit 16: address fields valid */
#define MB1_FLAGS 0x00010003

#define COM1 0x3f8
#define DEBUG_EXIT_PORT 0xf4
#define EXIT_CRASH 0x1f

/* PML4 and PDPT slots of PVK_KERNEL_OFFSET (0xffffffff80000000). */
#define KERNEL_PML4_SLOT 511
#define KERNEL_PDPT_SLOT 510

        .section .multiboot, "a"
        .balign 4
mb1_header:
        .long MB1_MAGIC
        .long MB1_FLAGS
        .long 0x100000000 - (MB1_MAGIC + MB1_FLAGS)
        .long mb1_header                        /* header_addr */
        .long __image_phys_start                /* load_addr */
        .long __load_end_phys                   /* load_end_addr */
        .long __bss_end_phys                    /* bss_end_addr */
        .long pvk_native_start32                /* entry_addr */

        .section .boot.text, "ax"
        .code32
        .global pvk_native_start32
pvk_native_start32:
        cli
        cld
        /* Keep the loader's magic and info pointer in edi/esi: the
         * 64-bit calling convention's first two argument registers. */
        mov     %eax, %edi
        mov     %ebx, %esi

        /* Long mode: CPUID 0x80000001 EDX bit 29. */
        mov     $0x80000000, %eax
        cpuid
        cmp     $0x80000001, %eax
        jb      no_long_mode
        mov     $0x80000001, %eax
        cpuid
        test    $(1 << 29), %edx
        jz      no_long_mode

        /* One page directory of 2 MiB pages maps physical 0-1 GiB. */
        mov     $boot_pd, %edx
        mov     $0x83, %eax                     /* present, writable, 2 MiB */
        mov     $512, %ecx
1:      mov     %eax, (%edx)
        movl    $0, 4(%edx)
        add     $0x200000, %eax
        add     $8, %edx
        loop    1b
        movl    $(boot_pd + 3), boot_pdpt_low
        movl    $(boot_pd + 3), boot_pdpt_high + KERNEL_PDPT_SLOT * 8
        movl    $(boot_pdpt_low + 3), boot_pml4
        movl    $(boot_pdpt_high + 3), boot_pml4 + KERNEL_PML4_SLOT * 8

        mov     %cr4, %eax
        or      $(1 << 5), %eax                 /* CR4.PAE */
        mov     %eax, %cr4
        mov     $boot_pml4, %eax
        mov     %eax, %cr3
        mov     $0xC0000080, %ecx               /* IA32_EFER */
        rdmsr
        or      $(1 << 8), %eax                 /* LME */
        wrmsr
        mov     %cr0, %eax
        or      $0x80010001, %eax               /* PG, WP, PE */
        mov     %eax, %cr0

        lgdt    boot_gdt_desc
        ljmp    $0x08, $start64_low

no_long_mode:
        mov     $no_long_mode_msg, %esi
2:      lodsb
        test    %al, %al
        jz      3f
        mov     $COM1, %dx
        out     %al, %dx
        jmp     2b
3:      mov     $EXIT_CRASH, %al
        out     %al, $DEBUG_EXIT_PORT
4:      hlt
        jmp     4b

        .code64
start64_low:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        xor     %eax, %eax
        mov     %eax, %fs
        mov     %eax, %gs
        movabs  $start64_high, %rax
        jmp     *%rax

        .section .boot.data, "aw"
        .balign 4096
boot_pml4:      .fill 512, 8, 0
boot_pdpt_low:  .fill 512, 8, 0
boot_pdpt_high: .fill 512, 8, 0
boot_pd:        .fill 512, 8, 0
        .balign 8
boot_gdt:
        .quad 0
        .quad 0x00af9a000000ffff                /* 0x08: 64-bit code */
        .quad 0x00cf92000000ffff                /* 0x10: data */
boot_gdt_end:
boot_gdt_desc:
        .short boot_gdt_end - boot_gdt - 1
        .long boot_gdt
no_long_mode_msg:
        .asciz "pvkernel: FATAL: this CPU lacks long mode\r\n"

        .text
start64_high:
        lea     pvk_native_kernel_stack_top(%rip), %rsp
        xor     %ebp, %ebp
        mov     %edi, %edi                      /* upper halves are undefined */
        mov     %esi, %esi                      /* after the mode switch */
        call    pvk_native_boot_main
5:      cli
        hlt
        jmp     5b

        .bss
        .balign 4096
        .skip   PVK_KERNEL_STACK_SIZE
pvk_native_kernel_stack_top:
/* TSS.rsp0: exceptions from user mode land here. */
        .skip   PVK_ENTRY_STACK_SIZE
        .global pvk_native_entry_stack_top
pvk_native_entry_stack_top:
/* IST 1: a double fault (a kernel stack overflow, say) still gets reported. */
        .skip   4096
        .global pvk_native_df_stack_top
pvk_native_df_stack_top:
