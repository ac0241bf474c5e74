#include "core/page_table.h"

#include "core/pte.h"

namespace core {
namespace {

using kstd::Error;

// Scanning for present entries. Guest tables are mostly empty, and every
// validation reads all 512 entries, so the scan ORs entries together and
// branches once per group: a group of 32 (one bit of present_groups)
// costs about one instruction per entry, and inside a group that has a
// present entry, runs of eight are skipped with one test. The hypervisor
// is built without SSE, so this is what general registers do best.
constexpr uint32_t group_size = present_group_entries;
constexpr uint32_t group_count = pte::entries / group_size;
static_assert(group_count == 16, "one bit of FrameInfo::present_groups per group");

[[gnu::always_inline]] inline bool group_has_present(const uint64_t* g) {
    // An empty asm hides where g points, so that the compiler does not
    // keep some of these entries in registers for the per-run loop that
    // follows (which costs a move and an extra OR per kept entry in every
    // group, empty or not): each entry is then one OR from memory.
    asm("" : "+r"(g));
    uint64_t x = 0;
    for (uint32_t k = 0; k < group_size; ++k) x |= g[k];
    return pte::is_present(x);
}

// The hypervisor's L4 slots are whole runs of eight, skipped as such.
static_assert(pte::hv_first_slot % 8 == 0 && pte::hv_slot_count % 8 == 0);
constexpr bool hv_run(uint32_t run) {
    return run >= pte::hv_first_slot && run < pte::hv_first_slot + pte::hv_slot_count;
}

// Calls f(i) for each present entry i < end of group `group` of table t,
// stopping at the first error f returns. An L4's hypervisor slots hold no
// references and are never passed to f.
template <int Level, typename F>
[[gnu::always_inline]] inline kstd::Result<void> for_each_present_in_group(const uint64_t* t, uint32_t group,
                                                                           uint32_t end, F&& f) {
    uint32_t first = group * group_size;
    for (uint32_t run = first; run < first + group_size && run < end; run += 8) {
        if (Level == 4 && hv_run(run)) continue;
        const uint64_t* r = t + run;
        if (!pte::is_present(r[0] | r[1] | r[2] | r[3] | r[4] | r[5] | r[6] | r[7])) continue;
        for (uint32_t i = run; i < run + 8 && i < end; ++i)
            if (pte::is_present(t[i])) TRY(f(i));
    }
    return kstd::ok();
}

// Frees the references held by the present entries [0, end) of table t in
// the groups `groups` says may hold any (not the hypervisor's slots in an
// L4, which hold none). One instance per level, so that the per-entry
// work knows its level.
template <int Level>
void put_entries_at(MmContext& ctx, const uint64_t* t, uint16_t groups, uint32_t end, pv_domid_t owner) {
    while (groups != 0) {
        uint32_t g = static_cast<uint32_t>(__builtin_ctz(groups));
        groups = static_cast<uint16_t>(groups & (groups - 1));
        (void)for_each_present_in_group<Level>(t, g, end, [&](uint32_t i) -> kstd::Result<void> {
            put_entry_refs(ctx, Level, t[i], owner);
            return kstd::ok();
        });
    }
}

void put_entries(MmContext& ctx, const uint64_t* t, int level, uint16_t groups, uint32_t end, pv_domid_t owner) {
    switch (level) {
    case 1: put_entries_at<1>(ctx, t, groups, end, owner); break;
    case 2: put_entries_at<2>(ctx, t, groups, end, owner); break;
    case 3: put_entries_at<3>(ctx, t, groups, end, owner); break;
    default: put_entries_at<4>(ctx, t, groups, end, owner); break;
    }
}

// Takes the references of every present entry of table t (level Level,
// owner `owner`) and returns the groups that hold any in *groups; on a
// refusal, drops what it took and returns the error.
template <int Level>
kstd::Result<void> validate_entries(MmContext& ctx, const uint64_t* table, pv_domid_t owner, uint16_t* groups_out) {
    uint16_t groups = 0;
    uint32_t failed_at = 0;
    kstd::Result<void> r = kstd::ok();
    for (uint32_t g = 0; g < group_count; ++g) {
        if (!group_has_present(table + g * group_size)) continue;
        groups = static_cast<uint16_t>(groups | (1u << g));
        r = for_each_present_in_group<Level>(table, g, pte::entries, [&](uint32_t i) -> kstd::Result<void> {
            kstd::Result<void> e = get_present_entry_refs(ctx, Level, table[i], owner);
            if (e.is_error()) [[unlikely]]
                failed_at = i;
            return e;
        });
        if (r.is_error()) [[unlikely]] {
            put_entries_at<Level>(ctx, table, groups, failed_at, owner);
            return r;
        }
    }
    *groups_out = groups;
    return kstd::ok();
}

}  // namespace

kstd::Result<void> get_foreign_l1_refs(MmContext& ctx, Mfn target, bool writable, pv_domid_t owner) {
    // Grants will map other domains' frames; hypervisor frames and frames
    // outside the table are never anyone's to map.
    if (ctx.foreign == nullptr || !ctx.frames.valid(target) || ctx.frames.info(target).owner == owner_none ||
        ctx.frames.info(target).owner == owner_hypervisor)
        return Error::perm;
    return ctx.foreign->get(target, owner, writable);
}

kstd::Result<void> get_present_entry_refs_slow(MmContext& ctx, int level, uint64_t entry, pv_domid_t owner) {
    TRY(check_entry_flags(level, entry));
    Mfn target = pte::mfn_of(entry);
    TableValidator v(ctx);
    if (level == 1) {
        if (!ctx.frames.owned_by(target, owner)) return get_foreign_l1_refs(ctx, target, (entry & pte::rw) != 0, owner);
        if ((entry & pte::rw) != 0) return ctx.frames.get_page_and_type(target, owner, FrameType::writable, v);
        return ctx.frames.get_page(target, owner);
    }
    return ctx.frames.get_page_and_type(target, owner, table_type(level - 1), v);
}

void put_foreign_l1_refs(MmContext& ctx, Mfn target, bool writable, pv_domid_t owner) {
    ctx.foreign->put(target, owner, writable);  // only a grant can have taken it
}

kstd::Result<void> TableValidator::validate(Mfn f, FrameType t) {
    // Descriptor tables are checked by the GDT/LDT hypercalls, which do
    // not exist yet; until then nothing may become one.
    if (!is_page_table(t)) return Error::nosys;
    int level = level_of(t);
    pv_domid_t owner = ctx_.frames.info(f).owner;
    // SAFETY: f is a frame of the table that the caller holds a reference on.
    const uint64_t* table = ctx_.access.table(f);
    // An L4 must carry the hypervisor's slots exactly (present or not).
    if (level == 4) {
        for (uint32_t i = pte::hv_first_slot; i < pte::hv_first_slot + pte::hv_slot_count; ++i)
            if (table[i] != ctx_.hypervisor_slots[i - pte::hv_first_slot]) return Error::perm;
    }
    uint16_t groups = 0;
    kstd::Result<void> r = kstd::ok();
    switch (level) {
    case 1: r = validate_entries<1>(ctx_, table, owner, &groups); break;
    case 2: r = validate_entries<2>(ctx_, table, owner, &groups); break;
    case 3: r = validate_entries<3>(ctx_, table, owner, &groups); break;
    default: r = validate_entries<4>(ctx_, table, owner, &groups); break;
    }
    if (r.is_error()) return r;
    ctx_.frames.set_present_groups(f, groups);
    return kstd::ok();
}

void TableValidator::devalidate(Mfn f, FrameType t) {
    if (!is_page_table(t)) return;
    const FrameInfo& fi = ctx_.frames.info(f);
    // SAFETY: f is a frame of the table, still holding its entries' references.
    put_entries(ctx_, ctx_.access.table(f), level_of(t), fi.present_groups, pte::entries, fi.owner);
    ctx_.frames.set_present_groups(f, 0);
}

void TableValidator::flush_stale(pv_domid_t owner) { ctx_.tlb.flush_domain(owner); }

void put_last_table_ref(MmContext& ctx, Mfn f) {
    TableValidator v(ctx);
    ctx.frames.put_page_and_type(f, v);
}

}  // namespace core
