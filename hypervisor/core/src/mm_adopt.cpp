#include "core/mm_adopt.h"

#include "core/mmuext.h"
#include "core/page_table.h"

namespace core {
namespace {

using kstd::Error;

}  // namespace

kstd::Result<void> adopt_built_domain(MmContext& ctx, MmDomain& md, const Domain& d, Vcpu& v0) {
    // Decode: every frame must be free in the frame table before any is
    // taken, so that a refusal leaves no trace.
    if (md.id != d.id || v0.kernel_root.raw == 0) return Error::inval;
    if (d.nr_pages > md.max_pages - md.tot_pages) return Error::nomem;
    for (uint64_t p = 0; p < d.nr_pages; ++p) {
        if (!ctx.frames.valid(d.frame_list[p])) return Error::perm;
        if (ctx.frames.info(d.frame_list[p]).owner != owner_none) return Error::exist;
    }
    if (!ctx.frames.valid(d.shared_info_mfn)) return Error::perm;
    if (ctx.frames.info(d.shared_info_mfn).owner != owner_none) return Error::exist;

    uint64_t assigned = 0;
    bool shared_assigned = false;
    Mfn kroot, uroot;
    bool kpinned = false, upinned = false;
    auto undo = [&]() {
        drop_root(ctx, &uroot);
        drop_root(ctx, &kroot);
        if (upinned) (void)mmuext_unpin(ctx, md, v0.user_root);
        if (kpinned) (void)mmuext_unpin(ctx, md, v0.kernel_root);
        if (shared_assigned) (void)ctx.frames.unassign(d.shared_info_mfn, md);
        for (uint64_t p = 0; p < assigned; ++p) (void)ctx.frames.unassign(d.frame_list[p], md);
    };
    auto fail = [&](Error e) -> kstd::Result<void> {
        undo();
        return e;
    };

    for (; assigned < d.nr_pages; ++assigned) {
        // A frame listed twice is owned by the time its second turn comes.
        kstd::Result<void> r = ctx.frames.assign(d.frame_list[assigned], md);
        if (r.is_error()) return fail(r.error());
    }
    if (kstd::Result<void> r = ctx.frames.assign(d.shared_info_mfn, md, true); r.is_error()) return fail(r.error());
    shared_assigned = true;

    if (kstd::Result<void> r = mmuext_pin(ctx, md, v0.kernel_root, 4); r.is_error()) return fail(r.error());
    kpinned = true;
    if (v0.user_root.raw != 0 && v0.user_root != v0.kernel_root) {
        if (kstd::Result<void> r = mmuext_pin(ctx, md, v0.user_root, 4); r.is_error()) return fail(r.error());
        upinned = true;
    }
    if (kstd::Result<void> r = get_table_ref(ctx, v0.kernel_root, md.id, FrameType::l4); r.is_error())
        return fail(r.error());
    kroot = v0.kernel_root;
    if (v0.user_root.raw != 0) {
        if (kstd::Result<void> r = get_table_ref(ctx, v0.user_root, md.id, FrameType::l4); r.is_error())
            return fail(r.error());
        uroot = v0.user_root;
    }
    return kstd::ok();
}

}  // namespace core
