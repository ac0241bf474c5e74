// The port table of a domain, and the hypervisor's own uses of it: raising
// VIRQs and tearing the table down when the domain goes away.
#include "core/evtchn.h"
#include "core/evtchn_pending.h"

namespace core {

kstd::Result<void> EvtchnTable::init(Domain& d, kstd::span<Port> storage, EventSink* sink) {
    if (storage.size() < 2 || storage.size() > PV_EVTCHN_MAX_PORTS) return kstd::Error::inval;
    if (d.shared == nullptr || d.vcpu_count > Domain::max_vcpus) return kstd::Error::inval;
    domain_ = &d;
    sink_ = sink;
    d.evtchn = this;
    ports_ = storage.data();
    capacity_ = static_cast<uint32_t>(storage.size());
    for (uint32_t p = 0; p < capacity_; ++p) ports_[p] = Port{};
    for (VcpuEvents& ev : vcpu_events_) ev = VcpuEvents{};
    poll_mask = 0;
    return kstd::ok();
}

uint32_t EvtchnTable::find_free() const {
    // A linear scan: tables are small and allocation is rare (a bitmap of
    // free ports would replace it if binding ever shows up in profiles).
    for (uint32_t p = 1; p < capacity_; ++p)
        if (ports_[p].state == PortState::free) return p;
    return 0;
}

bool evtchn_raise_virq(EvtchnTable& t, EventSink& sink, uint32_t vcpu, uint32_t virq) {
    if (!virq_is_defined(virq) || !virq_is_per_vcpu(virq) || t.vcpu(vcpu) == nullptr) return false;
    uint16_t p = t.events(vcpu).virq_port[virq];
    if (p == 0) return false;
    evtchn_set_pending(t, sink, p);
    return true;
}

bool evtchn_raise_global_virq(EvtchnTable& t, EventSink& sink, uint32_t virq) {
    if (!virq_is_defined(virq) || virq_is_per_vcpu(virq)) return false;
    uint16_t p = t.events(0).virq_port[virq];
    if (p == 0) return false;
    evtchn_set_pending(t, sink, p);
    return true;
}

}  // namespace core
