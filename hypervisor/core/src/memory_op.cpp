#include "core/memory_op.h"

#include "core/page_table.h"
#include "core/pte.h"

namespace core {
namespace {

using kstd::Error;

void zero_frame(MmContext& ctx, Mfn f) {
    // SAFETY: f was just allocated and is a frame of the table.
    uint64_t* p = ctx.access.map_table(f);
    for (uint32_t i = 0; i < pte::entries; ++i) p[i] = 0;
}

}  // namespace

kstd::Result<void> increase_reservation(MmContext& ctx, MmDomain& d, FramePool& pool, kstd::span<Mfn> out) {
    if (out.size() > memory_op_max) return Error::too_big;
    if (out.size() > d.max_pages - d.tot_pages) return Error::nomem;  // tot_pages <= max_pages always
    size_t taken = 0;
    auto undo = [&]() {
        // Newest first, so that an allocator that hands out the most
        // recently freed frame ends up exactly as it was.
        for (size_t i = taken; i-- > 0;) {
            (void)ctx.frames.unassign(out[i], d);  // unreferenced: cannot fail
            pool.free(out[i]);
        }
    };
    for (; taken < out.size(); ++taken) {
        kstd::Result<Mfn> f = pool.alloc();
        if (f.is_error() || ctx.frames.assign(f.value(), d).is_error()) {
            if (f.is_ok()) pool.free(f.value());
            undo();
            return Error::nomem;
        }
        out[taken] = f.value();
    }
    // Zeroed so that nothing of an earlier owner reaches this domain; only
    // now, so that a refused call has not even touched a free frame.
    for (Mfn f : out) zero_frame(ctx, f);
    return kstd::ok();
}

kstd::Result<void> decrease_reservation(MmContext& ctx, MmDomain& d, FramePool& pool, kstd::span<const Mfn> frames) {
    if (frames.size() > memory_op_max) return Error::too_big;
    for (size_t i = 0; i < frames.size(); ++i) {
        Mfn f = frames[i];
        if (!ctx.frames.owned_by(f, d.id)) return Error::perm;
        const FrameInfo& fi = ctx.frames.info(f);
        if (fi.has(frame_flag::special)) return Error::perm;
        if (fi.ref_count != 0 || fi.type_count != 0 || fi.has(frame_flag::pinned)) return Error::busy;
        for (size_t j = 0; j < i; ++j)
            if (frames[j] == f) return Error::inval;
    }
    for (Mfn f : frames) (void)ctx.frames.unassign(f, d);  // checked above
    // A TLB may still translate to a frame whose last mapping went away
    // without a flush; the next owner must not be reachable through it.
    if (!frames.empty()) ctx.tlb.flush_domain(d.id);
    for (Mfn f : frames) pool.free(f);
    return kstd::ok();
}

kstd::Result<void> set_max_pages(MmDomain& d, uint64_t max_pages) {
    if (max_pages < d.tot_pages) return Error::inval;
    d.max_pages = max_pages;
    return kstd::ok();
}

size_t list_frames(const FrameTable& frames, const MmDomain& d, kstd::span<Mfn> out) {
    size_t n = 0;
    for (uint64_t i = 0; i < frames.size(); ++i) {
        const FrameInfo& fi = frames.info(Mfn(i));
        if (fi.owner != d.id || fi.has(frame_flag::special)) continue;
        if (n < out.size()) out[n] = Mfn(i);
        ++n;
    }
    return n;
}

kstd::Result<void> release_domain(MmContext& ctx, MmDomain& d, FramePool& pool) {
    for (uint64_t i = 0; i < ctx.frames.size(); ++i) {
        Mfn f(i);
        if (ctx.frames.owned_by(f, d.id) && ctx.frames.info(f).has(frame_flag::pinned)) {
            ctx.frames.clear_flag(f, frame_flag::pinned);
            put_table_ref(ctx, f);
        }
    }
    for (uint64_t i = 0; i < ctx.frames.size(); ++i) {
        const FrameInfo& fi = ctx.frames.info(Mfn(i));
        if (fi.owner == d.id && (fi.ref_count != 0 || fi.type_count != 0)) return Error::busy;
    }
    ctx.tlb.flush_domain(d.id);
    for (uint64_t i = 0; i < ctx.frames.size(); ++i) {
        Mfn f(i);
        if (!ctx.frames.owned_by(f, d.id)) continue;
        (void)ctx.frames.unassign(f, d);  // unreferenced, checked above
        pool.free(f);
    }
    return kstd::ok();
}

}  // namespace core
