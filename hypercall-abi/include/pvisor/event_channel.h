/*
 * pvisor hypercall ABI: event channels (event_channel_op).
 *
 * An event channel is a port in a domain's port table: a one-bit,
 * level-triggered notification. Ports are numbered from 1 (port 0 is never
 * allocated) up to the domain's port capacity, at most PV_EVTCHN_MAX_PORTS
 * (pvisor/shared_info.h). A port is in one of these states:
 *
 *   closed       free; every operation but status refuses it
 *   unbound      allocated, waiting for one named remote domain to bind it
 *   interdomain  connected to a port of another (or the same) domain
 *   virq         bound to a virtual IRQ of the hypervisor
 *   ipi          an inter-vCPU notification within the domain
 *
 * Sending sets the port's bit in shared_info.evtchn_pending of the domain
 * at the other end; the rest of the delivery protocol (mask bits, the
 * per-vCPU selector, upcall_pending) is specified in SPEC.md, section 7.
 *
 * event_channel_op(cmd, arg): for close, send and unmask, arg is the port
 * number itself; for every other command arg points at the command's
 * structure, which the hypervisor reads and, on success, writes back with
 * its OUT fields filled. On error nothing has changed and the structure is
 * not written.
 *
 * Freestanding: C11 and C++20.
 */
#ifndef PVISOR_EVENT_CHANNEL_H
#define PVISOR_EVENT_CHANNEL_H

#include <stdint.h>

#include "pvisor/abi.h"

typedef uint32_t pv_evtchn_port_t;

/*
 * close, send and unmask take the port in arg. All three fail with
 * -PV_ERANGE (port at or beyond the caller's table capacity) and -PV_ENOENT
 * (port closed). send also fails with -PV_EINVAL on a virq port (only the
 * hypervisor raises those); a send on an unbound port succeeds and is
 * dropped. close returns an interdomain port's peer to unbound (offered to
 * the closing domain), so the peer can be bound again.
 *
 * Every command refuses a non-zero pad field with -PV_EINVAL, and an
 * unknown command with -PV_ENOSYS.
 */

/* event_channel_op commands */
#define PV_EVTCHNOP_alloc_unbound 0u    /* struct pv_evtchn_alloc_unbound * */
#define PV_EVTCHNOP_bind_interdomain 1u /* struct pv_evtchn_bind_interdomain * */
#define PV_EVTCHNOP_bind_virq 2u        /* struct pv_evtchn_bind_virq * */
#define PV_EVTCHNOP_bind_ipi 3u         /* struct pv_evtchn_bind_ipi * */
#define PV_EVTCHNOP_close 4u            /* arg = port */
#define PV_EVTCHNOP_send 5u             /* arg = port */
#define PV_EVTCHNOP_status 6u           /* struct pv_evtchn_status * */
#define PV_EVTCHNOP_bind_vcpu 7u        /* struct pv_evtchn_bind_vcpu * */
#define PV_EVTCHNOP_unmask 8u           /* arg = port */

/*
 * Virtual IRQs. A per-vCPU VIRQ is bound once per vCPU and always notifies
 * that vCPU; a global VIRQ is bound once per domain, on vCPU 0, and may be
 * moved with bind_vcpu. Numbers up to PV_NR_VIRQS - 1 that are not listed
 * are reserved (bind_virq refuses them with -PV_EINVAL).
 */
#define PV_VIRQ_TIMER 0u   /* per-vCPU: the vCPU's one-shot or periodic timer fired */
#define PV_VIRQ_CONSOLE 1u /* global, dom0 only: hypervisor console input is waiting */
#define PV_VIRQ_DOM_EXC 2u /* global, dom0 only: a domain shut down or crashed */
#define PV_NR_VIRQS 8u

/*
 * Allocate a port of domain `dom` in state unbound, to be bound by
 * `remote_dom`. `dom` is PV_DOMID_SELF or the caller's own ID unless the
 * caller is privileged. `remote_dom` PV_DOMID_SELF means the caller.
 * Errors: -PV_EPERM (dom is another domain and the caller is not
 * privileged), -PV_ESRCH (no such dom), -PV_EINVAL (remote_dom is neither
 * PV_DOMID_SELF nor below PV_DOMID_SELF), -PV_ENOSPC (dom's table is full).
 */
struct pv_evtchn_alloc_unbound {
    uint32_t dom;        /* IN */
    uint32_t remote_dom; /* IN */
    uint32_t port;       /* OUT: the new port of dom */
    uint32_t pad;        /* must be 0 */
};
PV_STATIC_ASSERT(sizeof(struct pv_evtchn_alloc_unbound) == 16, "pv_evtchn_alloc_unbound is 16 bytes");

