// The checked replacement of one page-table entry, inline for the paths
// that run on every guest page fault and every update: mmu_update,
// update_va_mapping (whose hypercall takes it whole, hc_mm.cpp) and the
// emulation of trapped writes. The contracts are in mmu_update.h; these
// are the bodies. Callers hold the memory-management lock.
#pragma once

#include <stdint.h>

#include <pvisor/abi.h>

#include "core/addr.h"
#include "core/mm.h"
#include "core/mmu_update.h"
#include "core/page_table.h"
#include "core/pte.h"
#include "kstd/result.h"

namespace core {

// The level of a validated table of d's whose entry `index` may be
// written, or 0 with *why saying why not. Not a Result<int>: this runs on
// every update, and a plain int comes back in a register.
[[gnu::always_inline]] inline int writable_table(const MmContext& ctx, const MmDomain& d, Mfn f, uint32_t index,
                                                 kstd::Error* why) {
    if (!ctx.frames.owned_by(f, d.id)) [[unlikely]] {
        *why = kstd::Error::perm;
        return 0;
    }
    const FrameInfo& fi = ctx.frames.info(f);
    if (!is_page_table(fi.type) || fi.type_count == 0 || !fi.has(frame_flag::validated)) [[unlikely]] {
        *why = kstd::Error::inval;
        return 0;
    }
    int level = level_of(fi.type);
    if (level == 4 && pte::is_hv_slot(index)) [[unlikely]] {
        *why = kstd::Error::perm;
        return 0;
    }
    return level;
}

// Only the CPU changes a validated table behind the hypervisor's back, and
// only by setting accessed and dirty bits, which hold no references.
inline constexpr uint64_t pte_hw_bits = pte::accessed | pte::dirty;

// Replaces entry `index` of table f (level `level`, owner d). With
// `expected`, only if the entry still equals it. *wrote says whether it
// wrote (a compare that found another value is not an error).
[[gnu::always_inline]] inline kstd::Result<void> replace_entry(MmContext& ctx, const MmDomain& d, Mfn f, int level,
                                                                uint32_t index, uint64_t val, const uint64_t* expected,
                                                                uint64_t* seen, bool* wrote) {
    *wrote = false;
    // SAFETY: f is a validated table of d's (writable_table), 512 entries.
    uint64_t* slot = ctx.access.table(f) + index;
    uint64_t old = __atomic_load_n(slot, __ATOMIC_RELAXED);
    if (seen != nullptr) *seen = old;
    if (expected != nullptr && old != *expected) return kstd::ok();

    TRY(get_entry_refs(ctx, level, val, d.id));
    const uint64_t first = old;
    while (!__atomic_compare_exchange_n(slot, &old, val, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) [[unlikely]] {
        // old now holds what the entry became. If the CPU set A or D, the
        // references are the same and a plain write tries again; a compare
        // reports the change. Anything else means a writer that does not
        // hold the lock: refuse rather than guess which references exist.
        bool hw_only = (old & ~pte_hw_bits) == (first & ~pte_hw_bits);
        if (expected != nullptr || !hw_only) {
            put_entry_refs(ctx, level, val, d.id);
            if (seen != nullptr) *seen = old;
            if (!hw_only && expected == nullptr) return kstd::Error::again;
            return kstd::ok();
        }
    }
    if (pte::is_present(val)) note_present_entry(ctx.frames, f, index);
    put_entry_refs(ctx, level, old, d.id);
    *wrote = true;
    return kstd::ok();
}

// find_l1_slot without a Result<L1Slot> (which comes back through memory).
[[gnu::always_inline]] inline kstd::Result<void> find_l1(MmContext& ctx, const MmDomain& d, Mfn root, uint64_t va,
                                                         L1Slot* out) {
    if (!is_canonical(va) || (va & (page_size - 1)) != 0) return kstd::Error::inval;
    if (va >= PV_HYPERVISOR_VIRT_START && va < PV_HYPERVISOR_VIRT_END) return kstd::Error::perm;
    if (!ctx.frames.owned_by(root, d.id)) return kstd::Error::perm;
    const FrameInfo& ri = ctx.frames.info(root);
    if (ri.type != FrameType::l4 || ri.type_count == 0 || !ri.has(frame_flag::validated)) return kstd::Error::perm;
    // Every present entry of a validated table points to a validated table
    // of the next level down, so the walk needs no further checks. The
    // window of FrameAccess is read once, not at every level.
    uint64_t* linear = ctx.access.linear();
    Mfn table = root;
    for (int level = 4; level > 1; --level) {
        // SAFETY: table is a validated table of d's (the root, then by the
        // invariant above), 512 entries.
        const uint64_t* t = linear != nullptr ? linear + table.raw * pte::entries : ctx.access.map_table(table);
        uint64_t e = t[pte::index_of(va, level)];
        if (!pte::is_present(e)) return kstd::Error::inval;
        table = pte::mfn_of(e);
    }
    *out = L1Slot{table, pte::index_of(va, 1)};
    return kstd::ok();
}

// Whether update_va_mapping's flags are valid: known bits (0-7), and not
// both flush kinds at once (3 and 7): a bit test in the mask of the six
// valid values.
inline bool uvm_flags_valid(uint64_t flags) { return flags < 8 && ((0x77u >> flags) & 1) != 0; }

// What update_va_mapping asks of its va before it walks (find_l1's first
// two checks, which give the errors): canonical, page-aligned and outside
// the hypervisor's range, as one comparison for the fast path. Modulo 2^64
// the addresses allowed form one interval, from PV_HYPERVISOR_VIRT_END up
// through the top half and on through the bottom half to its end; a
// rotation moves the offset bits to the top, where any set one makes the
// value too large.
inline bool uvm_va_ok(uint64_t va) {
    constexpr uint64_t start = PV_HYPERVISOR_VIRT_END;
    constexpr uint64_t length = 0x0000800000000000ull - start;  // modulo 2^64
    static_assert(start == 0xffff880000000000ull && (start & (page_size - 1)) == 0 && length == 0xf80000000000ull,
                  "the top half above the hypervisor's range, then the bottom half");
    uint64_t off = va - start;
    uint64_t rotated = (off >> page_shift) | (off << (64 - page_shift));
    return rotated < (length >> page_shift);
}

// Adds the flush that valid update_va_mapping flags ask for.
inline void add_uvm_flush(FlushRequest& flush, uint64_t va, uint64_t flags) {
    bool all = (flags & uvm_all) != 0;
    if ((flags & 3) == uvm_invlpg) flush.add_page(va, all);
    if ((flags & 3) == uvm_flush_tlb) flush.add_all(all);
}

// update_va_mapping (mmu_update.h).
[[gnu::always_inline]] inline kstd::Result<void> update_va_mapping_inline(MmContext& ctx, MmDomain& d, Mfn root,
                                                                          uint64_t va, uint64_t val, uint64_t flags,
                                                                          FlushRequest* flush) {
    // Decode: the flags (nothing is added to *flush unless all succeeds).
    if (!uvm_flags_valid(flags)) return kstd::Error::inval;
    L1Slot s;
    TRY(find_l1(ctx, d, root, va, &s));
    bool wrote;
    TRY(replace_entry(ctx, d, s.table, 1, s.index, val, nullptr, nullptr, &wrote));
    add_uvm_flush(*flush, va, flags);
    return kstd::ok();
}

// The common update_va_mapping, in one straight line for the hypercall:
// frames in the linear window, every check passing, the new entry's
// references taken by the inline fast path, no racing writer. True if it
// made the update and added the flush; false having changed nothing, and
// then update_va_mapping (the full path) decides, with the same checks in
// the same order, so every refusal and its error come from there. The
// flush the flags ask for is the caller's (uvm_flush_of), after the update.
[[gnu::always_inline]] inline bool update_va_mapping_fast(MmContext& ctx, const MmDomain& d, Mfn root, uint64_t va,
                                                          uint64_t val, uint64_t flags) {
    uint64_t* linear = ctx.access.linear();
    if (linear == nullptr || !uvm_flags_valid(flags) || !uvm_va_ok(va)) [[unlikely]]
        return false;
    FrameTable& ft = ctx.frames;
    if (!ft.owned_by(root, d.id)) [[unlikely]]
        return false;
    const FrameInfo& ri = ft.info(root);
    if (ri.type != FrameType::l4 || ri.type_count == 0 || !ri.has(frame_flag::validated)) [[unlikely]]
        return false;
    // SAFETY: root is a validated L4 of d's, and every present entry of a
    // validated table points to a validated table one level down, all of
    // them frames of the window (512 entries each).
    uint64_t table = root.raw;
    for (int level = 4; level > 1; --level) {
        uint64_t e = linear[table * pte::entries + pte::index_of(va, level)];
        if (!pte::is_present(e)) [[unlikely]]
            return false;
        table = pte::mfn_of(e).raw;
    }
    uint32_t index = pte::index_of(va, 1);
    uint64_t* slot = linear + table * pte::entries + index;
    uint64_t old = __atomic_load_n(slot, __ATOMIC_RELAXED);
    bool present = pte::is_present(val);
    if (present) {
        if ((pte::flags_of(val) & ~pte::l1_allowed) != 0) [[unlikely]]
            return false;
        bool got = (val & pte::rw) != 0 ? ft.try_get_fast(pte::mfn_of(val), d.id, FrameType::writable)
                                        : ft.try_get_fast(pte::mfn_of(val), d.id, FrameType::none);
        if (!got) [[unlikely]]
            return false;
    }
    if (!__atomic_compare_exchange_n(slot, &old, val, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) [[unlikely]] {
        // Another writer (or the CPU's A/D bits): give back what was taken
        // (an L1 entry's references to an owned frame never need a type
        // transition to drop) and let the full path sort it out.
        if (present) (void)ft.try_put_fast(pte::mfn_of(val), (val & pte::rw) != 0);
        return false;
    }
    if (present) note_present_entry(ft, Mfn(table), index);
    put_entry_refs(ctx, 1, old, d.id);
    return true;
}

// The flush of valid update_va_mapping flags (update_va_mapping_fast).
inline FlushRequest uvm_flush_of(uint64_t va, uint64_t flags) {
    FlushRequest flush;
    add_uvm_flush(flush, va, flags);
    return flush;
}

}  // namespace core
