// Checked updates of page-table entries: the core of the mmu_update and
// update_va_mapping hypercalls and of the emulation of a trapped write to
// a read-only L1 page. Each update is all or nothing: the new entry's
// references are taken (validating what it points to) before the entry is
// written, the old entry's are dropped after, and a refused update leaves
// the tables and the frame table as they were.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/mm.h"
#include "kstd/result.h"
#include "kstd/span.h"

namespace core {

// One element of an mmu_update array: `ptr` is the machine address of the
// entry, its low three bits the kind of update (Xen's layout); `val` the
// new entry.
struct MmuUpdate {
    uint64_t ptr;
    uint64_t val;
};
inline constexpr uint64_t mmu_normal_pt_update = 0;  // the only kind so far
// Longest array one call takes; a guest with more makes more calls.
inline constexpr uint64_t mmu_update_max = 1024;

// Decode of an array argument: Error::too_big for a count over
// mmu_update_max, Error::fault if the array is not a plausible guest range
// (wraps, non-canonical, or reaches the hypervisor's slots).
[[nodiscard]] kstd::Result<void> check_mmu_update_array(uint64_t va, uint64_t count);

// Sets the entry at `ptr` in one of d's validated tables to `val`.
//   Error::inval: unknown kind in ptr's low bits (a misaligned entry
//     address shows up as one), or the frame is not a validated table.
//   Error::perm: the frame is not d's (another domain's, the hypervisor's,
//     beyond memory), or the entry is one of an L4's hypervisor slots.
//   Otherwise what the new entry's check gives (page_table.h).
[[nodiscard]] kstd::Result<void> mmu_update_one(MmContext& ctx, MmDomain& d, uint64_t ptr, uint64_t val);
// In order, stopping at the first refusal; *done counts those made.
[[nodiscard]] kstd::Result<void> mmu_update_batch(MmContext& ctx, MmDomain& d, kstd::span<const MmuUpdate> reqs,
                                                  size_t* done);

// A trapped write to a read-only mapping of one of d's validated L1
// tables: the index of the entry from the faulting store's page offset.
// Error::inval unless the store is 8 bytes wide and 8-byte aligned.
[[nodiscard]] kstd::Result<uint32_t> pte_index_of_store(uint64_t page_offset, uint64_t width);
// Error::inval if l1 is not a validated L1 table; otherwise as
// mmu_update_one.
[[nodiscard]] kstd::Result<void> emulate_pte_write(MmContext& ctx, MmDomain& d, Mfn l1, uint32_t index, uint64_t val);
// A trapped lock cmpxchg: writes val only if the entry equals expected
// and returns true; otherwise false, with nothing changed. *seen is the
// entry's value before the operation either way.
[[nodiscard]] kstd::Result<bool> emulate_pte_cmpxchg(MmContext& ctx, MmDomain& d, Mfn l1, uint32_t index,
                                                     uint64_t expected, uint64_t val, uint64_t* seen);

// The L1 entry that maps va under the L4 `root`: Error::inval for a va
// that is not canonical or not page-aligned, or has no L1 table, Error::perm
// for a va in the hypervisor's slots or a root that is not d's validated L4.
struct L1Slot {
    Mfn table;
    uint32_t index;
};
[[nodiscard]] kstd::Result<L1Slot> find_l1_slot(MmContext& ctx, const MmDomain& d, Mfn root, uint64_t va);

// update_va_mapping's flags (Xen's UVMF_*): bits 0-1 the flush (0 none,
// 1 whole TLB, 2 just va), bit 2 on every CPU of the domain rather than
// this one. Error::inval for anything else.
[[nodiscard]] kstd::Result<void> decode_uvm_flags(uint64_t raw, uint64_t va, FlushRequest* out);
inline constexpr uint64_t uvm_flush_tlb = 1, uvm_invlpg = 2, uvm_all = 4;

// Maps va in the address space of `root` (the calling vCPU's current
// root) with entry val, and adds the flush flags ask for to *flush.
[[nodiscard]] kstd::Result<void> update_va_mapping(MmContext& ctx, MmDomain& d, Mfn root, uint64_t va, uint64_t val,
                                                   uint64_t flags, FlushRequest* flush);

}  // namespace core
