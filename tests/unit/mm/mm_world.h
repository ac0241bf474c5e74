// A small machine for the memory-management tests and the fuzz target:
// host memory for the frames, a frame table over it, a frame pool, TLB
// hooks that count flushes, the hypervisor's L4 slots, and two domains.
// Frames [0, hv_frames) belong to the hypervisor; the slots point at them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/frame_table.h"
#include "core/memory_op.h"
#include "core/mm.h"
#include "core/mm_check.h"
#include "core/pte.h"

namespace mmtest {

class World {
public:
    // With `linear`, the frames are one window (FrameAccess::linear), as
    // in the hypervisor, which the fast paths need; without, every access
    // goes through map_table.
    explicit World(size_t frames = 256, size_t hv_frames = 8, uint64_t max_pages = 96, bool linear = true);
    World(const World&) = delete;
    World& operator=(const World&) = delete;

    struct Access final : core::FrameAccess {
        Access(World* world, uint64_t* linear) : FrameAccess(linear), w(world) {}
        World* w;
        uint64_t* map_table(core::Mfn f) override;
    };
    struct Tlb final : core::TlbHooks {
        std::vector<pv_domid_t> flushes;
        void flush_domain(pv_domid_t owner) override { flushes.push_back(owner); }
    };
    struct Pool final : core::FramePool {
        std::vector<core::Mfn> free_frames;  // handed out from the back
        size_t fail_after = SIZE_MAX;        // allocations that succeed before running out
        kstd::Result<core::Mfn> alloc() override;
        void free(core::Mfn f) override { free_frames.push_back(f); }
    };

    size_t frames;
    size_t hv_frames;
    std::vector<core::FrameInfo> infos;
    std::vector<uint64_t> memory;
    core::FrameTable ft;
    Access access;
    Tlb tlb;
    Pool pool;
    uint64_t hv_slots[core::pte::hv_slot_count];
    core::MmContext ctx;
    core::MmDomain a, b;
    // Roots the vCPUs of a and b hold (kernel, user), for mm_check.
    core::Mfn roots_a[2] = {}, roots_b[2] = {};

    uint64_t* table(core::Mfn f) { return access.map_table(f); }
    // A new zeroed frame for d (increase_reservation); fails the test if none.
    core::Mfn frame(core::MmDomain& d);
    // A fresh L4 of d's with the hypervisor's slots, not yet validated.
    core::Mfn fresh_l4(core::MmDomain& d);

    // An address space of d mapping `va` to `data` (writable if rw), built
    // by writing the tables directly as a guest does before pinning them.
    struct Space {
        core::Mfn l4, l3, l2, l1, data;
    };
    Space space(core::MmDomain& d, uint64_t va, bool rw = true);

    // The invariant checker over both domains; empty if it holds.
    std::string check();

    // Everything an operation could change, for "a refusal leaves no trace".
    struct Snapshot {
        std::vector<core::FrameInfo> infos;
        std::vector<uint64_t> memory;
        uint64_t a_tot, b_tot;
        std::vector<core::Mfn> pool;
        bool operator==(const Snapshot& o) const;
    };
    Snapshot snapshot() const;
    // The same into existing storage (no allocation once it has grown).
    void snapshot(Snapshot* out) const;
};

// Entries: a table link and leaf mappings.
inline uint64_t link(core::Mfn f) { return core::pte::make(f, core::pte::present | core::pte::rw | core::pte::user); }
inline uint64_t map_rw(core::Mfn f) { return core::pte::make(f, core::pte::present | core::pte::rw | core::pte::user); }
inline uint64_t map_ro(core::Mfn f) { return core::pte::make(f, core::pte::present | core::pte::user); }
// The machine address of entry i of table f, as mmu_update takes it.
inline uint64_t entry_ptr(core::Mfn f, uint32_t i) { return core::to_maddr(f).raw + i * 8ull; }

}  // namespace mmtest
