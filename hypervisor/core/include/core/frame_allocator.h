// The physical frame allocator: one bit per machine frame, built once from
// the boot memory map. It hands out the lowest free frame first, because
// early boot code (AP trampolines, legacy DMA) needs low frames and
// allocating upwards keeps them available as long as possible.
//
// The bitmap storage belongs to the caller, who finds room for it with
// find_placement() and then lists that room among the reserved ranges.
// Not thread-safe: the owner wraps it in a lock.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/phys_range.h"
#include "kstd/result.h"
#include "kstd/span.h"

namespace core {

class FrameAllocator {
public:
    // Words of storage create() needs for this memory map: two bitmaps
    // (frames currently free, and frames that may ever be handed out), each
    // covering frames 0 up to the highest whole usable frame.
    static size_t bitmap_words_for(kstd::span<const PhysRange> usable);

    // A page-aligned physical address where `bytes` fit inside one usable
    // range without touching a reserved range or frame 0. Prefers memory at
    // or above 1 MiB and takes the lowest such address; falls back to low
    // memory only if nothing above fits. Error::inval for bytes == 0,
    // Error::nomem if nothing fits.
    [[nodiscard]] static kstd::Result<uint64_t> find_placement(kstd::span<const PhysRange> usable,
                                                               kstd::span<const PhysRange> reserved,
                                                               size_t bytes);

    // Frames wholly inside a usable range and not touching any reserved
    // range become free; all others (frame 0, partial frames at range edges,
    // holes) are never handed out. Error::nospc if bitmap_words is below
    // bitmap_words_for(usable), Error::inval if the storage is null.
    [[nodiscard]] static kstd::Result<FrameAllocator> create(kstd::span<const PhysRange> usable,
                                                             kstd::span<const PhysRange> reserved,
                                                             uint64_t* bitmap_storage,
                                                             size_t bitmap_words);

    // The lowest free frame; Error::nomem when none is left.
    [[nodiscard]] kstd::Result<Mfn> alloc();
    // The lowest run of `count` free frames whose first frame number is a
    // multiple of align_frames (a power of two). Error::inval for a zero
    // count or a bad alignment, Error::nomem if no run fits.
    [[nodiscard]] kstd::Result<Mfn> alloc_contiguous(size_t count, size_t align_frames);

    // Error::inval for a frame that can never be allocated (reserved, a
    // hole, beyond RAM), Error::already if it is already free.
    [[nodiscard]] kstd::Result<void> free(Mfn frame);
    // All-or-nothing: every frame is checked as free() would before any is
    // released.
    [[nodiscard]] kstd::Result<void> free_contiguous(Mfn first, size_t count);

    size_t free_frames() const { return free_count_; }
    size_t total_frames() const { return total_count_; }
    bool is_free(Mfn frame) const;
    // True if the frame is one this allocator manages, free or not.
    bool is_allocatable(Mfn frame) const;

private:
    FrameAllocator(uint64_t* free_map, uint64_t* usable_map, size_t words, uint64_t frame_limit)
        : free_map_(free_map), usable_map_(usable_map), words_(words), frame_limit_(frame_limit) {}

    bool test(const uint64_t* map, uint64_t frame) const;
    void mark_allocated(uint64_t first, size_t count);
    // The first frame of the lowest free run of `count` frames at or after
    // `from` with the given alignment, or frame_limit_ if there is none.
    uint64_t find_run(uint64_t from, size_t count, uint64_t align) const;

    uint64_t* free_map_;    // bit set: frame is free now
    uint64_t* usable_map_;  // bit set: frame may ever be handed out
    size_t words_;          // words in each map
    uint64_t frame_limit_;  // frames [0, frame_limit_) are covered
    size_t total_count_ = 0;
    size_t free_count_ = 0;
    // Every word below this index has no free bit, so searches start here.
    size_t first_free_word_ = 0;
};

}  // namespace core
