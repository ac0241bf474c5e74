/*
 * First instructions of the hypervisor. A multiboot loader (QEMU -kernel
 * with multiboot1, or GRUB with multiboot2) enters _start32 in 32-bit
 * protected mode with paging off. We check that the CPU has long mode and
 * NX, build a temporary 1 GiB mapping three times over (identity, direct
 * map, image), enter long mode and jump to the image's high address.
 * arch/x86_64/paging.cpp replaces these tables with the real ones.
 */
#include "layout.h"

#define MB1_MAGIC 0x1BADB002
/* bit 0: page-align modules, bit 1: memory info, bit 16: address fields valid */
#define MB1_FLAGS 0x00010003
#define MB2_MAGIC 0xE85250D6

#define COM1 0x3f8
#define DEBUG_EXIT_PORT 0xf4
#define EXIT_PANIC 0x1f

/* ---------------------------------------------------------------- headers */
        .section .multiboot, "a"
        .balign 8
mb2_header:
        .long MB2_MAGIC
        .long 0                                 /* architecture: i386 */
        .long mb2_header_end - mb2_header
        .long 0x100000000 - (MB2_MAGIC + (mb2_header_end - mb2_header))
        .balign 8                               /* address tag: load a flat image */
        .short 2, 0
        .long 24
        .long mb2_header
        .long __image_phys_start
        .long __load_end_phys
        .long __bss_end_phys
        .balign 8                               /* entry address tag */
        .short 3, 0
        .long 12
        .long _start32
        .balign 8                               /* module alignment tag */
        .short 6, 0
        .long 8
        .balign 8                               /* end tag */
        .short 0, 0
        .long 8
mb2_header_end:

        .balign 4
mb1_header:
        .long MB1_MAGIC
        .long MB1_FLAGS
        .long 0x100000000 - (MB1_MAGIC + MB1_FLAGS)
        .long mb1_header                        /* header_addr */
        .long __image_phys_start                /* load_addr */
        .long __load_end_phys                   /* load_end_addr */
        .long __bss_end_phys                    /* bss_end_addr */
        .long _start32                          /* entry_addr */

/* ------------------------------------------------------- 32-bit entry */
        .section .boot.text, "ax"
        .code32
        .global _start32
_start32:
        cli
        cld
        /* Keep the loader's magic and info pointer in edi/esi: the
         * 64-bit calling convention's first two argument registers. */
        mov     %eax, %edi
        mov     %ebx, %esi
        mov     $__boot_stack_top_phys, %esp

        /* Long mode and NX (CPUID 0x80000001 EDX bits 29 and 20). */
        mov     $0x80000000, %eax
        cpuid
        cmp     $0x80000001, %eax
        jb      no_long_mode
        mov     $0x80000001, %eax
        cpuid
        test    $(1 << 29), %edx
        jz      no_long_mode
        test    $(1 << 20), %edx
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
        movl    $(boot_pd + 3), boot_pdpt
        /* The same 1 GiB at 0 (identity, for this code), in the direct map
         * and at the image's link address. */
        movl    $(boot_pdpt + 3), boot_pml4
        movl    $(boot_pdpt + 3), boot_pml4 + HV_DIRECTMAP_SLOT * 8
        movl    $(boot_pdpt + 3), boot_pml4 + HV_IMAGE_SLOT * 8

        mov     %cr4, %eax
        or      $(1 << 5), %eax                 /* CR4.PAE */
        mov     %eax, %cr4
        mov     $boot_pml4, %eax
        mov     %eax, %cr3
        mov     $0xC0000080, %ecx               /* IA32_EFER */
        rdmsr
        or      $((1 << 8) | (1 << 11)), %eax   /* LME, NXE */
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
3:      mov     $EXIT_PANIC, %al
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
boot_pml4:  .fill 512, 8, 0
boot_pdpt:  .fill 512, 8, 0
boot_pd:    .fill 512, 8, 0
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
        .asciz "pvisor: FATAL: this CPU lacks long mode or NX; pvisor needs an x86-64 CPU with NX\r\n"

/* ------------------------------------------------------- 64-bit entry */
        .text
start64_high:
        movabs  $__boot_stack_top, %rsp
        xor     %ebp, %ebp
        mov     %edi, %edi                      /* upper halves are undefined */
        mov     %esi, %esi                      /* after the mode switch */
        call    arch_boot_main
5:      cli
        hlt
        jmp     5b

        .bss
        .balign 4096
        .global __boot_stack_bottom
__boot_stack_bottom:
        .skip   HV_BOOT_STACK_SIZE
        .global __boot_stack_top
__boot_stack_top:
