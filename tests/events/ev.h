// Helpers shared by the event tests (tests/events): raw event_channel_op
// calls that return the hypercall's value, so refusals can be checked
// exactly, and the rendezvous two domains use to connect a channel.
#pragma once

#include <pvisor/domctl.h>
#include <pvisor/event_channel.h>

#include "gt.h"
#include "pvk/boot_info.h"
#include "pvk/events.h"
#include "pvk/platform.h"

namespace ev {

inline uint64_t ptr(const void* p) { return reinterpret_cast<uint64_t>(p); }

inline int64_t op(uint64_t cmd, const void* arg) { return pv_event_channel_op(cmd, ptr(arg)); }

// alloc_unbound for dom (PV_DOMID_SELF: us); *port gets the new port.
inline int64_t alloc_unbound(uint32_t dom, uint32_t remote, uint32_t* port, uint32_t pad = 0) {
    pv_evtchn_alloc_unbound a{dom, remote, 0, pad};
    int64_t rc = op(PV_EVTCHNOP_alloc_unbound, &a);
    if (port != nullptr) *port = a.port;
    return rc;
}

inline int64_t bind_interdomain(uint32_t dom, uint32_t remote_port, uint32_t* port, uint32_t pad = 0) {
    pv_evtchn_bind_interdomain b{dom, remote_port, 0, pad};
    int64_t rc = op(PV_EVTCHNOP_bind_interdomain, &b);
    if (port != nullptr) *port = b.local_port;
    return rc;
}

inline int64_t bind_virq(uint32_t virq, uint32_t vcpu, uint32_t* port, uint32_t pad = 0) {
    pv_evtchn_bind_virq b{virq, vcpu, 0, pad};
    int64_t rc = op(PV_EVTCHNOP_bind_virq, &b);
    if (port != nullptr) *port = b.port;
    return rc;
}

inline int64_t status(uint32_t dom, uint32_t port, pv_evtchn_status* out) {
    pv_evtchn_status s{};
    s.dom = dom;
    s.port = port;
    int64_t rc = op(PV_EVTCHNOP_status, &s);
    *out = s;
    return rc;
}

// The state of one of our ports, or ~0u if status failed.
inline uint32_t state_of(uint32_t port, uint32_t dom = PV_DOMID_SELF) {
    pv_evtchn_status s;
    return status(dom, port, &s) == 0 ? s.status : ~0u;
}

inline uint64_t now() { return pvk::platform::uptime_ns(); }
inline constexpr uint64_t ms = 1000000;

// The rendezvous: domain 0 offers its first port (port 1, the lowest free
// one of a fresh table) to domain `peer`; the peer binds it, retrying
// while it is not offered yet. Both then hold an interdomain port. The
// binder's new port comes up pending once (the hypervisor's rule for
// bind_interdomain); connect() clears that event so callers count only
// real ones. Handlers are installed before events could reach them.
inline constexpr uint32_t offered_port = 1;

inline uint32_t offer(uint32_t peer, pvk::events::Handler h, void* arg) {
    kstd::Result<pvk::events::Port> p = pvk::events::alloc_unbound(peer);
    if (p.is_error() || p.value() != offered_port) {
        test_error("alloc_unbound for the peer: %s, port %u (want port %u)",
                   p.is_error() ? kstd::error_name(p.error()) : "ok", p.is_ok() ? p.value() : 0, offered_port);
        return 0;
    }
    if (pvk::events::set_handler(p.value(), h, arg).is_error()) test_error("set_handler");
    return p.value();
}

// dom0's side: waits (yielding) until the peer has bound the offer; sends
// before that would be dropped.
inline bool await_peer(uint32_t port) {
    for (int tries = 0; tries < 100000; ++tries) {
        if (state_of(port) == PV_EVTCHNSTAT_interdomain) return true;
        pvk::platform::yield();
    }
    test_error("the peer never bound port %u", port);
    return false;
}

inline uint32_t connect(uint32_t dom0_id, pvk::events::Handler h, void* arg) {
    pvk::events::IrqGuard g;
    for (int tries = 0; tries < 100000; ++tries) {
        kstd::Result<pvk::events::Port> p = pvk::events::bind_interdomain(dom0_id, offered_port, h, arg);
        if (p.is_ok()) {
            gt::check(pvk::events::is_pending(p.value()), "a port bound with bind_interdomain comes up pending");
            pvk::events::clear_pending(p.value());
            return p.value();
        }
        if (p.error() != kstd::Error::noent) {
            test_error("bind_interdomain(%u, %u): %s", dom0_id, offered_port, kstd::error_name(p.error()));
            return 0;
        }
        pvk::platform::yield();
    }
    test_error("domain %u never offered port %u", dom0_id, offered_port);
    return 0;
}

}  // namespace ev
