// A few domains with shared pages, vCPUs and port tables, for the
// event-channel tests and the fuzz target. The sink records kicks and
// wakes blocked vCPUs the way the hypervisor's glue does.
#pragma once

#include <stdint.h>
#include <stdlib.h>

#include <memory>
#include <vector>

#include "core/domain.h"
#include "core/evtchn.h"
#include "core/evtchn_pending.h"
#include "core/vcpu.h"

namespace evtest {

struct TestDomain {
    core::Domain domain;
    std::unique_ptr<pv_shared_info> shared = std::make_unique<pv_shared_info>();
    core::Vcpu vcpus[core::Domain::max_vcpus];
    std::vector<core::Port> ports;
    core::EvtchnTable table;

    TestDomain(pv_domid_t id, uint32_t nvcpus, uint32_t nports, bool privileged) : ports(nports) {
        *shared = pv_shared_info{};
        domain.id = id;
        domain.privileged = privileged;
        domain.shared = shared.get();
        domain.vcpu_count = nvcpus;
        for (uint32_t i = 0; i < nvcpus; ++i) {
            vcpus[i].domain = &domain;
            vcpus[i].id = i;
            vcpus[i].state = core::VcpuState::runnable;
            vcpus[i].info = &shared->vcpu[i];
            domain.vcpus[i] = &vcpus[i];
        }
        if (table.init(domain, kstd::span<core::Port>(ports.data(), ports.size())).is_error()) abort();
    }
    pv_vcpu_info& info(uint32_t v) { return shared->vcpu[v]; }
};

class World final : public core::DomainLookup, public core::EventSink {
public:
    std::vector<std::unique_ptr<TestDomain>> doms;
    std::vector<core::Vcpu*> kicks;

    TestDomain& add(uint32_t nvcpus = 2, uint32_t nports = 64, bool privileged = false) {
        doms.push_back(std::make_unique<TestDomain>(static_cast<pv_domid_t>(doms.size()), nvcpus, nports, privileged));
        return *doms.back();
    }

    core::EvtchnTable* evtchn_table(pv_domid_t id) override {
        if (id >= doms.size() || doms[id] == nullptr || doms[id]->domain.dead()) return nullptr;
        return &doms[id]->table;
    }

    void kick(core::Vcpu& v) override {
        kicks.push_back(&v);
        if (v.state == core::VcpuState::blocked) v.state = core::VcpuState::runnable;
    }

    core::EvtchnCaller caller(uint32_t dom) { return core::EvtchnCaller{doms[dom]->table, *this, *this}; }
};

}  // namespace evtest
