/*
 * pvkernel's address-space constants. Included from C++, assembly and the
 * linker scripts, so it holds only #defines with plain numbers.
 */
#ifndef PVK_LAYOUT_H
#define PVK_LAYOUT_H

/* -mcmodel=kernel puts all code and static data in the top 2 GiB. Both
 * builds run at PVK_KERNEL_OFFSET + "physical" address: native maps its
 * image there, the pv builder loads the ELF at its link addresses. */
#define PVK_KERNEL_OFFSET 0xffffffff80000000
#define PVK_PV_LINK_BASE 0xffffffff80100000
#define PVK_NATIVE_PHYS_LOAD 0x100000

/* User programs are linked here (user/user.ld.in). The pv builder reports
 * its user region in pv_start_info.user_va; native maps its own here. */
#define PVK_USER_VA 0x400000
/* Native user region: 1 MiB (one page table, so it must not cross 2 MiB). */
#define PVK_NATIVE_USER_PAGES 256

/* Process address spaces (common/address_space.cpp): user memory is
 * [PVK_USER_VA, PVK_USER_TOP), one page directory under PML4 slot 0 and
 * PDPT slot 0. The program image sits at the bottom, its heap (brk) above
 * it, and the stack, demand-zero, in the top PVK_USER_STACK_MAX bytes. */
#define PVK_USER_TOP 0x40000000
#define PVK_USER_STACK_MAX 0x800000

#define PVK_PAGE_SIZE 4096
#define PVK_KERNEL_STACK_SIZE 0x8000
/* The stack the CPU (native TSS.rsp0) or the hypervisor (stack_switch)
 * uses when user mode traps; it holds one frame at a time. */
#define PVK_ENTRY_STACK_SIZE 0x2000

#endif
