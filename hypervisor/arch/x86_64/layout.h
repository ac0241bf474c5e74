/*
 * The hypervisor's virtual address layout. Included from C++, assembly and
 * the linker script, so it holds only #defines.
 *
 * pvisor owns PML4 slots 256-271 (0xffff800000000000-0xffff87ffffffffff),
 * the range Linux and Xen leave to a hypervisor (DESIGN.md). Every guest
 * root carries these slots and no guest can change them.
 *
 *   slot 256      0xffff800000000000  reserved for read-only guest-visible tables
 *   slots 258-259 0xffff810000000000  frame table (per machine frame metadata)
 *   slots 262-263 0xffff830000000000  direct map of all machine memory (1 TiB)
 *   slot 271      0xffff878000000000  the hypervisor image at +physical address
 */
#ifndef PVISOR_ARCH_LAYOUT_H
#define PVISOR_ARCH_LAYOUT_H

#define HV_PML4_FIRST_SLOT 256
#define HV_PML4_LAST_SLOT 271

#define HV_FRAME_TABLE_BASE 0xffff810000000000
#define HV_DIRECTMAP_BASE 0xffff830000000000
#define HV_DIRECTMAP_SIZE 0x0000010000000000
#define HV_DIRECTMAP_SLOT 262

/* The image is linked at HV_IMAGE_OFFSET + physical load address. */
#define HV_IMAGE_OFFSET 0xffff878000000000
#define HV_IMAGE_SLOT 271
#define HV_PHYS_LOAD 0x100000

#define HV_BOOT_STACK_SIZE 0x4000
#define HV_IST_STACK_SIZE 0x2000

/* Fixed reservation for the symbol table, so the first and final links place
 * everything after it at the same addresses (see gen_ksyms.py). */
#define HV_KSYMS_SIZE 0x40000

#endif
