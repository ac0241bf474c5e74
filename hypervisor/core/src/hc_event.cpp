// event_channel_op, set_timer_op and domctl: thin decoders in front of the
// event-channel core (evtchn.h) and the hypervisor's scheduler and timers.
#include <pvisor/domctl.h>
#include <pvisor/event_channel.h>

#include "core/evtchn_pending.h"
#include "core/hypercall.h"

namespace core {
namespace {

using kstd::Error;

// Copies a guest struct in; EFAULT if it cannot be read.
template <typename T>
bool copy_in(HypercallContext& ctx, uint64_t gva, T* out) {
    return ctx.mem.copy_from(out, Gva(gva), sizeof(T)).is_ok();
}

template <typename T>
bool copy_out(HypercallContext& ctx, uint64_t gva, const T& v) {
    return ctx.mem.copy_to(Gva(gva), &v, sizeof(T)).is_ok();
}

HypercallResult result(kstd::Result<void> r) { return r.is_ok() ? 0 : hc_error(r.error()); }

// Runs op(caller, in) for a struct-taking sub-operation: copy in, make
// sure the struct can be written back (by writing it back unchanged), and
// only then act, so that a read-only struct gets EFAULT and nothing else
// happens (the ABI: on error nothing has changed).
template <typename T, typename Op>
HypercallResult with_struct(HypercallContext& ctx, EvtchnCaller& caller, uint64_t arg, Op op) {
    T in;
    if (!copy_in(ctx, arg, &in) || !copy_out(ctx, arg, in)) return hc_error(Error::fault);
    kstd::Result<uint32_t> port = op(caller, in);
    if (port.is_error()) return hc_error(port.error());
    // One vCPU runs at a time, so the struct is still writable now.
    if (!copy_out(ctx, arg, in)) return hc_error(Error::fault);
    return 0;
}

// A send that is not the plain interdomain case (or fails).
[[gnu::noinline]] HypercallResult send_other(HypercallContext& ctx, EvtchnTable& table, uint64_t port) {
    kstd::Result<void> r = evtchn_send(table, *table.sink(), port);
    if (r.is_error()) return hc_error(r.error());
    ++ctx.vcpu.event_sends;
    return 0;
}

// send, the one on every notification, alone: the port is the argument,
// and the sender's table (Domain::evtchn, with its sink) is all it looks
// up; Port::peer is the other end. The interdomain case is inline and
// counted before its kick, so that nothing is kept across that call.
[[gnu::always_inline]] inline HypercallResult send(HypercallContext& ctx, uint64_t port) {
    EvtchnTable* table = ctx.domain.evtchn;
    if (table == nullptr || table->sink() == nullptr) [[unlikely]]
        return hc_error(Error::nosys);
    const Port* local = evtchn_interdomain_port(*table, port);
    if (local == nullptr) [[unlikely]]
        return send_other(ctx, *table, port);
    ++ctx.vcpu.event_sends;
    evtchn_set_pending(*local->peer, *table->sink(), local->remote_port);
    return 0;
}

[[gnu::noinline]] HypercallResult other_op(HypercallContext& ctx, uint64_t cmd, uint64_t arg) {
    EvtchnTable* table = ctx.hooks.evtchn_table(ctx.domain);
    DomainLookup* lookup = ctx.hooks.domain_lookup();
    EventSink* sink = ctx.hooks.event_sink();
    if (table == nullptr || lookup == nullptr || sink == nullptr) return hc_error(Error::nosys);
    EvtchnCaller c{*table, *lookup, *sink};

    switch (cmd) {
    case PV_EVTCHNOP_alloc_unbound:
        return with_struct<pv_evtchn_alloc_unbound>(ctx, c, arg, [](EvtchnCaller& cc, pv_evtchn_alloc_unbound& a) {
            if (a.pad != 0) return kstd::Result<uint32_t>(Error::inval);
            kstd::Result<uint32_t> r = evtchn_alloc_unbound(cc, a.dom, a.remote_dom);
            if (r.is_ok()) a.port = r.value();
            return r;
        });
    case PV_EVTCHNOP_bind_interdomain:
        return with_struct<pv_evtchn_bind_interdomain>(ctx, c, arg,
                                                       [](EvtchnCaller& cc, pv_evtchn_bind_interdomain& a) {
            if (a.pad != 0) return kstd::Result<uint32_t>(Error::inval);
            kstd::Result<uint32_t> r = evtchn_bind_interdomain(cc, a.remote_dom, a.remote_port);
            if (r.is_ok()) a.local_port = r.value();
            return r;
        });
    case PV_EVTCHNOP_bind_virq:
        return with_struct<pv_evtchn_bind_virq>(ctx, c, arg, [](EvtchnCaller& cc, pv_evtchn_bind_virq& a) {
            if (a.pad != 0) return kstd::Result<uint32_t>(Error::inval);
            kstd::Result<uint32_t> r = evtchn_bind_virq(cc, a.virq, a.vcpu);
            if (r.is_ok()) a.port = r.value();
            return r;
        });
    case PV_EVTCHNOP_bind_ipi:
        return with_struct<pv_evtchn_bind_ipi>(ctx, c, arg, [](EvtchnCaller& cc, pv_evtchn_bind_ipi& a) {
            kstd::Result<uint32_t> r = evtchn_bind_ipi(cc, a.vcpu);
            if (r.is_ok()) a.port = r.value();
            return r;
        });
    case PV_EVTCHNOP_bind_vcpu: {
        pv_evtchn_bind_vcpu a;
        if (!copy_in(ctx, arg, &a)) return hc_error(Error::fault);
        return result(evtchn_bind_vcpu(c, a.port, a.vcpu));
    }
    case PV_EVTCHNOP_status: {
        pv_evtchn_status a;
        if (!copy_in(ctx, arg, &a)) return hc_error(Error::fault);
        kstd::Result<pv_evtchn_status> r = evtchn_status(c, a.dom, a.port);
        if (r.is_error()) return hc_error(r.error());
        pv_evtchn_status out = r.value();
        out.dom = a.dom;
        out.port = a.port;
        if (!copy_out(ctx, arg, out)) return hc_error(Error::fault);
        return 0;
    }
    case PV_EVTCHNOP_close: return result(evtchn_close(c, arg));
    case PV_EVTCHNOP_unmask: return result(evtchn_unmask(c, arg));
    }
    return hc_error(Error::nosys);
}

}  // namespace

HypercallResult hc_event_channel_op(HypercallContext& ctx, uint64_t cmd, uint64_t arg) {
    if (cmd == PV_EVTCHNOP_send) [[likely]]
        return send(ctx, arg);
    return other_op(ctx, cmd, arg);
}

HypercallResult hc_set_timer_op(HypercallContext& ctx, uint64_t timeout) {
    return result(ctx.hooks.set_singleshot_timer(ctx.vcpu, timeout));
}

HypercallResult hc_domctl(HypercallContext& ctx, uint64_t cmd, uint64_t domid, uint64_t arg) {
    if (domid > PV_DOMID_SELF) return hc_error(Error::inval);
    Domain* d = domid == PV_DOMID_SELF ? &ctx.domain : ctx.hooks.find_domain(static_cast<pv_domid_t>(domid));
    if (d == nullptr) return hc_error(Error::srch);
    switch (cmd) {
    case PV_DOMCTL_pause:
        // Pausing oneself would leave nobody to unpause.
        if (d == &ctx.domain) return hc_error(Error::inval);
        return result(ctx.hooks.pause_domain(*d));
    case PV_DOMCTL_unpause:
        if (d == &ctx.domain) return hc_error(Error::inval);
        return result(ctx.hooks.unpause_domain(*d));
    case PV_DOMCTL_set_sched: {
        pv_domctl_sched s;
        if (!copy_in(ctx, arg, &s)) return hc_error(Error::fault);
        return result(ctx.hooks.set_sched_params(*d, s.weight, s.cap));
    }
    case PV_DOMCTL_get_sched: {
        pv_domctl_sched s{};
        kstd::Result<void> r = ctx.hooks.get_sched_params(*d, &s.weight, &s.cap);
        if (r.is_error()) return hc_error(r.error());
        if (!copy_out(ctx, arg, s)) return hc_error(Error::fault);
        return 0;
    }
    }
    return hc_error(Error::nosys);
}

}  // namespace core
