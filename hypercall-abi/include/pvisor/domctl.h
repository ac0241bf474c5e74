/*
 * pvisor hypercall ABI: domain control for dom0 (domctl, privileged).
 *
 * Freestanding: C11 and C++20.
 */
#ifndef PVISOR_DOMCTL_H
#define PVISOR_DOMCTL_H

#include <stdint.h>

#include "pvisor/abi.h"

#define PV_DOMCTL_pause 0u      /* arg unused; the domain stops running until unpaused */
#define PV_DOMCTL_unpause 1u    /* arg unused; -PV_EALREADY if it is not paused */
#define PV_DOMCTL_set_sched 2u  /* arg: struct pv_domctl_sched * (IN) */
#define PV_DOMCTL_get_sched 3u  /* arg: struct pv_domctl_sched * (OUT) */

/* Proportional-share scheduling: a domain gets CPU time in proportion to
 * its weight among the domains that want to run; cap (percent of one
 * CPU, 0 = none) limits it even when the CPU is otherwise idle. */
struct pv_domctl_sched {
    uint32_t weight; /* 1..65535, default 256 */
    uint32_t cap;    /* 0..100 per CPU */
};
PV_STATIC_ASSERT(sizeof(struct pv_domctl_sched) == 8, "pv_domctl_sched is 8 bytes");

#endif /* PVISOR_DOMCTL_H */
