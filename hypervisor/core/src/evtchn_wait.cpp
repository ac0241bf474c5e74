// block and poll: decide to sleep only after announcing it, so that an
// event raised concurrently either sees the announcement or is seen by it.
#include "core/evtchn_wait.h"

#include "core/evtchn_pending.h"

namespace core {

bool block_prepare(Vcpu& v) {
    if (v.info == nullptr) {
        v.state = VcpuState::blocked;
        return true;
    }
    // SAFETY: info is this vCPU's slot in its domain's shared page, mapped
    // for the domain's life; the guest may write it concurrently.
    __atomic_store_n(&v.info->upcall_mask, uint8_t{0}, __ATOMIC_RELAXED);
    v.state = VcpuState::blocked;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&v.info->upcall_pending, __ATOMIC_SEQ_CST) == 0) return true;
    v.state = VcpuState::runnable;
    return false;
}

kstd::Result<PollOutcome> poll_prepare(EvtchnTable& t, Vcpu& v, kstd::span<const uint32_t> ports, uint64_t timeout,
                                       uint64_t now) {
    if (ports.size() > poll_max_ports) return kstd::Error::too_big;
    for (uint32_t p : ports)
        if (!t.in_range(p)) return kstd::Error::range;
    if (v.domain != &t.domain() || v.id >= Domain::max_vcpus) return kstd::Error::inval;

    // Announce first (poll_mask, blocked), then look.
    t.events(v.id).poll_port = ports.size() == 1 ? ports[0] : 0;
    __atomic_fetch_or(&t.poll_mask, uint32_t{1} << v.id, __ATOMIC_SEQ_CST);
    v.state = VcpuState::blocked;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    bool ready = timeout != 0 && timeout <= now;
    for (uint32_t p : ports)
        if (p != 0 && t.port(p).state != PortState::free && evtchn_is_pending(t, p)) ready = true;
    if (!ready) return PollOutcome::sleep;
    poll_finish(t, v);
    v.state = VcpuState::runnable;
    return PollOutcome::ready;
}

void poll_finish(EvtchnTable& t, Vcpu& v) {
    if (v.id >= Domain::max_vcpus) return;
    __atomic_fetch_and(&t.poll_mask, ~(uint32_t{1} << v.id), __ATOMIC_SEQ_CST);
    t.events(v.id).poll_port = 0;
}

}  // namespace core
