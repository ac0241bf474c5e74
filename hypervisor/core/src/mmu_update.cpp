#include "core/mmu_update.h"

#include "core/guest_access.h"
#include "core/entry_update.h"
#include "core/page_table.h"
#include "core/pte.h"

namespace core {
namespace {

using kstd::Error;

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
    return update_va_mapping_inline(ctx, d, root, va, val, flags, flush);
}

}  // namespace core
