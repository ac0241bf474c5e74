#include "core/frame_table.h"

namespace core {
namespace {

using kstd::Error;

}  // namespace

const char* frame_type_name(FrameType t) {
    switch (t) {
    case FrameType::none: return "none";
    case FrameType::l1: return "L1";
    case FrameType::l2: return "L2";
    case FrameType::l3: return "L3";
    case FrameType::l4: return "L4";
    case FrameType::desc: return "descriptor table";
    case FrameType::writable: return "writable";
    }
    return "?";
}

kstd::Result<FrameTable> FrameTable::create(kstd::span<FrameInfo> storage) {
    if (storage.empty() || storage.data() == nullptr) return Error::inval;
    for (FrameInfo& fi : storage) fi = FrameInfo{};
    return FrameTable(storage);
}

kstd::Result<void> FrameTable::assign(Mfn f, MmDomain& d, bool special) {
    if (!valid(f)) return Error::perm;
    FrameInfo& fi = frames_[f.raw];
    if (fi.owner != owner_none) return Error::exist;
    if (!special && d.tot_pages >= d.max_pages) return Error::nomem;
    fi = FrameInfo{};
    fi.owner = d.id;
    if (special) {
        fi.flags = frame_flag::special;
    } else {
        ++d.tot_pages;
    }
    return kstd::ok();
}

kstd::Result<void> FrameTable::unassign(Mfn f, MmDomain& d) {
    if (!owned_by(f, d.id)) return Error::perm;
    FrameInfo& fi = frames_[f.raw];
    if (fi.ref_count != 0 || fi.type_count != 0 || fi.has(frame_flag::pinned)) return Error::busy;
    if (!fi.has(frame_flag::special)) --d.tot_pages;
    fi = FrameInfo{};
    return kstd::ok();
}

kstd::Result<void> FrameTable::assign_hypervisor(Mfn f) {
    if (!valid(f)) return Error::perm;
    FrameInfo& fi = frames_[f.raw];
    if (fi.owner != owner_none) return Error::exist;
    fi = FrameInfo{};
    fi.owner = owner_hypervisor;
    return kstd::ok();
}

kstd::Result<void> FrameTable::get_page_type_slow(Mfn f, FrameType t, TypeHooks& hooks) {
    FrameInfo& fi = frames_[f.raw];
    if (fi.type_count > 0) {
        if (fi.type != t) return Error::busy;
        // Only a table still being validated further up this call chain
        // can be typed but not validated; levels strictly descend, so that
        // is a table referring to itself.
        if (needs_validation(t) && !fi.has(frame_flag::validated)) return Error::busy;
        if (fi.type_count >= count_limit) return Error::range;
        ++fi.type_count;
        return kstd::ok();
    }

    // 0 -> 1: the type may change here, and only here.
    if (needs_validation(t) && fi.has(frame_flag::special)) return Error::perm;
    FrameType old = fi.type;
    if (old != t && old != FrameType::none) hooks.flush_stale(fi.owner);
    fi.type = t;
    fi.type_count = 1;
    if (needs_validation(t)) {
        kstd::Result<void> r = hooks.validate(f, t);
        if (r.is_error()) {
            fi.type = old;
            fi.type_count = 0;
            return r.error();
        }
        set_flag(f, frame_flag::validated);
    }
    return kstd::ok();
}

void FrameTable::put_last_type(Mfn f, TypeHooks& hooks) {
    FrameInfo& fi = frames_[f.raw];
    if (--fi.type_count > 0) return;
    if (needs_validation(fi.type)) {
        clear_flag(f, frame_flag::validated);
        hooks.devalidate(f, fi.type);
    }
}

}  // namespace core
