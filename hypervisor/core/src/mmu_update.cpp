#include "core/mmu_update.h"

#include "core/guest_access.h"
#include "core/page_table.h"
#include "core/pte.h"

namespace core {
namespace {

using kstd::Error;

// The level of a validated table of d's whose entry `index` may be
// written, or 0 with *why saying why not. Not a Result<int>: this runs on
// every update, and a plain int comes back in a register.
[[gnu::always_inline]] inline int writable_table(const MmContext& ctx, const MmDomain& d, Mfn f, uint32_t index,
                                                 Error* why) {
    if (!ctx.frames.owned_by(f, d.id)) [[unlikely]] {
        *why = Error::perm;
        return 0;
    }
    const FrameInfo& fi = ctx.frames.info(f);
    if (!is_page_table(fi.type) || fi.type_count == 0 || !fi.has(frame_flag::validated)) [[unlikely]] {
        *why = Error::inval;
        return 0;
    }
    int level = level_of(fi.type);
    if (level == 4 && pte::is_hv_slot(index)) [[unlikely]] {
        *why = Error::perm;
        return 0;
    }
    return level;
}

// Only the CPU changes a validated table behind the hypervisor's back, and
// only by setting accessed and dirty bits, which hold no references.
constexpr uint64_t hw_bits = pte::accessed | pte::dirty;

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
        bool hw_only = (old & ~hw_bits) == (first & ~hw_bits);
        if (expected != nullptr || !hw_only) {
            put_entry_refs(ctx, level, val, d.id);
            if (seen != nullptr) *seen = old;
            if (!hw_only && expected == nullptr) return Error::again;
            return kstd::ok();
        }
    }
    if (pte::is_present(val)) note_present_entry(ctx.frames, f, index);
    put_entry_refs(ctx, level, old, d.id);
    *wrote = true;
    return kstd::ok();
}

// find_l1_slot without a Result<L1Slot> (which comes back through memory).
[[gnu::always_inline]] inline kstd::Result<void> find_l1(MmContext& ctx, const MmDomain& d, Mfn root, uint64_t va, L1Slot* out) {
    if (!is_canonical(va) || (va & (page_size - 1)) != 0) return Error::inval;
    if (va >= PV_HYPERVISOR_VIRT_START && va < PV_HYPERVISOR_VIRT_END) return Error::perm;
    if (!ctx.frames.owned_by(root, d.id)) return Error::perm;
    const FrameInfo& ri = ctx.frames.info(root);
    if (ri.type != FrameType::l4 || ri.type_count == 0 || !ri.has(frame_flag::validated)) return Error::perm;
    // Every present entry of a validated table points to a validated table
    // of the next level down, so the walk needs no further checks.
    Mfn table = root;
    for (int level = 4; level > 1; --level) {
        // SAFETY: table is a validated table of d's (the root, then by the
        // invariant above), 512 entries.
        uint64_t e = ctx.access.table(table)[pte::index_of(va, level)];
        if (!pte::is_present(e)) return Error::inval;
        table = pte::mfn_of(e);
    }
    *out = L1Slot{table, pte::index_of(va, 1)};
    return kstd::ok();
}

[[gnu::always_inline]] inline kstd::Result<void> update_one(MmContext& ctx, MmDomain& d, uint64_t ptr,
                                                             uint64_t val) {
    if ((ptr & 7) != mmu_normal_pt_update) return Error::inval;
    Mfn f = to_mfn(Maddr(ptr));
    uint32_t index = static_cast<uint32_t>((ptr & (page_size - 1)) / sizeof(uint64_t));
    Error why = Error::inval;
    int level = writable_table(ctx, d, f, index, &why);
    if (level == 0) return why;
    bool wrote;
    return replace_entry(ctx, d, f, level, index, val, nullptr, nullptr, &wrote);
}

}  // namespace

