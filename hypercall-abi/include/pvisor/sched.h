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

#define PV_SHUTDOWN_poweroff 0u
#define PV_SHUTDOWN_reboot 1u
#define PV_SHUTDOWN_crash 2u

#endif /* PVISOR_SCHED_H */
