// The frame table: one FrameInfo per machine frame, recording who owns the
// frame, what it is used as (its type) and how many references to it exist.
// It enforces the rule that makes direct paging safe (DESIGN.md, "Memory
// virtualization"): a frame is either mapped writable or in use as a page
// table or descriptor table, never both.
//
// The counts follow Xen's page_info:
//   - ref_count: general references, one per mapping of the frame (any
//     present entry that points to it), per pin and per vCPU root.
//   - type_count: references that need the frame to have its current type:
//     a writable mapping holds a `writable` type reference, an L3 entry
//     holds an `l2` type reference on the frame it points to, and so on.
//     The type can change only while type_count is zero.
//   - The 0 -> 1 transition to a page-table type validates the frame (every
//     entry is checked and takes its own references); the 1 -> 0 transition
//     devalidates it (every entry drops its references). Both run through
//     TypeHooks, which the page-table code implements.
//   - A frame keeps its type at count zero, as a note that TLBs may still
//     hold translations from that use: changing it to another type first
//     asks TypeHooks to flush the owner's stale TLB entries.
//
// The storage belongs to the caller (in the hypervisor, the frame table
// region at HV_FRAME_TABLE_BASE). Not thread-safe: the caller holds the
// memory-management lock.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <pvisor/abi.h>

#include "core/addr.h"
#include "core/mm_domain.h"
#include "kstd/result.h"
#include "kstd/span.h"

namespace core {

enum class FrameType : uint8_t { none = 0, l1 = 1, l2 = 2, l3 = 3, l4 = 4, desc = 5, writable = 6 };

constexpr bool is_page_table(FrameType t) { return t >= FrameType::l1 && t <= FrameType::l4; }
// Types whose 0 -> 1 transition validates the frame's contents.
constexpr bool needs_validation(FrameType t) { return is_page_table(t) || t == FrameType::desc; }
constexpr int level_of(FrameType t) { return static_cast<int>(t); }  // 1..4 for page tables
constexpr FrameType table_type(int level) { return static_cast<FrameType>(level); }
const char* frame_type_name(FrameType t);

// Owners that are not domains. Guest domain IDs are below PV_DOMID_SELF.
inline constexpr pv_domid_t owner_none = 0xffffffffu;        // free or never handed out
inline constexpr pv_domid_t owner_hypervisor = 0xfffffffeu;  // never mappable by a guest

namespace frame_flag {
inline constexpr uint8_t validated = 1;  // a table type whose entries hold their references
inline constexpr uint8_t pinned = 2;     // a pin holds one ref and one type ref
// Owned by a domain but provided by the hypervisor (the shared page): it
// may be mapped, never becomes a table, and is not the domain's to give back.
inline constexpr uint8_t special = 4;
}  // namespace frame_flag

struct FrameInfo {
    pv_domid_t owner = owner_none;
    uint32_t type_count = 0;
    uint32_t ref_count = 0;
    FrameType type = FrameType::none;
    uint8_t flags = 0;
    // While the frame is a validated page table: bit g is set if entries
    // [32g, 32g + 32) may hold a present entry (a clear bit guarantees they
    // hold none), so that releasing a mostly empty table does not read all
    // 512 entries. Kept by the page-table code (page_table.h); meaningless
    // otherwise.
    uint16_t present_groups = 0;

    bool has(uint8_t f) const { return (flags & f) != 0; }
};
static_assert(sizeof(FrameInfo) == 16, "the frame table is sized by this");

// How a type's contents are checked, implemented by the page-table code
// (and by fakes in the state-machine tests).
class TypeHooks {
public:
    // The frame's type count is going 0 -> 1 as type t: check every entry
    // and take its references. On error nothing may be left taken.
    [[nodiscard]] virtual kstd::Result<void> validate(Mfn f, FrameType t) = 0;
    // The type count went 1 -> 0: drop every entry's references.
    virtual void devalidate(Mfn f, FrameType t) = 0;
    // TLBs may hold translations from the frame's previous use (a writable
    // mapping, or a table's entries in the paging-structure caches) of
    // domain `owner`. Must flush them before returning.
    virtual void flush_stale(pv_domid_t owner) = 0;

protected:
    ~TypeHooks() = default;
};

class FrameTable {
public:
    // Every frame starts unowned. Error::inval for empty storage.
    [[nodiscard]] static kstd::Result<FrameTable> create(kstd::span<FrameInfo> storage);

