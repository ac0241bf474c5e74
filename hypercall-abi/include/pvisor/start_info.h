/*
 * pvisor hypercall ABI: the start-info page handed to a new domain.
 *
 * A domain starts on vCPU 0 in virtual kernel mode at its ELF entry point
 * with rsi = the virtual address of this page, rsp = the top of an initial
 * kernel stack of at least 32 KiB (16-byte aligned, an unmapped guard page
 * below it), events masked, and every other general register zero. Every
 * page is zeroed before the image is loaded, so ELF memory beyond the file
 * contents (bss) is zero. Pages [first_free_pfn, nr_pages) are free for the
 * guest; the page tables and the user region lie below first_free_pfn.
 *
 * The initial address space (kernel root) maps:
 *   - the kernel's ELF segments at their virtual addresses;
 *   - every page of the domain at physmap_va + pfn * PV_PAGE_SIZE,
 *     read-write, except the pages holding the initial page tables
 *     (pt_pfn_start..), which are mapped read-only: they are in use as page
 *     tables and change only through the hypervisor (pvisor/mm.h);
 *   - this page, the shared page, the frame list and the boot stack;
 *   - the user region [user_va, user_va + user_pages * 4 KiB), writable,
 *     which is also all that the user root maps.
 *
 * Freestanding: C11 and C++20.
 */
#ifndef PVISOR_START_INFO_H
#define PVISOR_START_INFO_H

#include <stdint.h>

#include "pvisor/abi.h"

#define PV_START_INFO_MAGIC "pvisor01"  /* 8 bytes, no NUL */

/* pv_start_info.flags */
#define PV_SIF_PRIVILEGED (1u << 0)  /* may use privileged hypercalls (dom0) */
#define PV_SIF_INITDOMAIN (1u << 1)  /* the first domain the hypervisor built */

#define PV_START_INFO_NAME_MAX 32u
#define PV_START_INFO_CMDLINE_MAX 1024u

struct pv_start_info {
    char magic[8];
    uint32_t abi_version;        /* PVISOR_ABI_VERSION of the hypervisor */
    uint32_t flags;              /* PV_SIF_* */
    pv_domid_t domid;
    uint32_t nr_vcpus;
    uint64_t nr_pages;           /* pages the domain owns */
    uint64_t shared_info_va;     /* struct pv_shared_info */
    uint64_t frame_list_va;      /* uint64_t[nr_pages]: pseudo-physical page -> machine frame */
    uint64_t physmap_va;         /* pseudo-physical page 0 is mapped here */
    uint64_t kernel_root_mfn;    /* machine frame of the kernel root (PML4) */
    uint64_t user_root_mfn;      /* machine frame of the user root */
    uint64_t first_free_pfn;     /* pages below this hold the initial layout */
    uint64_t pt_pfn_start;       /* first page of the initial page tables */
    uint64_t pt_pfn_count;
    uint64_t user_va;            /* the user region (see above) */
    uint64_t user_pages;
    uint64_t module_va;          /* a boot module (ramdisk); not yet provided: always 0 */
    uint64_t module_size;
    uint64_t stack_top_va;       /* the initial kernel stack's top, as in rsp */
    uint64_t reserved[4];
    char name[PV_START_INFO_NAME_MAX];        /* NUL-terminated domain name */
    char cmdline[PV_START_INFO_CMDLINE_MAX];  /* NUL-terminated kernel command line */
};
PV_STATIC_ASSERT(sizeof(struct pv_start_info) == 8 + 4 * 4 + 14 * 8 + 4 * 8 + 32 + 1024, "pv_start_info layout");
PV_STATIC_ASSERT(sizeof(struct pv_start_info) <= PV_PAGE_SIZE, "pv_start_info fits in a page");

#endif /* PVISOR_START_INFO_H */
