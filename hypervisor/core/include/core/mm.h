// The services the memory-management core needs from the hypervisor, and
// the context every memory operation runs in. The hypervisor implements
// them on the real machine (the direct map, INVLPG and CR3 reloads, IPIs);
// unit tests and the fuzz target with host memory and counters.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <pvisor/abi.h>

#include "core/addr.h"
#include "core/frame_table.h"
#include "core/mm_domain.h"
#include "kstd/result.h"

namespace core {

// Hypervisor-side access to a machine frame as 512 entries, like
// BuildMemory::map. The frame is one of the frame table's.
//
// The core reaches frames through table(), which every memory operation
// calls several times: an implementation whose frames all sit in one
// linear window (the hypervisor's direct map) names the window's base and
// table() is an addition; others (test fakes) leave it null and table()
// calls map_table.
class FrameAccess {
public:
    virtual uint64_t* map_table(Mfn f) = 0;

    // The window's base, or null if there is none.
    uint64_t* linear() const { return linear_; }

    uint64_t* table(Mfn f) {
        if (linear_ != nullptr) [[likely]]
            return linear_ + f.raw * (page_size / sizeof(uint64_t));
        return map_table(f);
    }

protected:
    FrameAccess() = default;
    // Frame f's entries are at linear + f * 512 (map_table must agree).
    explicit FrameAccess(uint64_t* linear) : linear_(linear) {}
    ~FrameAccess() = default;

private:
    uint64_t* linear_ = nullptr;
};

// TLB flushes the core needs done before it can go on (not the ones a
// guest asks for, which are collected in a FlushRequest).
class TlbHooks {
public:
    // Flushes every TLB that may hold a translation of domain `owner`: on
    // each CPU that runs or last ran one of its vCPUs, a CR3 reload (guest
    // entries are never global, pte.h). Called before a frame changes type
    // and before frames leave a domain, so that no stale translation
    // outlives the reference it came from.
    virtual void flush_domain(pv_domid_t owner) = 0;

protected:
    ~TlbHooks() = default;
};

// Mappings of frames another domain owns: the hook for grant tables. With
// no hook installed, every such mapping is refused.
class ForeignMappings {
public:
    // Domain `mapper` wants an L1 entry to frame f (writable or not), which
    // `mapper` does not own. Take whatever the grant needs; Error::perm if
    // nothing grants it.
    [[nodiscard]] virtual kstd::Result<void> get(Mfn f, pv_domid_t mapper, bool writable) = 0;
    virtual void put(Mfn f, pv_domid_t mapper, bool writable) = 0;

protected:
    ~ForeignMappings() = default;
};

struct MmContext {
    FrameTable& frames;
    FrameAccess& access;
    TlbHooks& tlb;
    // PML4 entries 256-271 that every guest L4 must carry, unchanged.
    const uint64_t* hypervisor_slots;
    ForeignMappings* foreign = nullptr;
};

// Flushes a guest asked for (mmuext ops, update_va_mapping flags),
// collected while a hypercall runs and carried out by the glue before it
// returns to the guest.
struct FlushRequest {
    static constexpr uint8_t local_all = 1;   // reload CR3 on this CPU
    static constexpr uint8_t domain_all = 2;  // on every CPU running the domain
    static constexpr uint8_t local_page = 4;  // INVLPG `va` on this CPU
    static constexpr uint8_t domain_page = 8; // INVLPG `va` on every CPU running the domain

    uint8_t what = 0;
    uint64_t va = 0;

    // Adds a page flush; a second, different page turns every page flush
    // asked for into a full flush of its scope.
    void add_page(uint64_t page_va, bool all_cpus) {
        if ((what & (local_page | domain_page)) != 0 && va != page_va) {
            if ((what & local_page) != 0) what = static_cast<uint8_t>(what | local_all);
            if ((what & domain_page) != 0) what = static_cast<uint8_t>(what | domain_all);
            what = static_cast<uint8_t>(what & ~(local_page | domain_page));
            add_all(all_cpus);
            return;
        }
        what = static_cast<uint8_t>(what | (all_cpus ? domain_page : local_page));
        va = page_va;
    }
    void add_all(bool all_cpus) { what = static_cast<uint8_t>(what | (all_cpus ? domain_all : local_all)); }
    bool empty() const { return what == 0; }
};

}  // namespace core
