// A domain's memory reservation (Xen's memory_op): growing and shrinking
// it frame by frame, the queries, and giving everything back when the
// domain is destroyed. PV guests name frames by machine frame number and
// keep their own pseudo-physical map.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/mm.h"
#include "kstd/result.h"
#include "kstd/span.h"

namespace core {

// Where frames come from and go back to (the frame allocator).
class FramePool {
public:
    [[nodiscard]] virtual kstd::Result<Mfn> alloc() = 0;
    virtual void free(Mfn f) = 0;

protected:
    ~FramePool() = default;
};

// Most frames one call moves; a guest with more makes more calls.
inline constexpr size_t memory_op_max = 512;

// Gives d out.size() new zeroed frames and writes their numbers to out.
//   Error::too_big: more than memory_op_max.  Error::nomem: over d's
//   maximum or out of memory (then nothing was taken).
[[nodiscard]] kstd::Result<void> increase_reservation(MmContext& ctx, MmDomain& d, FramePool& pool,
                                                      kstd::span<Mfn> out);
// Takes the frames back from d, all or none.
//   Error::too_big: more than memory_op_max.  Error::perm: a frame is not
//   d's, or is a special (hypervisor-provided) frame.  Error::busy: a
//   frame is still mapped, in use as a table, pinned or a root.
//   Error::inval: a frame is listed twice.
// TLBs are flushed before the frames go back to the pool.
[[nodiscard]] kstd::Result<void> decrease_reservation(MmContext& ctx, MmDomain& d, FramePool& pool,
                                                      kstd::span<const Mfn> frames);

// Error::inval below what d owns now.
[[nodiscard]] kstd::Result<void> set_max_pages(MmDomain& d, uint64_t max_pages);
// Writes up to out.size() of d's (counted) frames, lowest first, and
// returns how many d has in all.
size_t list_frames(const FrameTable& frames, const MmDomain& d, kstd::span<Mfn> out);

// Destroy: unpins all of d's tables and gives every frame d owns back to
// the pool (special ones too), after a TLB flush. Every vCPU root must be
// dropped first (drop_root); Error::busy if a frame is still referenced,
// in which case nothing but the unpinning has happened.
[[nodiscard]] kstd::Result<void> release_domain(MmContext& ctx, MmDomain& d, FramePool& pool);

}  // namespace core
