/*
 * pvisor hypercall ABI: a domain's virtual CPUs (vcpu_op).
 *
 * A domain has pv_start_info.nr_vcpus vCPUs (module option vcpus=N, 1-8).
 * vCPU 0 starts running; the others start down and uninitialised. A vCPU
 * is given its first registers with PV_VCPUOP_initialise (it then starts in
 * virtual kernel mode on the domain's current kernel and user roots, events
 * masked, with its own slot in the shared page), and runs after
 * PV_VCPUOP_up. All vCPUs of a domain share one physical CPU today; the
 * guest must not assume more than that they run in turn.
 *
 * vcpu_op(cmd, vcpu, arg): vcpu is the target's id. Errors: -PV_ESRCH for a
 * vcpu beyond nr_vcpus, -PV_ENOSYS for an unknown cmd.
 *
 * Freestanding: C11 and C++20.
 */
#ifndef PVISOR_VCPU_H
#define PVISOR_VCPU_H

#include <stdint.h>

#include "pvisor/abi.h"

/* arg: struct pv_vcpu_context *. -PV_EEXIST if it was initialised before,
 * -PV_EINVAL for a non-canonical or hypervisor-range rip/rsp or non-zero
 * reserved fields, -PV_EFAULT if arg cannot be read. */
#define PV_VCPUOP_initialise 0u
/* Makes an initialised vCPU runnable. -PV_EINVAL if never initialised. */
#define PV_VCPUOP_up 1u
/* Stops a vCPU (it keeps its registers and can be brought up again). A vCPU
 * may take itself down, which does not return until it is up again. */
#define PV_VCPUOP_down 2u
/* Returns 1 if the vCPU is up (runnable or blocked), 0 if down. */
#define PV_VCPUOP_is_up 3u
/* arg: the period in ns (at least 1 ms, else -PV_EINVAL); the first tick is
 * one period from now. Each tick raises PV_VIRQ_TIMER on that vCPU. */
#define PV_VCPUOP_set_periodic_timer 4u
#define PV_VCPUOP_stop_periodic_timer 5u
/* arg: absolute system time in ns (0 cancels), as set_timer_op but for any
 * vCPU of the caller's domain. */
#define PV_VCPUOP_set_singleshot_timer 6u
#define PV_VCPUOP_stop_singleshot_timer 7u

struct pv_vcpu_context {
    uint64_t rip;         /* entry point, in virtual kernel mode */
    uint64_t rsp;         /* its kernel stack */
    uint64_t rsi;         /* passed through, e.g. a per-vCPU data pointer */
    uint64_t reserved[5]; /* must be 0 */
};
PV_STATIC_ASSERT(sizeof(struct pv_vcpu_context) == 64, "pv_vcpu_context is 64 bytes");

#endif /* PVISOR_VCPU_H */
