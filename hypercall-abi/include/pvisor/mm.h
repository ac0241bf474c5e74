/*
 * pvisor hypercall ABI: memory management (mmu_update, mmuext_op,
 * update_va_mapping, memory_op, multicall).
 *
 * PV guests use direct paging: their page tables hold machine frame
 * numbers and are the tables the CPU walks. A guest never writes a page
 * table directly (the hypervisor maps them read-only; a trapped 8-byte
 * store or lock cmpxchg to an L1 entry is emulated), it asks the
 * hypervisor, which checks every entry. SPEC.md section 6 gives the rules
 * and every error. The layouts follow Xen's public headers.
 *
 * Freestanding: C11 and C++20.
 */
#ifndef PVISOR_MM_H
#define PVISOR_MM_H

#include <stdint.h>

#include "pvisor/abi.h"

/* ---- mmu_update: a batch of checked page-table entry writes. ---- */

/* ptr is the machine address of the entry (8-byte aligned) with the kind
 * of update in its low 3 bits; val is the new entry. */
struct pv_mmu_update_req {
    uint64_t ptr;
    uint64_t val;
};
PV_STATIC_ASSERT(sizeof(struct pv_mmu_update_req) == 16, "pv_mmu_update_req is 16 bytes");

#define PV_MMU_NORMAL_PT_UPDATE 0u  /* the only kind so far */
#define PV_MMU_UPDATE_MAX 1024u     /* most entries per call */

/* Page-table entry bits a guest may set (Intel SDM Vol. 3A, 4.5): present,
 * rw, user, accessed, the software bits 9-11 and nx in every level, dirty
 * in L1 entries only. Everything else (PWT, PCD, PS/PAT, G, bits 52-62) is
 * refused. */
#define PV_PTE_PRESENT (1ull << 0)
#define PV_PTE_RW (1ull << 1)
#define PV_PTE_USER (1ull << 2)
#define PV_PTE_ACCESSED (1ull << 5)
#define PV_PTE_DIRTY (1ull << 6)
#define PV_PTE_SOFT (7ull << 9)
#define PV_PTE_NX (1ull << 63)
#define PV_PTE_ADDR_MASK 0x000ffffffffff000ull

/* ---- mmuext_op: pinning, roots and TLB flushes. ---- */

struct pv_mmuext_req {
    uint32_t cmd;   /* PV_MMUEXT_* */
    uint32_t pad;   /* must be 0 */
    uint64_t arg1;  /* an MFN (pin, unpin, roots) or a virtual address (invlpg) */
    uint64_t arg2;  /* reserved: must be 0 */
};
PV_STATIC_ASSERT(sizeof(struct pv_mmuext_req) == 24, "pv_mmuext_req is 24 bytes");

#define PV_MMUEXT_PIN_L1_TABLE 0u
#define PV_MMUEXT_PIN_L2_TABLE 1u
#define PV_MMUEXT_PIN_L3_TABLE 2u
#define PV_MMUEXT_PIN_L4_TABLE 3u
#define PV_MMUEXT_UNPIN_TABLE 4u
#define PV_MMUEXT_NEW_BASEPTR 5u       /* new kernel root (an L4) */
#define PV_MMUEXT_TLB_FLUSH_LOCAL 6u
#define PV_MMUEXT_INVLPG_LOCAL 7u
/* 8 and 9 (Xen's TLB_FLUSH_MULTI, INVLPG_MULTI): not provided. */
#define PV_MMUEXT_TLB_FLUSH_ALL 10u    /* every CPU the domain runs on */
#define PV_MMUEXT_INVLPG_ALL 11u
/* 12-14 (Xen's FLUSH_CACHE, SET_LDT, ...): not provided. */
#define PV_MMUEXT_NEW_USER_BASEPTR 15u /* new user root; MFN 0: none */

#define PV_MMUEXT_OP_MAX 1024u  /* most operations per call */

/* ---- update_va_mapping(va, val, flags): set the L1 entry of va. ---- */

#define PV_UVMF_NONE 0u
#define PV_UVMF_TLB_FLUSH 1u  /* flush the whole TLB */
#define PV_UVMF_INVLPG 2u     /* flush just va */
#define PV_UVMF_FLUSHTYPE_MASK 3u
#define PV_UVMF_LOCAL 0u      /* on this vCPU's CPU */
#define PV_UVMF_ALL 4u        /* on every CPU the domain runs on */

/* ---- memory_op(cmd, arg): the domain's reservation. ---- */

#define PV_MEMOP_increase_reservation 0u  /* arg: struct pv_memory_reservation */
#define PV_MEMOP_decrease_reservation 1u  /* arg: struct pv_memory_reservation */
#define PV_MEMOP_current_reservation 3u   /* arg unused; returns pages owned */
#define PV_MEMOP_maximum_reservation 4u   /* arg unused; returns the limit */
#define PV_MEMOP_frame_list 5u            /* arg: struct pv_memory_frame_list */

struct pv_memory_reservation {
    uint64_t frames;     /* guest pointer to uint64_t[nr_frames]: MFNs (out for increase, in for decrease) */
    uint64_t nr_frames;  /* at most PV_MEMOP_MAX_FRAMES */
    uint32_t domid;      /* PV_DOMID_SELF (or the caller's own ID) */
    uint32_t pad;        /* must be 0 */
};
PV_STATIC_ASSERT(sizeof(struct pv_memory_reservation) == 24, "pv_memory_reservation is 24 bytes");

struct pv_memory_frame_list {
    uint64_t frames;      /* guest pointer to uint64_t[max_frames], written */
    uint64_t max_frames;  /* at most PV_MEMOP_MAX_FRAMES */
    uint64_t start;       /* skip this many of the domain's frames (lowest MFN first) */
};
PV_STATIC_ASSERT(sizeof(struct pv_memory_frame_list) == 24, "pv_memory_frame_list is 24 bytes");

#define PV_MEMOP_MAX_FRAMES 512u

/* ---- multicall(calls, count): many hypercalls in one entry. ---- */

struct pv_multicall_entry {
    uint64_t op;       /* hypercall number */
    uint64_t args[5];  /* rdi, rsi, rdx, r10, r8 */
    int64_t result;    /* written with the call's return value */
};
PV_STATIC_ASSERT(sizeof(struct pv_multicall_entry) == 56, "pv_multicall_entry is 56 bytes");

#define PV_MULTICALL_MAX 256u  /* most entries per call */

#endif /* PVISOR_MM_H */
