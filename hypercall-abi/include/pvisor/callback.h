/*
 * pvisor hypercall ABI: callbacks (callback_op).
 *
 * Freestanding: C11 and C++20; assembly may include it.
 */
#ifndef PVISOR_CALLBACK_H
#define PVISOR_CALLBACK_H

#include "pvisor/abi.h"

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

/* callback_op commands */
#define PV_CALLBACKOP_register PV_U(0)
#define PV_CALLBACKOP_unregister PV_U(1)

/* struct pv_callback.type */
#define PV_CALLBACK_EVENT PV_U(0)     /* event upcall: pending events to handle */
#define PV_CALLBACK_SYSCALL PV_U(1)   /* syscall executed in virtual user mode */
#define PV_CALLBACK_FAILSAFE PV_U(2)  /* an iret frame was refused (see pvisor/trap.h) */
#define PV_CALLBACK_MAX PV_U(3)

/* struct pv_callback.flags */
#define PV_CALLBACK_MASK_EVENTS (PV_U(1) << 0)  /* mask events on entry */

#ifndef __ASSEMBLER__
struct pv_callback {
    uint32_t type;
    uint32_t flags;
    uint64_t address;  /* entry point, a canonical guest-kernel address */
};
PV_STATIC_ASSERT(sizeof(struct pv_callback) == 16, "pv_callback is 16 bytes");
#endif /* __ASSEMBLER__ */

#endif /* PVISOR_CALLBACK_H */
