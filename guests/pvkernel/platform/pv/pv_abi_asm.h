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

/* The shared page as the event upcall (event_entry.S) reads it: vCPU 0's
 * upcall_pending, upcall_mask and evtchn_pending_sel, and the domain's
 * pending and mask words. event_dispatch.cpp checks these, and the layout
 * of its handler slots and statistics. */
#define PVK_PV_SI_UPCALL_PENDING 0
#define PVK_PV_SI_UPCALL_MASK 1
#define PVK_PV_SI_PENDING_SEL 8
#define PVK_PV_SI_EVTCHN_PENDING 0x800
#define PVK_PV_SI_EVTCHN_MASK 0xa00
#define PVK_PV_EVENT_MAX_PORTS 1024
#define PVK_PV_EVENT_SLOT_SHIFT 4 /* 16-byte slots: handler, then arg */
#define PVK_PV_EVENT_STATS_UPCALLS 0
#define PVK_PV_EVENT_STATS_HANDLED 8
#define PVK_PV_EVENT_STATS_UNHANDLED 16

#endif
