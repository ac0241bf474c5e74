/*
 * pvisor hypercall ABI: scheduling operations (sched_op).
 *
 * Freestanding: C11 and C++20.
 */
#ifndef PVISOR_SCHED_H
#define PVISOR_SCHED_H

#define PV_SCHEDOP_yield 0u     /* give up the CPU; arg unused */
#define PV_SCHEDOP_block 1u     /* unmask events and sleep until one is pending; arg unused */
#define PV_SCHEDOP_shutdown 2u  /* stop the whole domain; arg is a PV_SHUTDOWN_* reason */
#define PV_SCHEDOP_poll 3u      /* arg: struct pv_sched_poll *; sleep until one of the ports is pending or the timeout */

#define PV_SHUTDOWN_poweroff 0u
#define PV_SHUTDOWN_reboot 1u
#define PV_SHUTDOWN_crash 2u

#define PV_SCHED_POLL_MAX_PORTS 128u

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "pvisor/abi.h"

/* PV_SCHEDOP_poll: returns 0 when one of the ports is pending (at once if
 * one already is), or when the timeout passes. With several ports any
 * event of the domain may end the wait early; the guest checks again. */
struct pv_sched_poll {
    uint64_t ports;    /* guest pointer to uint32_t[nr_ports] */
    uint32_t nr_ports; /* 1..PV_SCHED_POLL_MAX_PORTS, else -PV_E2BIG (0: -PV_EINVAL) */
    uint32_t pad;      /* must be 0 */
    uint64_t timeout;  /* absolute system time in ns; 0 = none */
};
PV_STATIC_ASSERT(sizeof(struct pv_sched_poll) == 24, "pv_sched_poll is 24 bytes");
#endif

#endif /* PVISOR_SCHED_H */
