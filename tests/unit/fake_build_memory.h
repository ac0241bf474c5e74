// Machine memory for the domain builder tests and the ELF fuzz target: a
// pool of 4 KiB frames backed by host memory (mfn = index + 1, so that 0 is
// never a frame), handed out in a scrambled order so that a mix-up of
// pseudo-physical and machine frame numbers shows, and filled with garbage
// on allocation so that a frame the builder forgets to clear shows too.
// Also a walker for the page tables the builder writes into it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/builder.h"

namespace fake {

class FakeBuildMemory final : public core::BuildMemory {
public:
    static constexpr uint8_t fresh_byte = 0xa5;  // a newly allocated frame's contents
    static constexpr uint8_t freed_byte = 0x5a;

    explicit FakeBuildMemory(size_t frames);

    kstd::Result<core::Mfn> alloc_frame() override;
    void free_frame(core::Mfn f) override;
    void* map(core::Mfn f) override;

    // Allocations from this (0-based) successful one on fail, as if the
    // machine ran out of memory.
    size_t fail_from = SIZE_MAX;

    size_t allocs = 0;  // successful
    size_t frees = 0;
    size_t live() const { return allocs - frees; }
    bool allocated(core::Mfn f) const;
    const uint8_t* frame(core::Mfn f) const;
    // Misuse seen: double or foreign frees, maps of frames not allocated.
    std::vector<std::string> errors;

private:
    bool valid(core::Mfn f) const { return f.raw >= 1 && f.raw <= used_.size(); }

    std::vector<uint8_t> bytes_;
    std::vector<bool> used_;
    size_t cursor_ = 0;
    std::vector<uint8_t> scratch_ = std::vector<uint8_t>(core::page_size);
};

// Page-table entry bits (Intel SDM Vol. 3A, 4.5).
namespace pte {
inline constexpr uint64_t p = 1, rw = 2, us = 4, ps = 1u << 7, nx = 1ull << 63;
inline constexpr uint64_t addr = 0x000ffffffffff000ull;
}  // namespace pte

struct Walk {
    std::map<uint64_t, uint64_t> leaves;  // va -> 4 KiB leaf entry
    std::set<uint64_t> tables;            // mfns of the L3/L2/L1 tables reached (not the root)
    std::vector<uint64_t> links;          // the non-leaf entries that led to them
    std::vector<std::string> errors;      // superpages, tables in frames not allocated, odd table flags
};

// Walks the 4-level tables at root, skipping the hypervisor's PML4 slots
// (256-271), whose contents are not the domain's.
Walk walk_tables(FakeBuildMemory& mem, core::Mfn root);

}  // namespace fake
