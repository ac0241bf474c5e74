// The kernel heap: first-fit over one free list, with coalescing. Small and
// plain; the kernel allocates little (process records, test buffers).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace pvk {

struct HeapStats {
    size_t total;
    size_t free;
    size_t largest_free;
};

// Hands [base, base + size) to the heap. Called once at boot.
void heap_init(uint64_t base, uint64_t size);

// 16-byte aligned memory, or nullptr when none is left.
[[nodiscard]] void* kmalloc(size_t size);
void kfree(void* p);

HeapStats heap_stats();

}  // namespace pvk
