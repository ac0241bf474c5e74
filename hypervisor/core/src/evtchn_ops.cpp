// The guest's event-channel operations. Each validates every argument and
// every state it depends on before it writes anything (core/evtchn.h lists
// the errors), so a refused operation changes nothing.
#include "core/evtchn.h"
#include "core/evtchn_pending.h"

namespace core {
namespace {

using kstd::Error;

bool names_self(const EvtchnCaller& c, pv_domid_t dom) { return dom == PV_DOMID_SELF || dom == c.self.domain().id; }

// The table of `dom` as the caller may name it: its own, or any live
// domain's if the caller is privileged.
kstd::Result<EvtchnTable*> target_table(EvtchnCaller& c, pv_domid_t dom) {
    if (names_self(c, dom)) return &c.self;
    if (!c.self.domain().privileged) return Error::perm;
    EvtchnTable* t = c.domains.evtchn_table(dom);
    if (t == nullptr) return Error::srch;
    return t;
}

// A port of the caller's table that is in range and not free.
kstd::Result<uint32_t> bound_port(const EvtchnTable& t, uint64_t port) {
    if (!t.in_range(port)) return Error::range;
    uint32_t p = static_cast<uint32_t>(port);
    if (t.port(p).state == PortState::free) return Error::noent;
    return p;
}

kstd::Result<uint32_t> free_port(const EvtchnTable& t) {
    uint32_t p = t.find_free();
    if (p == 0) return Error::nospc;
    return p;
}

// Makes p a fresh port in state `s`. A port is never handed out pending.
Port& take_port(EvtchnTable& t, uint32_t p, PortState s) {
    evtchn_clear_pending(t, p);
    Port& port = t.port(p);
    port = Port{};
    port.state = s;
    return port;
}

// Frees port p (bound, validated). An interdomain peer returns to unbound,
// offered to us again, so that it can be rebound.
void close_port(EvtchnTable& t, uint32_t p) {
    Port& port = t.port(p);
    bool virq = port.state == PortState::virq;
    uint32_t virq_number = port.virq;
    switch (port.state) {
    case PortState::virq:
        t.events(virq_is_per_vcpu(port.virq) ? port.notify_vcpu : 0).virq_port[port.virq] = 0;
        break;
    case PortState::interdomain: {
        EvtchnTable* peer = port.peer;
        if (peer != nullptr && peer->in_range(port.remote_port)) {
            Port& rp = peer->port(port.remote_port);
            if (rp.state == PortState::interdomain && rp.peer == &t && rp.remote_port == p) {
                rp.state = PortState::unbound;
                rp.remote_port = 0;
                rp.peer = nullptr;
            }
        }
        break;
    }
    case PortState::free:
    case PortState::unbound:
    case PortState::ipi: break;
    }
    evtchn_clear_pending(t, p);
    port = Port{};
    if (virq && t.sink() != nullptr) t.sink()->virq_binding_changed(t, virq_number);
}

}  // namespace

kstd::Result<uint32_t> evtchn_alloc_unbound(EvtchnCaller& c, pv_domid_t dom, pv_domid_t remote_dom) {
    EvtchnTable* t = TRY(target_table(c, dom));
    if (remote_dom > PV_DOMID_SELF) return Error::inval;
    pv_domid_t remote = remote_dom == PV_DOMID_SELF ? c.self.domain().id : remote_dom;
    uint32_t p = TRY(free_port(*t));

    take_port(*t, p, PortState::unbound).remote_dom = remote;
    return p;
}

kstd::Result<uint32_t> evtchn_bind_interdomain(EvtchnCaller& c, pv_domid_t remote_dom, uint64_t remote_port) {
    EvtchnTable* rt = names_self(c, remote_dom) ? &c.self : c.domains.evtchn_table(remote_dom);
    if (rt == nullptr) return Error::srch;
    if (!rt->in_range(remote_port)) return Error::range;
    uint32_t rp = static_cast<uint32_t>(remote_port);
    const Port& remote = rt->port(rp);
    if (remote.state == PortState::free) return Error::noent;
    if (remote.state != PortState::unbound) return Error::inval;
    if (remote.remote_dom != c.self.domain().id) return Error::access;
    uint32_t lp = TRY(free_port(c.self));

    Port& local = take_port(c.self, lp, PortState::interdomain);
    local.remote_dom = rt->domain().id;
    local.remote_port = rp;
    local.peer = rt;
    Port& peer = rt->port(rp);
    peer.state = PortState::interdomain;
    peer.remote_port = lp;
    peer.peer = &c.self;
    // Sends on the port while it was unbound were dropped: make the new
    // port pending once so that the binder cannot miss one.
    evtchn_set_pending(c.self, c.sink, lp);
    return lp;
}

kstd::Result<uint32_t> evtchn_bind_virq(EvtchnCaller& c, uint64_t virq, uint64_t vcpu) {
    if (!virq_is_defined(virq)) return Error::inval;
    uint32_t v = static_cast<uint32_t>(virq);
    if (virq_needs_privilege(v) && !c.self.domain().privileged) return Error::perm;
    if (c.self.vcpu(vcpu) == nullptr) return Error::srch;
    if (!virq_is_per_vcpu(v) && vcpu != 0) return Error::inval;
    uint32_t cpu = static_cast<uint32_t>(vcpu);
    if (c.self.events(cpu).virq_port[v] != 0) return Error::exist;
    uint32_t p = TRY(free_port(c.self));

    Port& port = take_port(c.self, p, PortState::virq);
    port.virq = static_cast<uint8_t>(v);
    port.notify_vcpu = static_cast<uint16_t>(cpu);
    c.self.events(cpu).virq_port[v] = static_cast<uint16_t>(p);
    if (c.self.sink() != nullptr) c.self.sink()->virq_binding_changed(c.self, v);
    return p;
}

kstd::Result<uint32_t> evtchn_bind_ipi(EvtchnCaller& c, uint64_t vcpu) {
    if (c.self.vcpu(vcpu) == nullptr) return Error::srch;
    uint32_t p = TRY(free_port(c.self));

    take_port(c.self, p, PortState::ipi).notify_vcpu = static_cast<uint16_t>(vcpu);
    return p;
}

kstd::Result<void> evtchn_send_other(EvtchnTable& self, EventSink& sink, uint32_t p) {
    switch (self.port(p).state) {
    case PortState::ipi: evtchn_set_pending(self, sink, p); return kstd::ok();
    case PortState::unbound: return kstd::ok();  // nobody to tell: dropped, as Xen does
    case PortState::virq: return Error::inval;   // only the hypervisor raises VIRQs
    case PortState::interdomain:
        evtchn_set_pending(*self.port(p).peer, sink, self.port(p).remote_port);
        return kstd::ok();
    case PortState::free: break;
    }
    return Error::noent;
}

kstd::Result<void> evtchn_send(EvtchnCaller& c, uint64_t port) { return evtchn_send(c.self, c.sink, port); }

kstd::Result<void> evtchn_close(EvtchnCaller& c, uint64_t port) {
    uint32_t p = TRY(bound_port(c.self, port));

    close_port(c.self, p);
    return kstd::ok();
}

kstd::Result<pv_evtchn_status> evtchn_status(EvtchnCaller& c, pv_domid_t dom, uint64_t port) {
    EvtchnTable* t = TRY(target_table(c, dom));
    if (!t->in_range(port)) return Error::range;
    const Port& p = t->port(static_cast<uint32_t>(port));

    pv_evtchn_status st{};
    st.dom = t->domain().id;
    st.port = static_cast<uint32_t>(port);
    switch (p.state) {
    case PortState::free: st.status = PV_EVTCHNSTAT_closed; return st;
    case PortState::unbound: st.status = PV_EVTCHNSTAT_unbound; break;
    case PortState::interdomain: st.status = PV_EVTCHNSTAT_interdomain; break;
    case PortState::virq: st.status = PV_EVTCHNSTAT_virq; break;
    case PortState::ipi: st.status = PV_EVTCHNSTAT_ipi; break;
    }
    st.vcpu = p.notify_vcpu;
    if (p.state == PortState::unbound || p.state == PortState::interdomain) st.remote_dom = p.remote_dom;
    if (p.state == PortState::interdomain) st.remote_port = p.remote_port;
    if (p.state == PortState::virq) st.virq = p.virq;
    return st;
}

kstd::Result<void> evtchn_unmask(EvtchnCaller& c, uint64_t port) {
    uint32_t p = TRY(bound_port(c.self, port));

    evtchn_unmask_port(c.self, c.sink, p);
    return kstd::ok();
}

kstd::Result<void> evtchn_bind_vcpu(EvtchnCaller& c, uint64_t port, uint64_t vcpu) {
    uint32_t p = TRY(bound_port(c.self, port));
    const Port& cur = c.self.port(p);
    if (cur.state == PortState::ipi || (cur.state == PortState::virq && virq_is_per_vcpu(cur.virq)))
        return Error::inval;
    if (c.self.vcpu(vcpu) == nullptr) return Error::srch;

    c.self.port(p).notify_vcpu = static_cast<uint16_t>(vcpu);
    // An event already pending and unmasked was raised on the old vCPU;
    // raise it on the new one as well so that it is not stranded.
    if (evtchn_is_pending(c.self, p) && !evtchn_is_masked(c.self, p)) evtchn_notify(c.self, c.sink, p);
    return kstd::ok();
}

void evtchn_close_all(EvtchnTable& t) {
    for (uint32_t p = 1; p < t.capacity(); ++p)
        if (t.port(p).state != PortState::free) close_port(t, p);
}

}  // namespace core
