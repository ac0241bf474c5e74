// Page-table entry bits (Intel SDM Vol. 3A, 4.5, tables 4-15 to 4-20) and
// the allow-lists that say which of them a guest may set.
//
// The allow-lists are the policy for every entry a PV guest writes:
//   - present, rw, user, accessed, nx and the three software bits (9-11,
//     which guest kernels use for their own bookkeeping) anywhere;
//   - dirty in L1 entries only (the CPU sets it only in leaves);
//   - never PS: no superpages in the first version (DESIGN.md), and PS in
//     an L1 entry is the PAT bit, which is a cache attribute (below);
//   - never global: a global entry survives CR3 reloads, so the hypervisor
//     could no longer flush a domain's stale mappings by reloading CR3, nor
//     drop them when it switches domains. Xen, too, refuses G for PV guests
//     unless it toggles CR4.PGE on every flush;
//   - never the cache attributes PWT, PCD and PAT: guest memory is RAM and
//     an uncached alias of RAM that the hypervisor maps cached is undefined
//     behaviour (SDM Vol. 3A, 11.12.4). Xen allows them only to domains with
//     device memory, which pvisor does not hand out yet;
//   - never bits 52-62 (software bits, but 59-62 are protection keys when
//     CR4.PKE is set, and nothing needs them).
#pragma once

#include <stdint.h>

#include "core/addr.h"

namespace core::pte {

inline constexpr uint64_t present = uint64_t{1} << 0;
inline constexpr uint64_t rw = uint64_t{1} << 1;
inline constexpr uint64_t user = uint64_t{1} << 2;
inline constexpr uint64_t pwt = uint64_t{1} << 3;
inline constexpr uint64_t pcd = uint64_t{1} << 4;
inline constexpr uint64_t accessed = uint64_t{1} << 5;
inline constexpr uint64_t dirty = uint64_t{1} << 6;
inline constexpr uint64_t ps = uint64_t{1} << 7;   // PAT in an L1 entry
inline constexpr uint64_t global = uint64_t{1} << 8;
inline constexpr uint64_t soft = uint64_t{7} << 9;  // bits 9-11, ignored by the CPU
inline constexpr uint64_t nx = uint64_t{1} << 63;
inline constexpr uint64_t addr_mask = 0x000ffffffffff000ull;

inline constexpr uint64_t l1_allowed = present | rw | user | accessed | dirty | soft | nx;
inline constexpr uint64_t upper_allowed = present | rw | user | accessed | soft | nx;

// Entries per table and the hypervisor's PML4 slots (DESIGN.md).
inline constexpr uint32_t entries = 512;
inline constexpr uint32_t hv_first_slot = 256;
inline constexpr uint32_t hv_slot_count = 16;

constexpr bool is_present(uint64_t e) { return (e & present) != 0; }
constexpr Mfn mfn_of(uint64_t e) { return Mfn((e & addr_mask) >> page_shift); }
constexpr uint64_t flags_of(uint64_t e) { return e & ~addr_mask; }
constexpr uint64_t make(Mfn f, uint64_t flags) { return (to_maddr(f).raw & addr_mask) | flags; }
constexpr bool is_hv_slot(uint32_t index) { return index >= hv_first_slot && index < hv_first_slot + hv_slot_count; }

// The index of va in a table of the given level (1 = L1 ... 4 = PML4).
constexpr uint32_t index_of(uint64_t va, int level) {
    return static_cast<uint32_t>((va >> (page_shift + 9 * static_cast<uint64_t>(level - 1))) & (entries - 1));
}

}  // namespace core::pte
