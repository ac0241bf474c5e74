#include "pvk/heap.h"

#include <kstd/utility.h>

namespace pvk {
namespace {

// Every block, free or used, starts with this header; free blocks are on
// one list in address order so that kfree can merge neighbours.
struct Block {
    size_t size;  // bytes including the header
    Block* next;  // next free block (free blocks only)
};
constexpr size_t header_size = 16;
constexpr size_t min_block = 32;
static_assert(sizeof(Block) <= header_size);

constinit Block* g_free = nullptr;
constinit size_t g_total = 0;

uint8_t* bytes(Block* b) { return reinterpret_cast<uint8_t*>(b); }

}  // namespace

void heap_init(uint64_t base, uint64_t size) {
    uint64_t start = kstd::align_up<uint64_t>(base, 16);
    uint64_t end = kstd::align_down<uint64_t>(base + size, 16);
    if (end <= start || end - start < min_block) return;
    // SAFETY: the platform hands over [base, base + size) mapped read-write
    // and otherwise unused.
    g_free = reinterpret_cast<Block*>(start);
    g_free->size = end - start;
    g_free->next = nullptr;
    g_total = end - start;
}

void* kmalloc(size_t size) {
    if (size == 0 || size > g_total) return nullptr;
    size_t need = kstd::align_up<size_t>(size + header_size, 16);
    for (Block** link = &g_free; *link != nullptr; link = &(*link)->next) {
        Block* b = *link;
        if (b->size < need) continue;
        if (b->size - need >= min_block) {
            // Split: the tail stays free in b's place on the list.
            // SAFETY: b->size - need >= min_block bytes remain inside b.
            auto* rest = reinterpret_cast<Block*>(bytes(b) + need);
            rest->size = b->size - need;
            rest->next = b->next;
            *link = rest;
            b->size = need;
        } else {
            *link = b->next;
        }
        b->next = nullptr;
        return bytes(b) + header_size;
    }
    return nullptr;
}

void kfree(void* p) {
    if (p == nullptr) return;
    // SAFETY: p came from kmalloc, so a header precedes it.
    auto* b = reinterpret_cast<Block*>(static_cast<uint8_t*>(p) - header_size);
    Block* prev = nullptr;
    Block* next = g_free;
    while (next != nullptr && next < b) {
        prev = next;
        next = next->next;
    }
    b->next = next;
    if (next != nullptr && bytes(b) + b->size == bytes(next)) {
        b->size += next->size;
        b->next = next->next;
    }
    if (prev == nullptr) {
        g_free = b;
    } else {
        prev->next = b;
        if (bytes(prev) + prev->size == bytes(b)) {
            prev->size += b->size;
            prev->next = b->next;
        }
    }
}

HeapStats heap_stats() {
    HeapStats s{g_total, 0, 0};
    for (Block* b = g_free; b != nullptr; b = b->next) {
        s.free += b->size;
        s.largest_free = kstd::max(s.largest_free, b->size);
    }
    return s;
}

}  // namespace pvk
