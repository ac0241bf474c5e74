// What the hypervisor keeps per domain and per vCPU beyond the portable
// core objects: scheduler, timer and event-channel state. Every Domain and
// Vcpu the hypervisor creates is the first member of one of these
// (domains.cpp), which is what makes hv_domain()/hv_vcpu() valid.
#pragma once

#include "core/credit_sched.h"
#include "core/domain.h"
#include "core/evtchn.h"
#include "core/vcpu.h"
#include "core/vcpu_timers.h"
#include "core/hypercall.h"
#include "kstd/lazy.h"

namespace arch {

struct HvVcpu {
    core::Vcpu vcpu;
    core::SchedVcpu sched;
    core::VcpuTimers timers;
    uint32_t index = 0;  // in the global vCPU registry (timer owners)
    // Its hypercalls' context, made once with its stack (vcpu_stack_init):
    // a hypercall's registers are always the GuestRegs at the top of the
    // vCPU's own stack, so only the per-call state changes between calls.
    kstd::Lazy<core::HypercallContext> hypercall;
};

struct HvDomain {
    core::Domain dom;
    core::SchedDomain sched;
    core::EvtchnTable evtchn;
    core::Port* ports = nullptr;
};

inline HvVcpu& hv_vcpu(core::Vcpu& v) {
    // SAFETY: every Vcpu is the first member of an HvVcpu (standard layout,
    // so the two addresses are the same).
    return *reinterpret_cast<HvVcpu*>(&v);
}
inline HvDomain& hv_domain(core::Domain& d) {
    // SAFETY: as hv_vcpu, for HvDomain.
    return *reinterpret_cast<HvDomain*>(&d);
}

}  // namespace arch
