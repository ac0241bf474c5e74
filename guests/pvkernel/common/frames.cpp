#include "pvk/frames.h"

#include "pvk/heap.h"
#include "pvk/layout.h"
#include "pvk/panic.h"

namespace pvk::frames {
namespace {

// Free pages form a list threaded through their first word.
struct FreePage {
    FreePage* next;
};

constinit uint64_t g_base = 0;
constinit uint64_t g_pages = 0;
constinit uint16_t* g_refs = nullptr;
constinit FreePage* g_free = nullptr;
constinit uint64_t g_free_count = 0;

uint64_t index_of(const void* page) { return (reinterpret_cast<uint64_t>(page) - g_base) / PVK_PAGE_SIZE; }

}  // namespace

void init(uint64_t base, uint64_t pages) {
    g_refs = static_cast<uint16_t*>(kmalloc(pages * sizeof(uint16_t) + 1));
    if (g_refs == nullptr) return;
    g_base = base;
    g_pages = pages;
    // Pushed from the top down so that alloc() hands out low pages first.
    for (uint64_t i = pages; i-- > 0;) {
        g_refs[i] = 0;
        // SAFETY: the platform handed over this range, mapped writable.
        give(reinterpret_cast<void*>(base + i * PVK_PAGE_SIZE));
    }
}

bool in_pool(const void* page) {
    uint64_t va = reinterpret_cast<uint64_t>(page);
    return va >= g_base && va < g_base + g_pages * PVK_PAGE_SIZE && va % PVK_PAGE_SIZE == 0;
}

void* take() {
    FreePage* p = g_free;
    if (p == nullptr) return nullptr;
    g_free = p->next;
    --g_free_count;
    g_refs[index_of(p)] = 1;
    return p;
}

void give(void* page) {
    PVK_ASSERT(in_pool(page));
    auto* p = static_cast<FreePage*>(page);
    g_refs[index_of(p)] = 0;
    p->next = g_free;
    g_free = p;
    ++g_free_count;
}

void* alloc() {
    void* p = take();
    if (p != nullptr) zero_page(p);
    return p;
}

void get(void* page) {
    uint16_t& r = g_refs[index_of(page)];
    PVK_ASSERT(in_pool(page) && r != 0 && r != UINT16_MAX);
    ++r;
}

void put(void* page) {
    uint16_t& r = g_refs[index_of(page)];
    PVK_ASSERT(in_pool(page) && r != 0);
    if (--r == 0) give(page);
}

uint32_t refs(const void* page) { return g_refs[index_of(page)]; }
uint64_t free_count() { return g_free_count; }
uint64_t total_count() { return g_pages; }

void zero_page(void* page) {
    uint64_t n = PVK_PAGE_SIZE / 8;
    // SAFETY: rep stosq over one page the caller owns, mapped writable.
    asm volatile("rep stosq" : "+D"(page), "+c"(n) : "a"(0) : "memory");
}

void copy_page(void* dst, const void* src) {
    uint64_t n = PVK_PAGE_SIZE / 8;
    // SAFETY: rep movsq of one page; both are pool pages the caller holds.
    asm volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

}  // namespace pvk::frames