    size_t size() const { return frames_.size(); }
    bool valid(Mfn f) const { return f.raw < frames_.size(); }
    // Read-only view for checkers and tests; f must be valid.
    const FrameInfo& info(Mfn f) const { return frames_[f.raw]; }
    // True if f is a frame of the table and `owner` owns it.
    bool owned_by(Mfn f, pv_domid_t owner) const { return valid(f) && frames_[f.raw].owner == owner; }

    // Ownership. assign: Error::perm for a frame outside the table,
    // Error::exist if someone owns it, Error::nomem if the domain is at its
    // maximum (special frames are not counted). unassign: Error::perm if d
    // does not own it, Error::busy while any reference exists.
    [[nodiscard]] kstd::Result<void> assign(Mfn f, MmDomain& d, bool special = false);
    [[nodiscard]] kstd::Result<void> unassign(Mfn f, MmDomain& d);
    // Hypervisor frames (its image, stacks, the frame table, its page
    // tables): no guest can reference them. Error::exist if owned.
    [[nodiscard]] kstd::Result<void> assign_hypervisor(Mfn f);

    // A general reference on behalf of domain `by`. Error::perm unless `by`
    // owns f (which also refuses hypervisor frames and frames outside the
    // table), Error::range when the count would overflow.
    // Inline: it runs for every entry of every table validated.
    [[gnu::always_inline]] [[nodiscard]] kstd::Result<void> get_page(Mfn f, pv_domid_t by) {
        // A guest's ID never equals owner_none or owner_hypervisor, so the
        // owner comparison refuses free frames and the hypervisor's alike.
        if (!owned_by(f, by) || by == owner_none || by == owner_hypervisor) [[unlikely]]
            return kstd::Error::perm;
        FrameInfo& fi = frames_[f.raw];
        if (fi.ref_count >= count_limit) [[unlikely]]
            return kstd::Error::range;
        ++fi.ref_count;
        return kstd::ok();
    }
    [[gnu::always_inline]] void put_page(Mfn f) { --frames_[f.raw].ref_count; }

    // A type reference (the caller holds a general reference). Error::busy
    // if f has another type with references, Error::perm for a table type
    // on a special frame, Error::range on overflow, or validate's error.
    // The common cases are inline: another reference to a validated table
    // of type t, or any reference to a frame whose type t needs no
    // validation and that has that type already (at count zero too: the
    // type does not change, so nothing is flushed). The rest (a change of
    // type, a validation, every refusal) is out of line.
    [[gnu::always_inline]] [[nodiscard]] kstd::Result<void> get_page_type(Mfn f, FrameType t, TypeHooks& hooks) {
        FrameInfo& fi = frames_[f.raw];
        if (fi.type == t && fi.type_count < count_limit &&
            (!needs_validation(t) || (fi.type_count > 0 && fi.has(frame_flag::validated)))) [[likely]] {
            ++fi.type_count;
            return kstd::ok();
        }
        return get_page_type_slow(f, t, hooks);
    }
    [[gnu::always_inline]] void put_page_type(Mfn f, TypeHooks& hooks) {
        FrameInfo& fi = frames_[f.raw];
        if (fi.type_count > 1 || !needs_validation(fi.type)) [[likely]] {
            --fi.type_count;
            return;
        }
        put_last_type(f, hooks);
    }