/*
 * Connect a new local port to `remote_port` of `remote_dom` (PV_DOMID_SELF:
 * the caller), which must be unbound and offered to the caller. Both ports
 * become interdomain. Errors: -PV_ESRCH (no such live domain), -PV_ERANGE
 * (remote_port beyond the remote table), -PV_ENOENT (remote port closed),
 * -PV_EACCES (remote port unbound but offered to another domain),
 * -PV_EINVAL (remote port in another state), -PV_ENOSPC (caller's table
 * full).
 */
struct pv_evtchn_bind_interdomain {
    uint32_t remote_dom;  /* IN */
    uint32_t remote_port; /* IN */
    uint32_t local_port;  /* OUT */
    uint32_t pad;         /* must be 0 */
};
PV_STATIC_ASSERT(sizeof(struct pv_evtchn_bind_interdomain) == 16, "pv_evtchn_bind_interdomain is 16 bytes");

/*
 * Bind a virtual IRQ. `vcpu` is the vCPU to notify; it must be 0 for a
 * global VIRQ. Errors: -PV_EINVAL (unknown or reserved virq, or a global
 * VIRQ with vcpu != 0), -PV_ESRCH (no such vCPU), -PV_EPERM (a dom0-only
 * VIRQ from another domain), -PV_EEXIST (already bound on that vCPU),
 * -PV_ENOSPC (table full).
 */
struct pv_evtchn_bind_virq {
    uint32_t virq; /* IN: PV_VIRQ_* */
    uint32_t vcpu; /* IN */
    uint32_t port; /* OUT */
    uint32_t pad;  /* must be 0 */
};
PV_STATIC_ASSERT(sizeof(struct pv_evtchn_bind_virq) == 16, "pv_evtchn_bind_virq is 16 bytes");

/*
 * Allocate a port that notifies `vcpu` of the caller's domain when any of
 * its vCPUs sends on it. Errors: -PV_ESRCH (no such vCPU), -PV_ENOSPC.
 */
struct pv_evtchn_bind_ipi {
    uint32_t vcpu; /* IN */
    uint32_t port; /* OUT */
};
PV_STATIC_ASSERT(sizeof(struct pv_evtchn_bind_ipi) == 8, "pv_evtchn_bind_ipi is 8 bytes");

/*
 * Route notifications of `port` to `vcpu`. Allowed for unbound,
 * interdomain and global-VIRQ ports. Errors: -PV_ERANGE, -PV_ENOENT (port
 * closed), -PV_EINVAL (a per-vCPU VIRQ or an IPI port), -PV_ESRCH (no such
 * vCPU).
 */
struct pv_evtchn_bind_vcpu {
    uint32_t port; /* IN */
    uint32_t vcpu; /* IN */
};
PV_STATIC_ASSERT(sizeof(struct pv_evtchn_bind_vcpu) == 8, "pv_evtchn_bind_vcpu is 8 bytes");

/* struct pv_evtchn_status.status */
#define PV_EVTCHNSTAT_closed 0u
#define PV_EVTCHNSTAT_unbound 1u
#define PV_EVTCHNSTAT_interdomain 2u
#define PV_EVTCHNSTAT_virq 3u
#define PV_EVTCHNSTAT_ipi 4u

/*
 * The state of `port` of domain `dom` (PV_DOMID_SELF, the caller's own ID,
 * or any domain if the caller is privileged). A closed port is a success
 * with status PV_EVTCHNSTAT_closed. Errors: -PV_EPERM, -PV_ESRCH,
 * -PV_ERANGE (port beyond dom's table).
 */
struct pv_evtchn_status {
    uint32_t dom;         /* IN */
    uint32_t port;        /* IN */
    uint32_t status;      /* OUT: PV_EVTCHNSTAT_* */
    uint32_t vcpu;        /* OUT: the vCPU notified (0 when closed) */
    uint32_t remote_dom;  /* OUT: unbound, interdomain: the other domain */
    uint32_t remote_port; /* OUT: interdomain: the other port */
    uint32_t virq;        /* OUT: virq: the PV_VIRQ_* */
    uint32_t pad;         /* OUT: 0 */
};
PV_STATIC_ASSERT(sizeof(struct pv_evtchn_status) == 32, "pv_evtchn_status is 32 bytes");

#endif /* PVISOR_EVENT_CHANNEL_H */