kstd::Result<void> check_mmu_update_array(uint64_t va, uint64_t count) {
    if (count > mmu_update_max) return Error::too_big;
    // count <= mmu_update_max, so the size cannot overflow.
    if (count != 0 && !guest_range_ok(va, count * sizeof(MmuUpdate))) return Error::fault;
    return kstd::ok();
}

kstd::Result<void> mmu_update_one(MmContext& ctx, MmDomain& d, uint64_t ptr, uint64_t val) {
    return update_one(ctx, d, ptr, val);
}

kstd::Result<void> mmu_update_batch(MmContext& ctx, MmDomain& d, kstd::span<const MmuUpdate> reqs, size_t* done) {
    size_t n = 0;
    for (const MmuUpdate& r : reqs) {
        kstd::Result<void> res = update_one(ctx, d, r.ptr, r.val);
        if (res.is_error()) [[unlikely]] {
            *done = n;
            return res;
        }
        ++n;
    }
    *done = n;
    return kstd::ok();
}

kstd::Result<uint32_t> pte_index_of_store(uint64_t page_offset, uint64_t width) {
    if (width != sizeof(uint64_t) || page_offset >= page_size || (page_offset % sizeof(uint64_t)) != 0)
        return Error::inval;
    return static_cast<uint32_t>(page_offset / sizeof(uint64_t));
}

kstd::Result<void> emulate_pte_write(MmContext& ctx, MmDomain& d, Mfn l1, uint32_t index, uint64_t val) {
    if (index >= pte::entries) return Error::inval;
    Error why = Error::inval;
    int level = writable_table(ctx, d, l1, index, &why);
    if (level == 0) return why;
    if (level != 1) return Error::inval;
    bool wrote;
    return replace_entry(ctx, d, l1, level, index, val, nullptr, nullptr, &wrote);
}

kstd::Result<bool> emulate_pte_cmpxchg(MmContext& ctx, MmDomain& d, Mfn l1, uint32_t index, uint64_t expected,
                                       uint64_t val, uint64_t* seen) {
    if (index >= pte::entries) return Error::inval;
    Error why = Error::inval;
    int level = writable_table(ctx, d, l1, index, &why);
    if (level == 0) return why;
    if (level != 1) return Error::inval;
    bool wrote;
    TRY(replace_entry(ctx, d, l1, level, index, val, &expected, seen, &wrote));
    return wrote;
}

kstd::Result<L1Slot> find_l1_slot(MmContext& ctx, const MmDomain& d, Mfn root, uint64_t va) {
    L1Slot s;
    TRY(find_l1(ctx, d, root, va, &s));
    return s;
}

kstd::Result<void> decode_uvm_flags(uint64_t raw, uint64_t va, FlushRequest* out) {
    if ((raw & ~uint64_t{7}) != 0) return Error::inval;
    bool all = (raw & uvm_all) != 0;
    switch (raw & 3) {
    case 0: break;
    case uvm_flush_tlb: out->add_all(all); break;
    case uvm_invlpg: out->add_page(va, all); break;
    default: return Error::inval;
    }
    return kstd::ok();
}

kstd::Result<void> update_va_mapping(MmContext& ctx, MmDomain& d, Mfn root, uint64_t va, uint64_t val,
                                     uint64_t flags, FlushRequest* flush) {
    // Decode: the flags (nothing is added to *flush unless all succeeds).
    if ((flags & ~uint64_t{7}) != 0 || (flags & 3) == 3) return Error::inval;
    L1Slot s;
    TRY(find_l1(ctx, d, root, va, &s));
    bool wrote;
    TRY(replace_entry(ctx, d, s.table, 1, s.index, val, nullptr, nullptr, &wrote));
    bool all = (flags & uvm_all) != 0;
    if ((flags & 3) == uvm_invlpg) flush->add_page(va, all);
    if ((flags & 3) == uvm_flush_tlb) flush->add_all(all);
    return kstd::ok();
}

}  // namespace core
