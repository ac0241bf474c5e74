// Sleeping for events: sched_op block and poll. Both are split in two so
// that the hypervisor's scheduler stays out of the core: *_prepare decides,
// atomically with respect to event delivery, whether the vCPU must sleep
// and marks it blocked; the glue then takes it off the CPU; the EventSink's
// kick (or the poll timeout) makes it runnable again.
//
// No wakeup is lost: prepare stores "blocked" (and for poll its poll_mask
// bit) and only then, after a full barrier, reads upcall_pending or the
// polled ports' pending bits; delivery stores those bits and only then,
// after a full barrier, reads the vCPU's state (core/evtchn_pending.h). On
// one CPU, with interrupts off in the hypervisor, nothing can come in
// between anyway.
#pragma once

#include <stdint.h>

#include "core/evtchn.h"
#include "core/vcpu.h"
#include "kstd/result.h"
#include "kstd/span.h"

namespace core {

// The most ports one poll may name (a guest-visible limit).
constexpr uint32_t poll_max_ports = 128;

// sched_op block: sets upcall_mask to 0 (for good), marks v blocked and
// returns true if it must sleep; returns false, with v runnable, if an
// upcall is already pending. A kick wakes it.
bool block_prepare(Vcpu& v);

enum class PollOutcome : uint8_t {
    ready,  // a polled port is pending or the timeout has passed: return at once
    sleep,  // v is blocked; sleep until a kick or the timeout
};

// sched_op poll, with the guest's port list already copied in. timeout is
// an absolute system time in ns, 0 for none; the glue arms the vCPU's poll
// timer for it when the outcome is sleep. The mask bits are ignored: a
// port becoming pending wakes its pollers whether or not it is masked.
// Errors (nothing changed): E2BIG (more than poll_max_ports), ERANGE (a
// port beyond the table). Closed ports may be polled; they never fire.
// With exactly one port only that port wakes v; with several, any port of
// the domain that becomes pending does, so poll may return before one of
// the named ports is pending (the guest re-checks, as it must anyway).
// v also wakes when an upcall becomes pending for it.
[[nodiscard]] kstd::Result<PollOutcome> poll_prepare(EvtchnTable& t, Vcpu& v, kstd::span<const uint32_t> ports,
                                                     uint64_t timeout, uint64_t now);

// When v runs again after poll, whatever woke it (a port, a kick, the
// timeout): clears its poll state. Safe to call when it is not polling.
void poll_finish(EvtchnTable& t, Vcpu& v);

}  // namespace core
