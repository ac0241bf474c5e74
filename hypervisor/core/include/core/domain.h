// A domain: a guest with its memory, vCPUs and lifecycle.
//
//   created --unpause--> running --shutdown(reason)--> shut down --destroy--> (gone)
//                           |  ^                            ^
//                      pause|  |unpause                     |
//                           v  |                       crash(why)
//                          paused ----------------------> crashed --destroy--> (gone)
//
// A domain starts paused (pause_count 1, held by its builder). It runs
// while it is alive and its pause count is zero.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <pvisor/abi.h>
#include <pvisor/shared_info.h>

#include "core/addr.h"
#include "core/mm_domain.h"
#include "core/vcpu.h"
#include "kstd/result.h"

namespace core {

enum class DomainState : uint8_t { alive, shut_down, crashed };

class EvtchnTable;

const char* domain_state_name(DomainState s);

class Domain {
public:
    static constexpr uint32_t max_vcpus = 8;
    static constexpr size_t name_size = 32;
    static constexpr size_t console_line_size = 160;

    pv_domid_t id = 0;
    char name[name_size] = {};
    bool privileged = false;
    DomainState state = DomainState::alive;
    uint32_t pause_count = 1;
    uint32_t shutdown_reason = 0;  // PV_SHUTDOWN_*, valid once shut down
    char crash_reason[96] = {};

    Vcpu* vcpus[max_vcpus] = {};
    uint32_t vcpu_count = 0;

    // Memory: frame_list[pfn] is the machine frame of pseudo-physical pfn.
    Mfn* frame_list = nullptr;
    uint64_t nr_pages = 0;
    Mfn shared_info_mfn;
    pv_shared_info* shared = nullptr;
    // The frame-table view of the domain: its ID, pages owned and limit
    // (core/mm_domain.h). Guarded by the memory-management lock.
    MmDomain mm;

    // Console output is gathered into lines so that domains' output does
    // not interleave mid-line.
    char console_line[console_line_size] = {};
    size_t console_len = 0;

    // Its event-channel table, set by EvtchnTable::init (core/evtchn.h):
    // what a send starts from, without asking the hypervisor's hooks.
    EvtchnTable* evtchn = nullptr;

    bool runnable() const { return state == DomainState::alive && pause_count == 0; }
    bool dead() const { return state != DomainState::alive; }

    // Lifecycle transitions. Each is idempotent where that is safe and
    // returns an error where the request makes no sense in this state.
    [[nodiscard]] kstd::Result<void> pause();
    [[nodiscard]] kstd::Result<void> unpause();
    [[nodiscard]] kstd::Result<void> shutdown(uint32_t reason);
    // Marks the domain crashed and records why (for the log and dom0).
    void crash(const char* why);
};

const char* shutdown_reason_name(uint32_t reason);

}  // namespace core
