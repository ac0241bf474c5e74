// A small first-fit heap over one contiguous region the caller hands in.
//
// Every block starts with a header that records its size, its physical
// neighbour's size, and a magic that says whether it is allocated; a check
// word ties those fields to the header's own address, so a stray write or a
// pointer into the middle of a block is caught rather than trusted. Free
// blocks also sit on a doubly linked free list, and a freed block is merged
// with free neighbours at once, so no two free blocks are ever adjacent.
//
// Not thread-safe: the owner wraps it in a lock. Move-only, since two copies
// would keep diverging counters over one region.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kstd/result.h"

namespace core {

class Heap {
public:
    // Takes [base, base + size), trimmed inward to 16-byte alignment.
    // Error::inval for a null base or a region too small for one block.
    [[nodiscard]] static kstd::Result<Heap> create(void* base, size_t size);

    Heap(Heap&& o) = default;
    Heap(const Heap&) = delete;
    Heap& operator=(const Heap&) = delete;

    // `size` bytes aligned to `align`, a power of two of at least 16 (smaller
    // values are raised to 16). Error::inval for size 0 or a bad alignment,
    // Error::nomem when no free block fits; the heap stays usable.
    [[nodiscard]] kstd::Result<void*> alloc(size_t size, size_t align = 16);

    // Error::already for a block that is already free, Error::inval for a
    // pointer this heap did not return or whose header is damaged.
    [[nodiscard]] kstd::Result<void> free(void* p);

    // Bytes in free and in allocated blocks, headers included; the two
    // always add up to capacity().
    size_t bytes_free() const { return bytes_free_; }
    size_t bytes_used() const { return capacity() - bytes_free_; }
    size_t capacity() const { return static_cast<size_t>(end_ - begin_); }
    // The largest request alloc(n) is sure to satisfy with align 16.
    size_t largest_free() const;

    // Walks every block and the free list and verifies headers, check
    // words, sizes, neighbour links, coalescing and the counters.
    // Error::inval on the first inconsistency.
    [[nodiscard]] kstd::Result<void> check() const;

    // Bytes a block header takes in front of each allocation.
    static constexpr size_t header_size = 32;

private:
    struct Block;

    Heap(uintptr_t begin, uintptr_t end) : begin_(begin), end_(end) {}

    Block* first_block() const;
    Block* next_block(const Block* b) const;
    Block* prev_block(const Block* b) const;
    bool header_ok(const Block* b) const;
    void seal(Block* b, uint32_t magic);
    void set_size(Block* b, uint64_t size);
    void list_insert(Block* b);
    void list_remove(Block* b);
    // Splits [b, b + keep) off the front of free block b and returns the
    // remainder as a new free block (both on the free list).
    Block* split(Block* b, uint64_t keep);

    uintptr_t begin_;
    uintptr_t end_;
    Block* free_head_ = nullptr;
    size_t bytes_free_ = 0;
};

}  // namespace core
