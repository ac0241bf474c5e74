// The extended MMU operations (Xen's mmuext_op): pinning tables, loading
// new roots, and the TLB flushes a guest asks for. Each operation is all
// or nothing.
#pragma once

#include <stdint.h>

#include "core/addr.h"
#include "core/mm.h"
#include "core/page_table.h"
#include "kstd/result.h"

namespace core {

// Pins f as a table of `level` (1-4): the pin holds a reference and a type
// reference, so the table stays validated while nothing else uses it and
// the guest can build and tear down address spaces around it.
//   Error::inval: level not 1-4.  Error::perm: f is not d's.
//   Error::exist: already pinned.  Otherwise what validation gives
//   (Error::busy if f is in use as something else, page_table.h).
[[nodiscard]] kstd::Result<void> mmuext_pin(MmContext& ctx, MmDomain& d, Mfn f, int level);
// Error::perm: f is not d's.  Error::inval: not pinned.
[[nodiscard]] kstd::Result<void> mmuext_unpin(MmContext& ctx, MmDomain& d, Mfn f);

// Makes new_root the root in *slot (a vCPU's kernel or user root): takes a
// reference and an L4 type reference on it (validating it if need be),
// then drops those of the old root. Mfn 0 means "no root" (frame 0 is
// never a guest's) and is accepted only when may_be_none (the user root).
//   Error::perm: not d's frame.  Error::inval: Mfn 0 where a root is
//   needed.  Otherwise what validation as an L4 gives.
// Adds the CR3 reload to *flush when `live` (the slot is the running
// address space).
// Inline: a process switch makes two of these, and the common case (a
// root that is already a validated L4, pinned by its guest) is a few
// counter updates.
[[nodiscard]] [[gnu::always_inline]] inline kstd::Result<void> mmuext_new_root(MmContext& ctx, MmDomain& d,
                                                                                Mfn* slot, Mfn new_root,
                                                                                bool may_be_none, bool live,
                                                                                FlushRequest* flush) {
    if (new_root.raw == 0) {
        if (!may_be_none) return kstd::Error::inval;
    } else if (!ctx.frames.try_get_fast(new_root, d.id, FrameType::l4)) [[unlikely]] {
        if (!ctx.frames.owned_by(new_root, d.id)) return kstd::Error::perm;
        TRY(get_table_ref(ctx, new_root, d.id, FrameType::l4));
    }
    if (slot->raw != 0) put_table_ref(ctx, *slot);
    *slot = new_root;
    if (live) flush->add_all(false);
    return kstd::ok();
}
// Drops a root reference (the vCPU goes away) and clears *slot.
void drop_root(MmContext& ctx, Mfn* slot);

// Guest-requested flushes. Error::inval for a va that is not canonical.
void mmuext_flush(FlushRequest* flush, bool all_cpus);
[[nodiscard]] kstd::Result<void> mmuext_invlpg(FlushRequest* flush, uint64_t va, bool all_cpus);

}  // namespace core
