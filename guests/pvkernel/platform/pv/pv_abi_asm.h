/*
 * The few ABI constants the pv assembly needs. abi.h and trap.h also hold
 * C declarations, so assembly cannot include them; boot.cpp checks each
 * value here against the real header with a static_assert.
 */
#ifndef PVK_PV_ABI_ASM_H
#define PVK_PV_ABI_ASM_H

#include "pvisor/hypercall_numbers.h"

#define PVK_PV_HYPERCALL_ENTRY_SIZE 32
#define PVK_PV_GUEST_CS 0x2b
#define PVK_PV_GUEST_SS 0x23
/* The iret stub: entered by jmp with rsp at the frame, never called. */
#define PVK_PV_IRET_STUB (pv_hypercall_page + PV_HYPERCALL_iret * PVK_PV_HYPERCALL_ENTRY_SIZE)

#endif
