// Validation of guest page tables (DESIGN.md, "Memory virtualization"):
// what each entry of an L1-L4 table may point to, and the references each
// present entry holds.
//
//   - An L1 entry maps a frame the table's owner owns (or that a grant
//     lets it map, through MmContext::foreign): a general reference, plus a
//     `writable` type reference if the entry has RW. Hypervisor frames,
//     other domains' frames and frames beyond the table: Error::perm. A
//     writable mapping of a frame in use as a table: Error::busy.
//   - An L2/L3/L4 entry points to a frame that validates as the next level
//     down: a general and a type reference. So a linear (recursive) entry,
//     which points at a table of its own level or at itself, finds the
//     frame typed otherwise: Error::busy.
//   - Flags outside the allow-lists in pte.h, and PS anywhere: Error::inval.
//   - L4 slots 256-271 must equal MmContext::hypervisor_slots bit for bit
//     and hold no references: Error::perm otherwise.
#pragma once

#include <stdint.h>

#include "core/frame_table.h"
#include "core/mm.h"
#include "core/pte.h"
#include "kstd/result.h"

namespace core {

// Checks an entry's flags for a table of this level (1-4), without
// looking at the frame it points to. Error::inval if a bit is not allowed.
[[nodiscard]] inline kstd::Result<void> check_entry_flags(int level, uint64_t entry) {
    uint64_t allowed = level == 1 ? pte::l1_allowed : pte::upper_allowed;
    if ((pte::flags_of(entry) & ~allowed) != 0) return kstd::Error::inval;
    return kstd::ok();
}

// The TypeHooks that validate and devalidate page tables in ctx. A table
// validated here has its FrameInfo::present_groups set from what the
// validation found; whoever writes a present entry into a validated table
// afterwards must add its group (note_present_entry).
class TableValidator final : public TypeHooks {
public:
    explicit TableValidator(MmContext& ctx) : ctx_(ctx) {}
    kstd::Result<void> validate(Mfn f, FrameType t) override;
    void devalidate(Mfn f, FrameType t) override;
    void flush_stale(pv_domid_t owner) override;

private:
    MmContext& ctx_;
};

// An L1 entry to a frame `owner` does not own: only a grant
// (MmContext::foreign) can allow it. Out of line, off the common path.
[[nodiscard]] kstd::Result<void> get_foreign_l1_refs(MmContext& ctx, Mfn target, bool writable, pv_domid_t owner);
void put_foreign_l1_refs(MmContext& ctx, Mfn target, bool writable, pv_domid_t owner);

// get_present_entry_refs when the inline fast path does not apply (a
// frame not the owner's, a type transition, any refusal). Out of line.
[[nodiscard]] kstd::Result<void> get_present_entry_refs_slow(MmContext& ctx, int level, uint64_t entry,
                                                             pv_domid_t owner);

// Takes the references a present entry of a `level` table owned by
// `owner` holds (checking it as above). Inline: every entry validated and
// every entry written comes through here, and the common case (a frame of
// the owner's already of the right type) is a few instructions.
[[nodiscard]] [[gnu::always_inline]] inline kstd::Result<void> get_present_entry_refs(MmContext& ctx, int level,
                                                                                     uint64_t entry,
                                                                                     pv_domid_t owner) {
    uint64_t allowed = level == 1 ? pte::l1_allowed : pte::upper_allowed;
    if ((pte::flags_of(entry) & ~allowed) != 0) [[unlikely]]
        return kstd::Error::inval;
    // Each call with a constant type, so that each folds to its own few
    // checks (a writable or plain mapping needs no validation test).
    Mfn target = pte::mfn_of(entry);
    bool fast = level > 1                  ? ctx.frames.try_get_fast(target, owner, table_type(level - 1))
                : (entry & pte::rw) != 0   ? ctx.frames.try_get_fast(target, owner, FrameType::writable)
                                           : ctx.frames.try_get_fast(target, owner, FrameType::none);
    if (fast) [[likely]]
        return kstd::ok();
    return get_present_entry_refs_slow(ctx, level, entry, owner);
}

// The same for any entry: non-present entries hold none.
[[nodiscard]] inline kstd::Result<void> get_entry_refs(MmContext& ctx, int level, uint64_t entry, pv_domid_t owner) {
    if (!pte::is_present(entry)) return kstd::ok();
    return get_present_entry_refs(ctx, level, entry, owner);
}

// Drops what get_entry_refs took for the entry.
[[gnu::always_inline]] inline void put_entry_refs(MmContext& ctx, int level, uint64_t entry, pv_domid_t owner) {
    if (!pte::is_present(entry)) return;
    Mfn target = pte::mfn_of(entry);
    bool writable = (entry & pte::rw) != 0;
    if (level == 1 && !ctx.frames.owned_by(target, owner)) [[unlikely]] {
        put_foreign_l1_refs(ctx, target, writable, owner);
        return;
    }
    if (ctx.frames.try_put_fast(target, level > 1 || writable)) [[likely]]
        return;
    TableValidator v(ctx);
    ctx.frames.put_page_and_type(target, v);
}

// Entries per bit of FrameInfo::present_groups.
inline constexpr uint32_t present_group_entries = pte::entries / 16;

// Records that entry `index` of validated table f now holds a present entry.
inline void note_present_entry(FrameTable& frames, Mfn f, uint32_t index) {
    frames.add_present_groups(f, static_cast<uint16_t>(1u << (index / present_group_entries)));
}

// A general reference and a type reference on f for domain `by`,
// validating f (and, through it, the tables below) on first use. Inline:
// taking another reference on a validated table (a root, a pin) is the
// common case and costs a few instructions.
[[nodiscard]] inline kstd::Result<void> get_table_ref(MmContext& ctx, Mfn f, pv_domid_t by, FrameType t) {
    TableValidator v(ctx);
    return ctx.frames.get_page_and_type(f, by, t, v);
}
// Out of line: the last type reference, which devalidates.
void put_last_table_ref(MmContext& ctx, Mfn f);
[[gnu::always_inline]] inline void put_table_ref(MmContext& ctx, Mfn f) {
    if (ctx.frames.try_put_fast(f, true)) [[likely]]
        return;
    put_last_table_ref(ctx, f);
}

}  // namespace core
