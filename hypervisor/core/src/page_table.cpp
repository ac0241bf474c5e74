#include "core/page_table.h"

#include "core/pte.h"

namespace core {
namespace {

using kstd::Error;

// Calls f(i) for each present entry i in [begin, end). Guest tables are
// mostly empty, and every validation and release scans all 512 entries, so
// groups of eight with no present bit are skipped with one test.
template <typename F>
kstd::Result<void> for_each_present(const uint64_t* t, uint32_t begin, uint32_t end, F f) {
    uint32_t i = begin;
    while (i < end) {
        if (i % 8 == 0 && end - i >= 8 &&
            ((t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] | t[i + 5] | t[i + 6] | t[i + 7]) & pte::present) == 0) {
            i += 8;
            continue;
        }
        if (pte::is_present(t[i])) TRY(f(i));
        ++i;
    }
    return kstd::ok();
}

// Frees the references held by entries [0, end) of a table, skipping the
// hypervisor's slots in an L4 (they hold none).
void put_entries(MmContext& ctx, Mfn f, int level, uint32_t end, pv_domid_t owner) {
    // SAFETY: f is a frame of the table (validated or being validated), so
    // map_table gives its 512 entries.
    const uint64_t* t = ctx.access.map_table(f);
    (void)for_each_present(t, 0, end, [&](uint32_t i) -> kstd::Result<void> {
        if (!(level == 4 && pte::is_hv_slot(i))) put_entry_refs(ctx, level, t[i], owner);
        return kstd::ok();
    });
}

kstd::Result<void> get_l1_target(MmContext& ctx, Mfn target, bool writable, pv_domid_t owner) {
    if (!ctx.frames.owned_by(target, owner)) {
        // Grants will map other domains' frames; hypervisor frames and
        // frames outside the table are never anyone's to map.
        if (ctx.foreign == nullptr || !ctx.frames.valid(target) || ctx.frames.info(target).owner == owner_none ||
            ctx.frames.info(target).owner == owner_hypervisor)
            return Error::perm;
        return ctx.foreign->get(target, owner, writable);
    }
    TableValidator v(ctx);
    if (writable) return ctx.frames.get_page_and_type(target, owner, FrameType::writable, v);
    return ctx.frames.get_page(target, owner);
}

}  // namespace

kstd::Result<void> check_entry_flags(int level, uint64_t entry) {
    uint64_t allowed = level == 1 ? pte::l1_allowed : pte::upper_allowed;
    if ((pte::flags_of(entry) & ~allowed) != 0) return Error::inval;
    return kstd::ok();
}

kstd::Result<void> get_entry_refs(MmContext& ctx, int level, uint64_t entry, pv_domid_t owner) {
    if (!pte::is_present(entry)) return kstd::ok();
    TRY(check_entry_flags(level, entry));
    Mfn target = pte::mfn_of(entry);
    if (level == 1) return get_l1_target(ctx, target, (entry & pte::rw) != 0, owner);
    return get_table_ref(ctx, target, owner, table_type(level - 1));
}

void put_entry_refs(MmContext& ctx, int level, uint64_t entry, pv_domid_t owner) {
    if (!pte::is_present(entry)) return;
    Mfn target = pte::mfn_of(entry);
    bool writable = (entry & pte::rw) != 0;
    if (level == 1 && !ctx.frames.owned_by(target, owner)) {
        ctx.foreign->put(target, owner, writable);  // only a grant can have taken it
        return;
    }
    TableValidator v(ctx);
    if (level > 1) {
        ctx.frames.put_page_and_type(target, v);
    } else if (writable) {
        ctx.frames.put_page_and_type(target, v);
    } else {
        ctx.frames.put_page(target);
    }
}

kstd::Result<void> get_table_ref(MmContext& ctx, Mfn f, pv_domid_t by, FrameType t) {
    TableValidator v(ctx);
    return ctx.frames.get_page_and_type(f, by, t, v);
}

void put_table_ref(MmContext& ctx, Mfn f) {
    TableValidator v(ctx);
    ctx.frames.put_page_and_type(f, v);
}

kstd::Result<void> TableValidator::validate(Mfn f, FrameType t) {
    // Descriptor tables are checked by the GDT/LDT hypercalls, which do
    // not exist yet; until then nothing may become one.
    if (!is_page_table(t)) return Error::nosys;
    int level = level_of(t);
    pv_domid_t owner = ctx_.frames.info(f).owner;
    // SAFETY: f is a frame of the table that the caller holds a reference on.
    const uint64_t* table = ctx_.access.map_table(f);
    // An L4 must carry the hypervisor's slots exactly (present or not).
    if (level == 4) {
        for (uint32_t i = pte::hv_first_slot; i < pte::hv_first_slot + pte::hv_slot_count; ++i)
            if (table[i] != ctx_.hypervisor_slots[i - pte::hv_first_slot]) return Error::perm;
    }
    uint32_t failed_at = 0;
    kstd::Result<void> r = for_each_present(table, 0, pte::entries, [&](uint32_t i) -> kstd::Result<void> {
        if (level == 4 && pte::is_hv_slot(i)) return kstd::ok();
        kstd::Result<void> e = get_entry_refs(ctx_, level, table[i], owner);
        if (e.is_error()) failed_at = i;
        return e;
    });
    if (r.is_error()) {
        put_entries(ctx_, f, level, failed_at, owner);
        return r.error();
    }
    return kstd::ok();
}

void TableValidator::devalidate(Mfn f, FrameType t) {
    if (!is_page_table(t)) return;
    put_entries(ctx_, f, level_of(t), pte::entries, ctx_.frames.info(f).owner);
}

void TableValidator::flush_stale(pv_domid_t owner) { ctx_.tlb.flush_domain(owner); }

}  // namespace core
