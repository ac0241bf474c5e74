// Event channels: a domain's port table and the operations on it
// (pvisor/event_channel.h is the guest's side). Ports are the only
// interrupts a PV guest sees: a send sets the port's pending bit in the
// shared page of the domain at the other end and, following the protocol
// in core/evtchn_pending.h, raises an upcall on the port's vCPU.
//
// Each operation decodes and validates everything first (port numbers,
// states, vCPUs, the caller's rights) and only then changes state, so an
// error leaves every table as it was. Errors, by refusal:
//
//   ERANGE  a port number at or beyond the table's capacity
//   ENOENT  a port that is closed (free)
//   EACCES  binding an unbound port that was offered to another domain
//   EINVAL  a port in the wrong state for the operation; an unknown VIRQ
//   EEXIST  a VIRQ already bound on that vCPU
//   ESRCH   no such (live) domain or vCPU
//   EPERM   naming another domain without privilege; a dom0-only VIRQ
//   ENOSPC  the table is full
//
// Locking: today every operation runs on the one physical CPU with
// interrupts off, so no lock is taken. With more CPUs each table gets a
// lock, and an operation on two tables (bind_interdomain, close, send)
// takes both in ascending domain-ID order.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <pvisor/abi.h>
#include <pvisor/event_channel.h>
#include <pvisor/shared_info.h>

#include "core/domain.h"
#include "core/vcpu.h"
#include "kstd/result.h"
#include "kstd/span.h"

namespace core {

enum class PortState : uint8_t { free, unbound, interdomain, virq, ipi };

class EvtchnTable;
class EventSink;

struct Port {
    PortState state = PortState::free;
    uint8_t virq = 0;           // virq: the PV_VIRQ_* it carries
    uint16_t notify_vcpu = 0;   // the vCPU whose selector and upcall it raises
    pv_domid_t remote_dom = 0;  // unbound: who may bind it; interdomain: the peer
    uint32_t remote_port = 0;   // interdomain: the peer's port
    // interdomain: the peer's table, so that a send needs no lookup. Valid
    // exactly while the port is interdomain: closing either end (which a
    // domain's end does for all its ports) makes the other unbound.
    EvtchnTable* peer = nullptr;
};

// Per-vCPU event state that is not in the shared page.
struct VcpuEvents {
    uint16_t virq_port[PV_NR_VIRQS] = {};  // 0: not bound (global VIRQs live in vCPU 0's row)
    uint32_t poll_port = 0;                 // while polling: the one port polled, 0 for "any"
};

class EvtchnTable {
public:
    // The capacity is fixed at creation: the caller provides the storage
    // (2 to PV_EVTCHN_MAX_PORTS ports; port 0 is never allocated). The
    // domain's shared page must already exist. The table becomes d.evtchn;
    // sink, if given, is where the domain's own sends deliver (sink()).
    [[nodiscard]] kstd::Result<void> init(Domain& d, kstd::span<Port> storage, EventSink* sink = nullptr);

    Domain& domain() const { return *domain_; }
    pv_shared_info& shared() const { return *domain_->shared; }
    uint32_t capacity() const { return capacity_; }
    bool in_range(uint64_t port) const { return port < capacity_; }
    Port& port(uint32_t p) { return ports_[p]; }
    const Port& port(uint32_t p) const { return ports_[p]; }
    // The lowest free port, or 0 if the table is full.
    uint32_t find_free() const;
    Vcpu* vcpu(uint64_t id) const { return id < domain_->vcpu_count ? domain_->vcpus[id] : nullptr; }
    VcpuEvents& events(uint32_t vcpu) { return vcpu_events_[vcpu]; }
    // The sink given to init (null if none): a send hypercall reaches it
    // from the sender's Domain::evtchn with no virtual call.
    EventSink* sink() const { return sink_; }

