#include "core/frame_allocator.h"

#include "kstd/utility.h"

namespace core {
namespace {

constexpr uint64_t bits_per_word = 64;
constexpr uint64_t low_memory_end = 0x100000;  // 1 MiB

// Frames wholly inside a usable range: partial frames at either edge are
// left out, because handing one out would hand out bytes the firmware did
// not promise.
struct FrameSpan {
    uint64_t first;
    uint64_t end;
};

FrameSpan whole_frames(const PhysRange& r) {
    uint64_t first = r.base / page_size + (r.base % page_size != 0 ? 1 : 0);
    uint64_t end = range_end(r) / page_size;
    return {first, end > first ? end : first};
}

// Frames a reserved range touches at all, even by one byte.
FrameSpan touched_frames(const PhysRange& r) {
    if (r.length == 0) return {0, 0};
    uint64_t end = range_end(r);
    return {r.base / page_size, end / page_size + (end % page_size != 0 ? 1 : 0)};
}

uint64_t frame_limit(kstd::span<const PhysRange> usable) {
    uint64_t limit = 0;
    for (const PhysRange& r : usable) {
        FrameSpan s = whole_frames(r);
        if (s.end > s.first) limit = kstd::max(limit, s.end);
    }
    return limit;
}

size_t words_for_frames(uint64_t frames) { return (frames + bits_per_word - 1) / bits_per_word; }

uint64_t bit(uint64_t frame) { return uint64_t{1} << (frame % bits_per_word); }

// Sets or clears bits [first, end), a word at a time where it can: a large
// machine has hundreds of millions of frames.
void fill(uint64_t* map, uint64_t first, uint64_t end, bool value) {
    while (first < end && first % bits_per_word != 0) {
        if (value) map[first / bits_per_word] |= bit(first);
        else map[first / bits_per_word] &= ~bit(first);
        ++first;
    }
    for (; first + bits_per_word <= end; first += bits_per_word)
        map[first / bits_per_word] = value ? ~uint64_t{0} : 0;
    for (; first < end; ++first) {
        if (value) map[first / bits_per_word] |= bit(first);
        else map[first / bits_per_word] &= ~bit(first);
    }
}

// True if frames [first, first + count) lie inside one usable range's whole
// frames, avoid frame 0 and touch no reserved range. Works in frame numbers
// so that ranges ending at the top of the address space cannot wrap.
bool fits(uint64_t first, uint64_t count, kstd::span<const PhysRange> usable,
          kstd::span<const PhysRange> reserved) {
    uint64_t end = 0;
    if (first == 0 || kstd::add_overflows(first, count, &end)) return false;
    bool inside = false;
    for (const PhysRange& r : usable) {
        FrameSpan s = whole_frames(r);
        if (first >= s.first && end <= s.end) inside = true;
    }
    if (!inside) return false;
    for (const PhysRange& r : reserved) {
        FrameSpan s = touched_frames(r);
        if (first < s.end && end > s.first) return false;
    }
    return true;
}

}  // namespace

size_t FrameAllocator::bitmap_words_for(kstd::span<const PhysRange> usable) {
    return 2 * words_for_frames(frame_limit(usable));
}

kstd::Result<uint64_t> FrameAllocator::find_placement(kstd::span<const PhysRange> usable,
                                                      kstd::span<const PhysRange> reserved,
                                                      size_t bytes) {
    if (bytes == 0) return kstd::Error::inval;
    uint64_t count = bytes / page_size + (bytes % page_size != 0 ? 1 : 0);
    constexpr uint64_t low_end_frame = low_memory_end / page_size;
    // The lowest fitting frame is always frame 1, the first whole frame of a
    // usable range, the frame after a reserved range, or the 1 MiB line.
    uint64_t best_high = ~uint64_t{0};
    uint64_t best_low = ~uint64_t{0};
    auto consider = [&](uint64_t candidate) {
        if (!fits(candidate, count, usable, reserved)) return;
        uint64_t& best = candidate >= low_end_frame ? best_high : best_low;
        best = kstd::min(best, candidate);
    };
    consider(1);
    consider(low_end_frame);
    for (const PhysRange& r : usable) consider(whole_frames(r).first);
    for (const PhysRange& r : reserved) consider(touched_frames(r).end);
    if (best_high != ~uint64_t{0}) return best_high * page_size;
    if (best_low != ~uint64_t{0}) return best_low * page_size;
    return kstd::Error::nomem;
}

kstd::Result<FrameAllocator> FrameAllocator::create(kstd::span<const PhysRange> usable,
                                                    kstd::span<const PhysRange> reserved,
                                                    uint64_t* bitmap_storage, size_t bitmap_words) {
    uint64_t limit = frame_limit(usable);
    size_t words = words_for_frames(limit);
    if (words > 0 && bitmap_storage == nullptr) return kstd::Error::inval;
    if (bitmap_words < 2 * words) return kstd::Error::nospc;

    FrameAllocator fa(bitmap_storage, bitmap_storage + words, words, limit);
    fill(fa.usable_map_, 0, words * bits_per_word, false);
    for (const PhysRange& r : usable) {
        FrameSpan s = whole_frames(r);
        fill(fa.usable_map_, s.first, s.end, true);
    }
    for (const PhysRange& r : reserved) {
        FrameSpan s = touched_frames(r);
        fill(fa.usable_map_, kstd::min(s.first, limit), kstd::min(s.end, limit), false);
    }
    // Frame 0 holds the real-mode IVT and BIOS data, and a zero frame number
    // too easily passes for "no frame".
    if (limit > 0) fill(fa.usable_map_, 0, 1, false);

    for (size_t i = 0; i < words; ++i) {
        fa.free_map_[i] = fa.usable_map_[i];
        fa.total_count_ += static_cast<size_t>(__builtin_popcountll(fa.usable_map_[i]));
    }
    fa.free_count_ = fa.total_count_;
    return fa;
}

bool FrameAllocator::test(const uint64_t* map, uint64_t frame) const {
    return frame < frame_limit_ && (map[frame / bits_per_word] & bit(frame)) != 0;
}

bool FrameAllocator::is_free(Mfn frame) const { return test(free_map_, frame.raw); }
bool FrameAllocator::is_allocatable(Mfn frame) const { return test(usable_map_, frame.raw); }

uint64_t FrameAllocator::find_run(uint64_t from, size_t count, uint64_t align) const {
    uint64_t candidate = kstd::align_up(from, align);
    while (candidate < frame_limit_) {
        // Skip ahead to the next free frame a word at a time.
        size_t w = candidate / bits_per_word;
        uint64_t word = free_map_[w] & (~uint64_t{0} << (candidate % bits_per_word));
        while (word == 0 && ++w < words_) word = free_map_[w];
        if (word == 0) break;
        candidate = kstd::align_up(w * bits_per_word + static_cast<uint64_t>(__builtin_ctzll(word)), align);
        if (candidate >= frame_limit_ || count > frame_limit_ - candidate) break;

        uint64_t busy = candidate;
        while (busy < candidate + count && test(free_map_, busy)) ++busy;
        if (busy == candidate + count) return candidate;
        candidate = kstd::align_up(busy + 1, align);
    }
    return frame_limit_;
}

void FrameAllocator::mark_allocated(uint64_t first, size_t count) {
    fill(free_map_, first, first + count, false);
    free_count_ -= count;
    while (first_free_word_ < words_ && free_map_[first_free_word_] == 0) ++first_free_word_;
}

kstd::Result<Mfn> FrameAllocator::alloc() { return alloc_contiguous(1, 1); }

kstd::Result<Mfn> FrameAllocator::alloc_contiguous(size_t count, size_t align_frames) {
    if (count == 0 || align_frames == 0 || (align_frames & (align_frames - 1)) != 0)
        return kstd::Error::inval;
    if (count > free_count_) return kstd::Error::nomem;
    uint64_t first = find_run(first_free_word_ * bits_per_word, count, align_frames);
    if (first >= frame_limit_) return kstd::Error::nomem;
    mark_allocated(first, count);
    return Mfn(first);
}

kstd::Result<void> FrameAllocator::free(Mfn frame) { return free_contiguous(frame, 1); }

kstd::Result<void> FrameAllocator::free_contiguous(Mfn first, size_t count) {
    if (count == 0 || first.raw >= frame_limit_ || count > frame_limit_ - first.raw)
        return kstd::Error::inval;
    for (uint64_t f = first.raw; f < first.raw + count; ++f)
        if (!test(usable_map_, f)) return kstd::Error::inval;
    for (uint64_t f = first.raw; f < first.raw + count; ++f)
        if (test(free_map_, f)) return kstd::Error::already;

    fill(free_map_, first.raw, first.raw + count, true);
    free_count_ += count;
    first_free_word_ = kstd::min<size_t>(first_free_word_, first.raw / bits_per_word);
    return kstd::ok();
}

}  // namespace core