    // The common case of get_page plus (unless t is none) get_page_type,
    // without building a Result: true if both were taken; false if nothing
    // was taken and the caller must use the functions above, which refuse
    // or do the transition. For loops over many entries.
    [[gnu::always_inline]] bool try_get_fast(Mfn f, pv_domid_t by, FrameType t) {
        if (!owned_by(f, by) || by == owner_none || by == owner_hypervisor) return false;
        FrameInfo& fi = frames_[f.raw];
        if (fi.ref_count >= count_limit) return false;
        if (t != FrameType::none) {
            if (fi.type != t || fi.type_count >= count_limit ||
                (needs_validation(t) && (fi.type_count == 0 || !fi.has(frame_flag::validated))))
                return false;
            add_counts(fi, 1, 1);
            return true;
        }
        ++fi.ref_count;
        return true;
    }

    // The common case of put_page_and_type (or of put_page alone, with
    // t none): a reference that is not the last type reference of a
    // validated type. False if nothing was dropped and the caller must use
    // put_page_and_type, which devalidates. Needs no TypeHooks, so that
    // callers build theirs only when the transition happens.
    [[gnu::always_inline]] bool try_put_fast(Mfn f, bool with_type) {
        FrameInfo& fi = frames_[f.raw];
        if (with_type) {
            if (fi.type_count <= 1 && needs_validation(fi.type)) return false;
            --fi.type_count;
        }
        --fi.ref_count;
        return true;
    }

    // Both, undone together on failure.
    [[gnu::always_inline]] [[nodiscard]] kstd::Result<void> get_page_and_type(Mfn f, pv_domid_t by, FrameType t,
                                                                              TypeHooks& hooks) {
        TRY(get_page(f, by));
        kstd::Result<void> r = get_page_type(f, t, hooks);
        if (r.is_error()) [[unlikely]]
            put_page(f);
        return r;
    }
    [[gnu::always_inline]] void put_page_and_type(Mfn f, TypeHooks& hooks) {
        put_page_type(f, hooks);
        put_page(f);
    }

    // FrameInfo::present_groups, for the page-table code.
    void set_present_groups(Mfn f, uint16_t groups) { frames_[f.raw].present_groups = groups; }
    void add_present_groups(Mfn f, uint16_t groups) {
        frames_[f.raw].present_groups = static_cast<uint16_t>(frames_[f.raw].present_groups | groups);
    }

    void set_flag(Mfn f, uint8_t flag) { frames_[f.raw].flags = static_cast<uint8_t>(frames_[f.raw].flags | flag); }
    void clear_flag(Mfn f, uint8_t flag) { frames_[f.raw].flags = static_cast<uint8_t>(frames_[f.raw].flags & ~flag); }

    // Counts stop well short of wrapping; the headroom is for the
    // hypervisor's own references taken while a guest sits at the limit.
    static constexpr uint32_t count_limit = 0xffff0000u;

private:
    explicit FrameTable(kstd::span<FrameInfo> frames) : frames_(frames) {}

    // get_page_type when the fast path does not apply: the 0 -> 1
    // transition (type change, validation) and every refusal.
    [[nodiscard]] kstd::Result<void> get_page_type_slow(Mfn f, FrameType t, TypeHooks& hooks);
    // put_page_type's 1 -> 0 transition (devalidation).
    void put_last_type(Mfn f, TypeHooks& hooks);

    // type_count += types, ref_count += refs, as one 64-bit add to the
    // adjacent counts: the caller knows neither wraps (both below
    // count_limit), so no carry crosses from one into the other.
    [[gnu::always_inline]] static void add_counts(FrameInfo& fi, uint32_t types, uint32_t refs) {
        static_assert(offsetof(FrameInfo, ref_count) == offsetof(FrameInfo, type_count) + 4 &&
                          __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
                      "type_count is the low half of the quadword, ref_count the high");
        unsigned char* at = reinterpret_cast<unsigned char*>(&fi) + offsetof(FrameInfo, type_count);
        uint64_t both;
        __builtin_memcpy(&both, at, sizeof both);
        both += types | uint64_t{refs} << 32;
        __builtin_memcpy(at, &both, sizeof both);
    }

    kstd::span<FrameInfo> frames_;
};

}  // namespace core