    // Polling vCPUs (bit i: vCPU i sleeps in poll), see core/evtchn_wait.h.
    uint32_t poll_mask = 0;

private:
    Domain* domain_ = nullptr;
    EventSink* sink_ = nullptr;
    Port* ports_ = nullptr;
    uint32_t capacity_ = 0;
    VcpuEvents vcpu_events_[Domain::max_vcpus];
};

// How event-channel code finds the other end of a channel.
class DomainLookup {
public:
    // The table of the live domain with this ID, or nullptr.
    virtual EvtchnTable* evtchn_table(pv_domid_t id) = 0;

protected:
    ~DomainLookup() = default;
};

// What event delivery asks of the rest of the hypervisor.
class EventSink {
public:
    // v has something new to look at: its upcall_pending went 0 -> 1, or a
    // port it polls became pending. Wake v if it sleeps in block or poll
    // (its state is blocked); if it runs on another CPU, interrupt it so
    // its return to the guest delivers the upcall. Never fails, never
    // sleeps.
    virtual void kick(Vcpu& v) = 0;
    // A VIRQ of table t was bound or unbound (bind_virq, or the close of
    // its port, which includes evtchn_close_all): told through the table's
    // own sink (EvtchnTable::init), if it has one, after the change. The
    // hypervisor keeps what it derives from the bindings here (whether
    // dom0 listens to the console) instead of looking on every switch.
    virtual void virq_binding_changed(EvtchnTable& t, uint32_t virq) {
        (void)t;
        (void)virq;
    }

protected:
    ~EventSink() = default;
};

#if PVISOR_HYPERVISOR
// The hypervisor's kick of a blocked vCPU (arch/x86_64/sched.cpp): what its
// one EventSink's kick does for a blocked vCPU (for any other, nothing).
// Event delivery calls it directly (evtchn_detail::kick).
void hv_wake_blocked(Vcpu& v);
#endif

// The calling domain and the world around it, for the guest's operations.
struct EvtchnCaller {
    EvtchnTable& self;
    DomainLookup& domains;
    EventSink& sink;
};

// The guest's operations (event_channel_op). Ports and vCPU numbers are
// taken as 64-bit so that the range check sees the whole register.
[[nodiscard]] kstd::Result<uint32_t> evtchn_alloc_unbound(EvtchnCaller& c, pv_domid_t dom, pv_domid_t remote_dom);
[[nodiscard]] kstd::Result<uint32_t> evtchn_bind_interdomain(EvtchnCaller& c, pv_domid_t remote_dom,
                                                             uint64_t remote_port);
[[nodiscard]] kstd::Result<uint32_t> evtchn_bind_virq(EvtchnCaller& c, uint64_t virq, uint64_t vcpu);
[[nodiscard]] kstd::Result<uint32_t> evtchn_bind_ipi(EvtchnCaller& c, uint64_t vcpu);
[[nodiscard]] kstd::Result<void> evtchn_send(EvtchnCaller& c, uint64_t port);
// The same, for the hypercall's fast path: a send needs no lookup. Inline
// (core/evtchn_pending.h) for the interdomain case; the others are in
// evtchn_send_other.
[[nodiscard, gnu::always_inline]] inline kstd::Result<void> evtchn_send(EvtchnTable& self, EventSink& sink, uint64_t port);
[[nodiscard]] kstd::Result<void> evtchn_send_other(EvtchnTable& self, EventSink& sink, uint32_t port);
[[nodiscard]] kstd::Result<void> evtchn_close(EvtchnCaller& c, uint64_t port);
[[nodiscard]] kstd::Result<pv_evtchn_status> evtchn_status(EvtchnCaller& c, pv_domid_t dom, uint64_t port);
[[nodiscard]] kstd::Result<void> evtchn_unmask(EvtchnCaller& c, uint64_t port);
[[nodiscard]] kstd::Result<void> evtchn_bind_vcpu(EvtchnCaller& c, uint64_t port, uint64_t vcpu);

// The hypervisor's side. Raises a per-vCPU VIRQ on one vCPU, or a global
// VIRQ wherever it is bound; returns false if the domain has not bound it
// (the event is then dropped, as on real hardware with no handler).
bool evtchn_raise_virq(EvtchnTable& t, EventSink& sink, uint32_t vcpu, uint32_t virq);
bool evtchn_raise_global_virq(EvtchnTable& t, EventSink& sink, uint32_t virq);

// Closes every port of a domain that is going away, so that the peers of
// its interdomain channels return to unbound.
void evtchn_close_all(EvtchnTable& t);

// Which VIRQs are per-vCPU, and which only dom0 may bind.
constexpr bool virq_is_per_vcpu(uint32_t virq) { return virq == PV_VIRQ_TIMER; }
constexpr bool virq_is_defined(uint64_t virq) { return virq <= PV_VIRQ_DOM_EXC; }
constexpr bool virq_needs_privilege(uint32_t virq) { return virq == PV_VIRQ_CONSOLE || virq == PV_VIRQ_DOM_EXC; }

}  // namespace core
