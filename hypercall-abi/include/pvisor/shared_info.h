/*
 * pvisor hypercall ABI: the shared page.
 *
 * One page per domain, written by the hypervisor and the guest, mapped
 * into the guest at pv_start_info.shared_info_va. It carries, per vCPU, the
 * event flags, the fault address of the last bounced page fault and the
 * time parameters, and per domain the event-channel bitmaps and the wall
 * clock.
 *
 * Freestanding: C11 and C++20.
 */
#ifndef PVISOR_SHARED_INFO_H
#define PVISOR_SHARED_INFO_H

#include <stdint.h>

#include "pvisor/abi.h"

#define PV_MAX_VCPUS 32u
#define PV_EVTCHN_WORDS 64u
#define PV_EVTCHN_MAX_PORTS (PV_EVTCHN_WORDS * 64u)

/*
 * Time. System time (ns since the hypervisor booted) is
 *   system_time + ((((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul) >> 32)
 * with a negative tsc_shift meaning a right shift by -tsc_shift, and the
 * multiplication done in 96 bits or more (e.g. unsigned __int128, or mulq
 * and shrd). Today the base is published once when the domain is built and
 * the TSC is invariant; guests must still follow the version protocol. The hypervisor makes
 * version odd before it updates the fields and even after: read version,
 * the fields, then version again, and retry if it changed or was odd.
 */
struct pv_vcpu_time_info {
    uint32_t version;
    uint32_t pad0;
    uint64_t tsc_timestamp;
    uint64_t system_time;
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
    uint8_t pad1[3];
};
PV_STATIC_ASSERT(sizeof(struct pv_vcpu_time_info) == 32, "pv_vcpu_time_info is 32 bytes");

struct pv_vcpu_info {
    /* Set by the hypervisor when an event is pending for this vCPU; the
     * guest clears it before scanning evtchn_pending_sel. */
    uint8_t upcall_pending;
    /* Set by the guest to hold event upcalls back (the virtual interrupt
     * flag, inverted). After clearing it the guest must check
     * upcall_pending and, if set, make any hypercall so that the event is
     * delivered (SPEC.md, the event protocol). */
    uint8_t upcall_mask;
    uint8_t pad[6];
    uint64_t evtchn_pending_sel;  /* bit i: word i of evtchn_pending has bits for us */
    uint64_t fault_address;       /* the faulting address of the last page fault delivered */
    uint64_t reserved;
    struct pv_vcpu_time_info time;
};
PV_STATIC_ASSERT(sizeof(struct pv_vcpu_info) == 64, "pv_vcpu_info is 64 bytes");

struct pv_shared_info {
    struct pv_vcpu_info vcpu[PV_MAX_VCPUS];
    uint64_t evtchn_pending[PV_EVTCHN_WORDS];
    uint64_t evtchn_mask[PV_EVTCHN_WORDS];
    /* Wall-clock time at system time 0, under the same version protocol. */
    uint32_t wc_version;
    uint32_t wc_sec_hi;
    uint32_t wc_sec;
    uint32_t wc_nsec;
};
PV_STATIC_ASSERT(sizeof(struct pv_shared_info) == 64 * 32 + 8 * 128 + 16, "pv_shared_info layout");
PV_STATIC_ASSERT(sizeof(struct pv_shared_info) <= PV_PAGE_SIZE, "pv_shared_info fits in a page");

#endif /* PVISOR_SHARED_INFO_H */
