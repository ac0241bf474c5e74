// Event channels on pvisor: registering the upcall and the port
// operations (event_channel_op), poll and the one-shot timer. The
// delivery protocol is in event_dispatch.cpp.
#include <pvisor/callback.h>
#include <pvisor/event_channel.h>
#include <pvisor/hypercall_stubs.h>
#include <pvisor/sched.h>

#include "events_pv.h"
#include "pvk/platform.h"

namespace pvk::events {
namespace {

constinit bool g_registered = false;
constinit Port g_timer_port = 0;

kstd::Result<void> check(int64_t rc) {
    if (rc < 0) return static_cast<kstd::Error>(-rc);
    return kstd::ok();
}

// Binds with events masked, so that an event raised by the binding itself
// (bind_interdomain makes the new port pending) waits for the handler.
template <typename Bind>
kstd::Result<Port> bind_with_handler(Bind bind, Handler h, void* arg) {
    IrqGuard g;
    Port p = TRY(bind());
    if (p >= max_ports) {
        (void)pv_event_channel_op(PV_EVTCHNOP_close, p);
        return kstd::Error::range;
    }
    pv::set_port_handler(p, h, arg);
    return p;
}

}  // namespace

kstd::Result<void> init() {
    if (g_registered) return kstd::ok();
    pv_callback cb{PV_CALLBACK_EVENT, PV_CALLBACK_MASK_EVENTS, reinterpret_cast<uint64_t>(pvk_pv_event_entry)};
    TRY(check(pv_callback_op(PV_CALLBACKOP_register, &cb)));
    g_registered = true;
    return kstd::ok();
}

kstd::Result<Port> alloc_unbound(uint32_t remote_dom) {
    pv_evtchn_alloc_unbound a{PV_DOMID_SELF, remote_dom, 0, 0};
    TRY(check(pv_event_channel_op(PV_EVTCHNOP_alloc_unbound, reinterpret_cast<uint64_t>(&a))));
    return a.port;
}

kstd::Result<Port> bind_interdomain(uint32_t remote_dom, Port remote_port, Handler h, void* arg) {
    return bind_with_handler([&]() -> kstd::Result<Port> {
        pv_evtchn_bind_interdomain b{remote_dom, remote_port, 0, 0};
        TRY(check(pv_event_channel_op(PV_EVTCHNOP_bind_interdomain, reinterpret_cast<uint64_t>(&b))));
        return b.local_port;
    }, h, arg);
}

kstd::Result<Port> bind_virq(uint32_t virq, Handler h, void* arg) {
    return bind_with_handler([&]() -> kstd::Result<Port> {
        pv_evtchn_bind_virq b{virq, 0, 0, 0};
        TRY(check(pv_event_channel_op(PV_EVTCHNOP_bind_virq, reinterpret_cast<uint64_t>(&b))));
        return b.port;
    }, h, arg);
}

kstd::Result<Port> bind_ipi(Handler h, void* arg) {
    return bind_with_handler([&]() -> kstd::Result<Port> {
        pv_evtchn_bind_ipi b{0, 0};
        TRY(check(pv_event_channel_op(PV_EVTCHNOP_bind_ipi, reinterpret_cast<uint64_t>(&b))));
        return b.port;
    }, h, arg);
}

kstd::Result<void> set_handler(Port p, Handler h, void* arg) {
    if (p == 0 || p >= max_ports) return kstd::Error::range;
    IrqGuard g;
    pv::set_port_handler(p, h, arg);
    return kstd::ok();
}

kstd::Result<void> close(Port p) {
    IrqGuard g;
    TRY(check(pv_event_channel_op(PV_EVTCHNOP_close, p)));
    if (p < max_ports) pv::set_port_handler(p, nullptr, nullptr);
    if (p == g_timer_port) g_timer_port = 0;
    return kstd::ok();
}

kstd::Result<Status> status(uint32_t dom, Port p) {
    pv_evtchn_status s{};
    s.dom = dom;
    s.port = p;
    TRY(check(pv_event_channel_op(PV_EVTCHNOP_status, reinterpret_cast<uint64_t>(&s))));
    Status out{};
    switch (s.status) {
    case PV_EVTCHNSTAT_unbound: out.state = PortState::unbound; break;
    case PV_EVTCHNSTAT_interdomain: out.state = PortState::interdomain; break;
    case PV_EVTCHNSTAT_virq: out.state = PortState::virq; break;
    case PV_EVTCHNSTAT_ipi: out.state = PortState::ipi; break;
    default: out.state = PortState::closed; break;
    }
    out.remote_dom = s.remote_dom;
    out.remote_port = s.remote_port;
    out.virq = s.virq;
    out.vcpu = s.vcpu;
    return out;
}

kstd::Result<void> poll(const Port* ports, uint32_t n, uint64_t timeout_ns) {
    pv_sched_poll req{reinterpret_cast<uint64_t>(ports), n, 0, timeout_ns};
    return check(pv_sched_op(PV_SCHEDOP_poll, reinterpret_cast<uint64_t>(&req)));
}

kstd::Result<Port> timer_init(Handler h, void* arg) {
    // A timer with no handler of its own is still expected, not stray.
    if (h == nullptr) h = [](Port, void*) {};
    if (g_timer_port != 0) {
        TRY(set_handler(g_timer_port, h, arg));
        return g_timer_port;
    }
    g_timer_port = TRY(bind_virq(PV_VIRQ_TIMER, h, arg));
    return g_timer_port;
}

kstd::Result<void> timer_arm(uint64_t deadline_ns) {
    if (g_timer_port == 0) TRY(timer_init(nullptr, nullptr));
    return check(pv_set_timer_op(deadline_ns));
}

kstd::Result<void> sleep_until(uint64_t deadline_ns) {
    IrqGuard g;
    while (platform::uptime_ns() < deadline_ns) {
        // Re-armed each time round: a wake-up for another port, or a timer
        // that fired a hair early by our clock, must not leave us asleep
        // with nothing armed.
        TRY(timer_arm(deadline_ns));
        wait();
    }
    return kstd::ok();
}

}  // namespace pvk::events
