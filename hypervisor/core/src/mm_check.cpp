#include "core/mm_check.h"

#include "core/page_table.h"
#include "core/pte.h"

namespace core {
namespace {

class Checker {
public:
    Checker(const FrameTable& frames, FrameAccess& access, const uint64_t* slots,
            kstd::span<const MmCheckDomain> domains, MmCheckScratch s, MmViolation* out)
        : ft_(frames), access_(access), slots_(slots), domains_(domains), s_(s), out_(out) {}

    bool run() {
        size_t n = ft_.size();
        if (s_.refs.size() < n || s_.types.size() < n || s_.writable_maps.size() < n)
            return fail("scratch smaller than the frame table", Mfn(0), 0);
        for (size_t i = 0; i < n; ++i) s_.refs[i] = s_.types[i] = s_.writable_maps[i] = 0;
        for (uint64_t i = 0; i < n; ++i)
            if (!frame_alone(Mfn(i))) return false;
        for (uint64_t i = 0; i < n; ++i)
            if (!count_table(Mfn(i))) return false;
        for (const MmCheckDomain& d : domains_) {
            for (Mfn r : d.roots)
                if (r.raw != 0 && !count_root(d, r)) return false;
            if (!accounting(d)) return false;
        }
        for (uint64_t i = 0; i < n; ++i) {
            Mfn f(i);
            const FrameInfo& fi = ft_.info(f);
            if (s_.writable_maps[i] != 0 && is_page_table(fi.type) && fi.has(frame_flag::validated))
                return fail("frame mapped writable and in use as a page table", f, 0);
            if (s_.refs[i] != fi.ref_count) return fail("ref_count differs from the references found", f, 0);
            if (s_.types[i] != fi.type_count) return fail("type_count differs from the references found", f, 0);
        }
        return true;
    }

private:
    bool fail(const char* what, Mfn f, uint32_t index) {
        *out_ = MmViolation{what, f, index};
        return false;
    }

    const MmCheckDomain* domain(pv_domid_t id) const {
        for (const MmCheckDomain& d : domains_)
            if (d.dom->id == id) return &d;
        return nullptr;
    }

    // What can be said of a frame on its own.
    bool frame_alone(Mfn f) {
        const FrameInfo& fi = ft_.info(f);
        if (fi.owner == owner_none || fi.owner == owner_hypervisor) {
            if (fi.ref_count != 0 || fi.type_count != 0 || fi.flags != 0)
                return fail("free or hypervisor frame with references or flags", f, 0);
            return true;
        }
        if (domain(fi.owner) == nullptr) return fail("frame owned by an unknown domain", f, 0);
        bool table = is_page_table(fi.type);
        if (fi.has(frame_flag::validated) != (table && fi.type_count > 0))
            return fail("validated flag disagrees with the type count", f, 0);
        if (fi.has(frame_flag::pinned) && !fi.has(frame_flag::validated)) return fail("pinned but not validated", f, 0);
        if (fi.has(frame_flag::special) && table && fi.type_count > 0) return fail("special frame in use as a table", f, 0);
        if (fi.type == FrameType::desc && fi.type_count > 0) return fail("descriptor table (not supported yet)", f, 0);
        if (fi.has(frame_flag::pinned)) {
            ++s_.refs[f.raw];
            ++s_.types[f.raw];
        }
        return true;
    }

    bool count_table(Mfn f) {
        const FrameInfo& fi = ft_.info(f);
        if (!fi.has(frame_flag::validated)) return true;
        int level = level_of(fi.type);
        // SAFETY: f is a frame of the table; the accessor maps any of them.
        const uint64_t* t = access_.map_table(f);
        for (uint32_t i = 0; i < pte::entries; ++i) {
            uint64_t e = t[i];
            if (level == 4 && pte::is_hv_slot(i)) {
                if (e != slots_[i - pte::hv_first_slot]) return fail("L4 hypervisor slot changed", f, i);
                continue;
            }
            if (!pte::is_present(e)) continue;
            // Releasing the table reads only the groups marked (page_table.h).
            if ((fi.present_groups & (1u << (i / present_group_entries))) == 0)
                return fail("present entry in a group the table marks empty", f, i);
            if ((pte::flags_of(e) & ~(level == 1 ? pte::l1_allowed : pte::upper_allowed)) != 0)
                return fail("entry with flags outside the allow-list", f, i);
            Mfn target = pte::mfn_of(e);
            if (!ft_.valid(target)) return fail("entry points outside the frame table", f, i);
            const FrameInfo& ti = ft_.info(target);
            if (ti.owner == owner_hypervisor) return fail("hypervisor frame reachable from a guest table", f, i);
            if (ti.owner != fi.owner) return fail("entry points to a frame its table's owner does not own", f, i);
            ++s_.refs[target.raw];
            if (level > 1) {
                if (ti.type != table_type(level - 1) || !ti.has(frame_flag::validated))
                    return fail("entry points to a frame that is not a validated next-level table", f, i);
                ++s_.types[target.raw];
            } else if ((e & pte::rw) != 0) {
                if (ti.type != FrameType::writable) return fail("writable mapping of a frame not typed writable", f, i);
                ++s_.types[target.raw];
                ++s_.writable_maps[target.raw];
            }
        }
        return true;
    }

    bool count_root(const MmCheckDomain& d, Mfn r) {
        if (!ft_.owned_by(r, d.dom->id)) return fail("vCPU root not owned by its domain", r, 0);
        const FrameInfo& ri = ft_.info(r);
        if (ri.type != FrameType::l4 || !ri.has(frame_flag::validated)) return fail("vCPU root not a validated L4", r, 0);
        ++s_.refs[r.raw];
        ++s_.types[r.raw];
        return true;
    }

    bool accounting(const MmCheckDomain& d) {
        uint64_t owned = 0;
        for (uint64_t i = 0; i < ft_.size(); ++i) {
            const FrameInfo& fi = ft_.info(Mfn(i));
            if (fi.owner == d.dom->id && !fi.has(frame_flag::special)) ++owned;
        }
        if (owned != d.dom->tot_pages) return fail("tot_pages differs from the frames owned", Mfn(0), 0);
        if (d.dom->tot_pages > d.dom->max_pages) return fail("domain over its maximum", Mfn(0), 0);
        return true;
    }

    const FrameTable& ft_;
    FrameAccess& access_;
    const uint64_t* slots_;
    kstd::span<const MmCheckDomain> domains_;
    MmCheckScratch s_;
    MmViolation* out_;
};

}  // namespace

bool mm_check(const FrameTable& frames, FrameAccess& access, const uint64_t* hypervisor_slots,
              kstd::span<const MmCheckDomain> domains, MmCheckScratch scratch, MmViolation* out) {
    return Checker(frames, access, hypervisor_slots, domains, scratch, out).run();
}

}  // namespace core
