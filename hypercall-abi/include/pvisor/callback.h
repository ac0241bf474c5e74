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
#define PV_CALLBACKOP_register 0u
#define PV_CALLBACKOP_unregister 1u

/* struct pv_callback.type */
#define PV_CALLBACK_EVENT 0u     /* event upcall: pending events to handle */
#define PV_CALLBACK_SYSCALL 1u   /* syscall executed in virtual user mode */
#define PV_CALLBACK_FAILSAFE 2u  /* an iret frame was refused (see pvisor/trap.h) */
#define PV_CALLBACK_MAX 3u

/* struct pv_callback.flags */
#define PV_CALLBACK_MASK_EVENTS (1u << 0)  /* mask events on entry */

#ifndef __ASSEMBLER__
struct pv_callback {
    uint32_t type;
    uint32_t flags;
    uint64_t address;  /* entry point, a canonical guest-kernel address */
};
PV_STATIC_ASSERT(sizeof(struct pv_callback) == 16, "pv_callback is 16 bytes");
#endif /* __ASSEMBLER__ */

#endif /* PVISOR_CALLBACK_H */
