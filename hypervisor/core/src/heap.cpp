#include "core/heap.h"

#include "kstd/utility.h"

namespace core {

struct Heap::Block {
    uint64_t size;       // the whole block, header included; a multiple of 16
    uint64_t prev_size;  // the physically preceding block's size, 0 for the first
    uint32_t magic;      // magic_used or magic_free
    uint32_t check;      // check_word() of the fields above and the address
    uint64_t unused;
    // Free blocks only: the free-list links, in what would be the payload.
    Block* next_free;
    Block* prev_free;
};

namespace {

constexpr uint32_t magic_used = 0xa110c8ed;
constexpr uint32_t magic_free = 0xf4eeb10c;
constexpr uint64_t granule = 16;
// A free block must hold its header and its list links.
constexpr uint64_t min_block = 48;

uint32_t check_word(uintptr_t addr, uint64_t size, uint64_t prev_size, uint32_t magic) {
    uint64_t x = addr ^ (size * 0x9e3779b97f4a7c15) ^ (prev_size * 0xc2b2ae3d27d4eb4f) ^ magic;
    return static_cast<uint32_t>(x ^ (x >> 32));
}

uintptr_t addr_of(const void* p) { return reinterpret_cast<uintptr_t>(p); }

}  // namespace

kstd::Result<Heap> Heap::create(void* base, size_t size) {
    static_assert(__builtin_offsetof(Block, next_free) == header_size);
    static_assert(sizeof(Block) <= min_block);
    if (base == nullptr) return kstd::Error::inval;
    uintptr_t raw_end = 0;
    if (kstd::add_overflows(addr_of(base), size, &raw_end)) return kstd::Error::inval;
    uintptr_t begin = kstd::align_up<uintptr_t>(addr_of(base), granule);
    uintptr_t end = kstd::align_down<uintptr_t>(raw_end, granule);
    if (end < begin || end - begin < min_block) return kstd::Error::inval;

    Heap heap(begin, end);
    // SAFETY: the caller gave us [base, base + size) and begin is inside it
    // with at least min_block bytes after it.
    Block* b = new (reinterpret_cast<void*>(begin)) Block{};
    b->size = end - begin;
    heap.seal(b, magic_free);
    heap.list_insert(b);
    heap.bytes_free_ = b->size;
    return heap;
}

Heap::Block* Heap::first_block() const {
    // SAFETY: begin_ is the first block header, set up by create().
    return reinterpret_cast<Block*>(begin_);
}

Heap::Block* Heap::next_block(const Block* b) const {
    uintptr_t next = addr_of(b) + b->size;
    // SAFETY: header_ok() bounded b->size, so next is a header inside the region.
    return next < end_ ? reinterpret_cast<Block*>(next) : nullptr;
}

Heap::Block* Heap::prev_block(const Block* b) const {
    // SAFETY: header_ok() bounded prev_size by the distance to begin_.
    return b->prev_size == 0 ? nullptr : reinterpret_cast<Block*>(addr_of(b) - b->prev_size);
}

bool Heap::header_ok(const Block* b) const {
    uintptr_t a = addr_of(b);
    if (a < begin_ || a % granule != 0 || end_ - a < min_block) return false;
    if (b->magic != magic_used && b->magic != magic_free) return false;
    if (b->size < min_block || b->size % granule != 0 || b->size > end_ - a) return false;
    if ((b->prev_size == 0) != (a == begin_)) return false;
    if (b->prev_size % granule != 0 || b->prev_size > a - begin_) return false;
    return b->check == check_word(a, b->size, b->prev_size, b->magic);
}

void Heap::seal(Block* b, uint32_t magic) {
    b->magic = magic;
    b->check = check_word(addr_of(b), b->size, b->prev_size, magic);
}

void Heap::set_size(Block* b, uint64_t size) {
    b->size = size;
    seal(b, b->magic);
    if (Block* next = next_block(b)) {
        next->prev_size = size;
        seal(next, next->magic);
    }
}

void Heap::list_insert(Block* b) {
    b->prev_free = nullptr;
    b->next_free = free_head_;
    if (free_head_ != nullptr) free_head_->prev_free = b;
    free_head_ = b;
}

void Heap::list_remove(Block* b) {
    if (b->prev_free != nullptr) b->prev_free->next_free = b->next_free;
    else free_head_ = b->next_free;
    if (b->next_free != nullptr) b->next_free->prev_free = b->prev_free;
}

Heap::Block* Heap::split(Block* b, uint64_t keep) {
    uint64_t rest_size = b->size - keep;
    // SAFETY: keep < b->size - min_block, so the new header lies inside b.
    Block* rest = new (reinterpret_cast<void*>(addr_of(b) + keep)) Block{};
    rest->prev_size = keep;
    rest->magic = magic_free;
    set_size(rest, rest_size);
    set_size(b, keep);
    list_insert(rest);
    return rest;
}

kstd::Result<void*> Heap::alloc(size_t size, size_t align) {
    if (size == 0 || align == 0 || (align & (align - 1)) != 0) return kstd::Error::inval;
    align = kstd::max<size_t>(align, granule);
    if (size > capacity() || align > capacity()) return kstd::Error::nomem;
    uint64_t payload = kstd::align_up<uint64_t>(size, granule);

    for (Block* b = free_head_; b != nullptr; b = b->next_free) {
        uintptr_t start = addr_of(b) + header_size;
        uintptr_t a = kstd::align_up<uintptr_t>(start, align);
        // A gap in front must become a free block of its own.
        if (a != start && a - start < min_block) a = kstd::align_up<uintptr_t>(start + min_block, align);
        uintptr_t block_end = addr_of(b) + b->size;
        if (a > block_end || payload > block_end - a) continue;

        if (a != start) b = split(b, a - start);
        uint64_t need = header_size + payload;
        if (b->size - need >= min_block) split(b, need);
        list_remove(b);
        seal(b, magic_used);
        bytes_free_ -= b->size;
        // SAFETY: a is the payload of the block we just took, inside the region.
        return reinterpret_cast<void*>(a);
    }
    return kstd::Error::nomem;
}

kstd::Result<void> Heap::free(void* p) {
    uintptr_t a = addr_of(p);
    if (a < begin_ + header_size || a >= end_ || a % granule != 0) return kstd::Error::inval;
    // SAFETY: a - header_size is inside the region; header_ok() reads only
    // the header and validates it before anything else trusts it.
    Block* b = reinterpret_cast<Block*>(a - header_size);
    if (!header_ok(b)) return kstd::Error::inval;
    if (b->magic == magic_free) return kstd::Error::already;
    Block* next = next_block(b);
    Block* prev = prev_block(b);
    if (next != nullptr && (!header_ok(next) || next->prev_size != b->size)) return kstd::Error::inval;
    if (prev != nullptr && (!header_ok(prev) || prev->size != b->prev_size)) return kstd::Error::inval;

    bytes_free_ += b->size;
    seal(b, magic_free);
    if (next != nullptr && next->magic == magic_free) {
        list_remove(next);
        set_size(b, b->size + next->size);
    }
    if (prev != nullptr && prev->magic == magic_free) {
        set_size(prev, prev->size + b->size);  // prev is already on the list
    } else {
        list_insert(b);
    }
    return kstd::ok();
}

size_t Heap::largest_free() const {
    uint64_t best = 0;
    for (const Block* b = free_head_; b != nullptr; b = b->next_free) best = kstd::max(best, b->size);
    return best == 0 ? 0 : best - header_size;
}

kstd::Result<void> Heap::check() const {
    size_t free_blocks = 0;
    uint64_t free_bytes = 0;
    uint64_t expect_prev = 0;
    bool prev_free = false;
    for (const Block* b = first_block(); b != nullptr; b = next_block(b)) {
        if (!header_ok(b) || b->prev_size != expect_prev) return kstd::Error::inval;
        bool is_free = b->magic == magic_free;
        if (is_free && prev_free) return kstd::Error::inval;  // missed a merge
        if (is_free) {
            ++free_blocks;
            free_bytes += b->size;
        }
        prev_free = is_free;
        expect_prev = b->size;
    }
    if (free_bytes != bytes_free_) return kstd::Error::inval;

    // Every listed block must be a valid free block with a matching back
    // link; counting bounds the walk even if the list has a cycle.
    size_t listed = 0;
    const Block* back = nullptr;
    for (const Block* b = free_head_; b != nullptr; b = b->next_free) {
        if (++listed > free_blocks) return kstd::Error::inval;
        if (!header_ok(b) || b->magic != magic_free || b->prev_free != back) return kstd::Error::inval;
        back = b;
    }
    if (listed != free_blocks) return kstd::Error::inval;
    return kstd::ok();
}

}  // namespace core
