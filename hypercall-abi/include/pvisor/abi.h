/*
 * pvisor hypercall ABI: common definitions.
 *
 * A PV guest kernel runs in ring 3, as does its user code; the hypervisor
 * tracks whether a vCPU is in virtual kernel or virtual user mode and gives
 * each mode its own page-table root. Both modes use the selectors below.
 *
 * Freestanding: C11 and C++20, no includes beyond <stdint.h>; assembly may
 * include it too (the C parts are guarded by __ASSEMBLER__).
 */
#ifndef PVISOR_ABI_H
#define PVISOR_ABI_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

/* PV_U(n): n as an unsigned constant in C and C++, a plain number in
 * assembly (which has no integer suffixes). */
#ifdef __ASSEMBLER__
#define PV_U(n) n
#else
#define PV_U(n) n##u
#endif

#ifdef __cplusplus
#define PV_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#define PV_PTR_ARG(p) (reinterpret_cast<uint64_t>(p))
#else
#define PV_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#define PV_PTR_ARG(p) ((uint64_t)(uintptr_t)(p))
#endif

/* Selectors a guest finds in CS and SS, in both virtual modes. */
#define PV_GUEST_CS 0x2b
#define PV_GUEST_SS 0x23

/* The hypervisor owns PML4 slots 256-271 in every address space. */
#define PV_HYPERVISOR_VIRT_START 0xffff800000000000ull
#define PV_HYPERVISOR_VIRT_END 0xffff880000000000ull

#define PV_PAGE_SIZE PV_U(4096)

/* The hypercall page: entry n is at offset n * PV_HYPERCALL_ENTRY_SIZE. */
#define PV_HYPERCALL_ENTRY_SIZE 32

/* Domain identifiers. dom0 is the privileged control domain. */
#define PV_DOMID_SELF 0x7ff0
#ifndef __ASSEMBLER__
typedef uint32_t pv_domid_t;
#endif

#endif /* PVISOR_ABI_H */
