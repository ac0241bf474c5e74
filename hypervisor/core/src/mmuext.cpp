#include "core/mmuext.h"

#include "core/page_table.h"

namespace core {
namespace {

using kstd::Error;

}  // namespace

kstd::Result<void> mmuext_pin(MmContext& ctx, MmDomain& d, Mfn f, int level) {
    if (level < 1 || level > 4) return Error::inval;
    if (!ctx.frames.owned_by(f, d.id)) return Error::perm;
    if (ctx.frames.info(f).has(frame_flag::pinned)) return Error::exist;
    TRY(get_table_ref(ctx, f, d.id, table_type(level)));
    ctx.frames.set_flag(f, frame_flag::pinned);
    return kstd::ok();
}

kstd::Result<void> mmuext_unpin(MmContext& ctx, MmDomain& d, Mfn f) {
    if (!ctx.frames.owned_by(f, d.id)) return Error::perm;
    if (!ctx.frames.info(f).has(frame_flag::pinned)) return Error::inval;
    ctx.frames.clear_flag(f, frame_flag::pinned);
    put_table_ref(ctx, f);
    return kstd::ok();
}

void drop_root(MmContext& ctx, Mfn* slot) {
    if (slot->raw != 0) put_table_ref(ctx, *slot);
    *slot = Mfn();
}

void mmuext_flush(FlushRequest* flush, bool all_cpus) { flush->add_all(all_cpus); }

kstd::Result<void> mmuext_invlpg(FlushRequest* flush, uint64_t va, bool all_cpus) {
    if (!is_canonical(va)) return Error::inval;
    flush->add_page(va & ~(page_size - 1), all_cpus);
    return kstd::ok();
}

}  // namespace core
