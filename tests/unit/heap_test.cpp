#include "core/heap.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>
#include <vector>

using core::Heap;
using kstd::Error;

namespace {

// A region with the alignment a page allocator would give the heap.
struct Region {
    explicit Region(size_t n) : bytes(n + 4096) {}
    void* base() {
        auto a = reinterpret_cast<uintptr_t>(bytes.data());
        return reinterpret_cast<void*>((a + 4095) & ~uintptr_t{4095});
    }
    std::vector<unsigned char> bytes;
};

Heap make(Region& region, size_t size) {
    auto r = Heap::create(region.base(), size);
    EXPECT_TRUE(r.is_ok());
    return r.release_value();
}

void expect_consistent(const Heap& heap) {
    auto c = heap.check();
    EXPECT_TRUE(c.is_ok()) << kstd::error_name(c.error());
    EXPECT_EQ(heap.bytes_free() + heap.bytes_used(), heap.capacity());
}

}  // namespace

TEST(Heap, CreateRejectsBadRegions) {
    Region region(4096);
    EXPECT_EQ(Heap::create(nullptr, 4096).error(), Error::inval);
    EXPECT_EQ(Heap::create(region.base(), 47).error(), Error::inval);
    EXPECT_EQ(Heap::create(region.base(), 0).error(), Error::inval);
    auto wrap = Heap::create(reinterpret_cast<void*>(~uintptr_t{0} - 15), 4096);
    EXPECT_EQ(wrap.error(), Error::inval);
}

TEST(Heap, UnalignedRegionIsTrimmedInward) {
    Region region(4096);
    auto* base = static_cast<unsigned char*>(region.base()) + 3;
    auto r = Heap::create(base, 1000);
    ASSERT_TRUE(r.is_ok());
    Heap h = r.release_value();
    EXPECT_EQ(h.capacity(), 976u);  // [base+13, base+1000) trimmed to 16-byte edges
    void* p = h.alloc(16).value();
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
    EXPECT_GE(p, static_cast<void*>(base));
}

TEST(Heap, FreshHeapIsOneFreeBlock) {
    Region region(8192);
    Heap heap = make(region, 8192);
    EXPECT_EQ(heap.capacity(), 8192u);
    EXPECT_EQ(heap.bytes_free(), 8192u);
    EXPECT_EQ(heap.bytes_used(), 0u);
    EXPECT_EQ(heap.largest_free(), 8192u - Heap::header_size);
    expect_consistent(heap);
    // The whole region can be taken in one request.
    auto all = heap.alloc(heap.largest_free());
    ASSERT_TRUE(all.is_ok());
    EXPECT_EQ(heap.bytes_free(), 0u);
    EXPECT_EQ(heap.alloc(1).error(), Error::nomem);
    expect_consistent(heap);
}

TEST(Heap, RejectsBadRequests) {
    Region region(4096);
    Heap heap = make(region, 4096);
    EXPECT_EQ(heap.alloc(0).error(), Error::inval);
    EXPECT_EQ(heap.alloc(16, 0).error(), Error::inval);
    EXPECT_EQ(heap.alloc(16, 24).error(), Error::inval);
    EXPECT_EQ(heap.alloc(~size_t{0}).error(), Error::nomem);
    EXPECT_EQ(heap.alloc(~size_t{0} - 8).error(), Error::nomem);
    EXPECT_EQ(heap.alloc(16, size_t{1} << 62).error(), Error::nomem);
    auto small_align = heap.alloc(5, 4);
    ASSERT_TRUE(small_align.is_ok());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(small_align.value()) % 16, 0u);
    expect_consistent(heap);
}

TEST(Heap, ExhaustionAndRecovery) {
    Region region(16384);
    Heap heap = make(region, 16384);
    std::vector<void*> ptrs;
    for (;;) {
        auto r = heap.alloc(100);
        if (r.is_error()) {
            EXPECT_EQ(r.error(), Error::nomem);
            break;
        }
        ptrs.push_back(r.value());
    }
    ASSERT_GT(ptrs.size(), 50u);
    size_t used = heap.bytes_used();
    EXPECT_EQ(heap.alloc(100).error(), Error::nomem);
    EXPECT_EQ(heap.bytes_used(), used) << "a failed alloc changes nothing";
    expect_consistent(heap);

    ASSERT_TRUE(heap.free(ptrs[7]).is_ok());
    auto again = heap.alloc(100);
    ASSERT_TRUE(again.is_ok());
    EXPECT_EQ(again.value(), ptrs[7]);
    ptrs[7] = again.value();
    for (void* p : ptrs) ASSERT_TRUE(heap.free(p).is_ok());
    EXPECT_EQ(heap.bytes_free(), heap.capacity());
    expect_consistent(heap);
}

TEST(Heap, DoubleFreeIsDetected) {
    Region region(4096);
    Heap heap = make(region, 4096);
    void* a = heap.alloc(64).value();
    void* b = heap.alloc(64).value();
    ASSERT_TRUE(heap.free(a).is_ok());
    size_t free_before = heap.bytes_free();
    EXPECT_EQ(heap.free(a).error(), Error::already);
    EXPECT_EQ(heap.bytes_free(), free_before);
    ASSERT_TRUE(heap.free(b).is_ok());  // merges into a's block
    EXPECT_EQ(heap.free(b).error(), Error::already);
    EXPECT_EQ(heap.free(a).error(), Error::already);
    expect_consistent(heap);
    EXPECT_EQ(heap.bytes_free(), heap.capacity());
}

TEST(Heap, ForeignAndInteriorPointersAreRejected) {
    Region region(4096);
    Heap heap = make(region, 4096);
    auto* p = static_cast<unsigned char*>(heap.alloc(256).value());
    int on_stack = 0;
    EXPECT_EQ(heap.free(nullptr).error(), Error::inval);
    EXPECT_EQ(heap.free(&on_stack).error(), Error::inval);
    EXPECT_EQ(heap.free(p + 1).error(), Error::inval);
    EXPECT_EQ(heap.free(p + 16).error(), Error::inval);
    EXPECT_EQ(heap.free(p + 128).error(), Error::inval);
    EXPECT_EQ(heap.free(region.base()).error(), Error::inval);
    EXPECT_EQ(heap.free(static_cast<unsigned char*>(region.base()) + 4096).error(), Error::inval);
    // A copy of a real header, planted inside the payload, does not pass:
    // its check word is bound to the original address.
    std::memcpy(p + 96, p - Heap::header_size, Heap::header_size);
    EXPECT_EQ(heap.free(p + 96 + Heap::header_size).error(), Error::inval);
    expect_consistent(heap);
    EXPECT_TRUE(heap.free(p).is_ok());
}

TEST(Heap, CorruptedHeaderIsReported) {
    Region region(4096);
    Heap heap = make(region, 4096);
    auto* a = static_cast<unsigned char*>(heap.alloc(64).value());
    auto* b = static_cast<unsigned char*>(heap.alloc(64).value());
    // An overrun of a into b's header.
    std::memset(a + 64, 0x41, 8);
    EXPECT_EQ(heap.free(b).error(), Error::inval);
    EXPECT_EQ(heap.check().error(), Error::inval);
    // a's own header is intact, but its neighbour is not, so freeing a
    // (which would merge with or relink b) is refused too.
    EXPECT_EQ(heap.free(a).error(), Error::inval);
}

TEST(Heap, HeaderRelabelledAsFreeIsCaught) {
    Region region(4096);
    Heap heap = make(region, 4096);
    auto* a = static_cast<unsigned char*>(heap.alloc(64).value());
    auto* b = static_cast<unsigned char*>(heap.alloc(64).value());
    auto* c = static_cast<unsigned char*>(heap.alloc(64).value());
    ASSERT_TRUE(heap.free(b).is_ok());
    // Give a's header the free magic that b's header now carries: every
    // field is plausible, only the check word can tell.
    std::memcpy(a - Heap::header_size + 16, b - Heap::header_size + 16, 4);
    EXPECT_EQ(heap.free(a).error(), Error::inval);
    EXPECT_EQ(heap.check().error(), Error::inval);
    (void)c;
}

TEST(Heap, CheckCatchesFlippedMagic) {
    Region region(4096);
    Heap heap = make(region, 4096);
    auto* a = static_cast<unsigned char*>(heap.alloc(64).value());
    expect_consistent(heap);
    (a - Heap::header_size)[16] ^= 1;  // the magic
    EXPECT_EQ(heap.check().error(), Error::inval);
}

TEST(Heap, AlignmentsFrom16To4096) {
    Region region(256 * 1024);
    Heap heap = make(region, 256 * 1024);
    std::vector<void*> ptrs;
    for (size_t align = 16; align <= 4096; align *= 2) {
        for (size_t size : {1u, 24u, 100u, 4096u}) {
            auto r = heap.alloc(size, align);
            ASSERT_TRUE(r.is_ok()) << size << " @ " << align;
            EXPECT_EQ(reinterpret_cast<uintptr_t>(r.value()) % align, 0u) << size << " @ " << align;
            std::memset(r.value(), 0x5a, size);
            ptrs.push_back(r.value());
            expect_consistent(heap);
        }
    }
    for (void* p : ptrs) ASSERT_TRUE(heap.free(p).is_ok());
    EXPECT_EQ(heap.largest_free(), heap.capacity() - Heap::header_size);
    expect_consistent(heap);
}

TEST(Heap, CoalescingGivesBackTheWholeRegion) {
    Region region(4096);
    Heap heap = make(region, 4096);
    for (auto order : {std::vector<int>{1, 0, 2, 3}, {0, 1, 2, 3}, {3, 2, 1, 0}, {1, 3, 0, 2}}) {
        void* p[4];
        for (void*& q : p) q = heap.alloc(200).value();
        for (int i : order) {
            ASSERT_TRUE(heap.free(p[i]).is_ok());
            expect_consistent(heap);
        }
        EXPECT_EQ(heap.bytes_free(), heap.capacity());
        EXPECT_EQ(heap.largest_free(), heap.capacity() - Heap::header_size);
    }
    EXPECT_TRUE(heap.alloc(heap.largest_free()).is_ok());
}

TEST(Heap, MovedHeapKeepsWorking) {
    Region region(4096);
    Heap first = make(region, 4096);
    void* p = first.alloc(32).value();
    Heap second(std::move(first));
    EXPECT_TRUE(second.free(p).is_ok());
    EXPECT_TRUE(second.alloc(64).is_ok());
    expect_consistent(second);
}

// Random allocations and frees against a model of the live blocks: no two
// blocks overlap, each keeps its contents, and check() holds after each step.
TEST(Heap, RandomizedAgainstModel) {
    for (uint32_t seed = 1; seed <= 20; ++seed) {
        SCOPED_TRACE(seed);
        std::mt19937 rng(seed);
        auto rnd = [&](uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng); };
        Region region(64 * 1024);
        Heap heap = make(region, 64 * 1024);
        auto lo = reinterpret_cast<uintptr_t>(region.base());
        std::map<uintptr_t, std::pair<size_t, unsigned char>> live;  // addr -> (size, fill byte)
        std::vector<uintptr_t> freed;

        for (int step = 0; step < 3000; ++step) {
            uint32_t op = rnd(10);
            if (op < 5 || live.empty()) {
                size_t size = 1 + rnd(rnd(4) == 0 ? 6000 : 300);
                size_t align = size_t{16} << rnd(rnd(5) == 0 ? 9 : 2);
                auto r = heap.alloc(size, align);
                if (r.is_error()) {
                    ASSERT_EQ(r.error(), Error::nomem);
                } else {
                    auto a = reinterpret_cast<uintptr_t>(r.value());
                    ASSERT_EQ(a % align, 0u);
                    ASSERT_GE(a, lo + Heap::header_size);
                    ASSERT_LE(a + size, lo + heap.capacity());
                    auto next = live.lower_bound(a);
                    if (next != live.end()) ASSERT_LE(a + size, next->first);
                    if (next != live.begin()) {
                        auto prev = std::prev(next);
                        ASSERT_LE(prev->first + prev->second.first, a);
                    }
                    auto fill = static_cast<unsigned char>(rnd(256));
                    std::memset(r.value(), fill, size);
                    live[a] = {size, fill};
                }
            } else if (op < 9) {
                auto it = live.begin();
                std::advance(it, rnd(static_cast<uint32_t>(live.size())));
                auto* bytes = reinterpret_cast<unsigned char*>(it->first);
                for (size_t i = 0; i < it->second.first; ++i) ASSERT_EQ(bytes[i], it->second.second);
                ASSERT_TRUE(heap.free(bytes).is_ok());
                freed.push_back(it->first);
                live.erase(it);
            } else if (!freed.empty()) {
                uintptr_t a = freed[rnd(static_cast<uint32_t>(freed.size()))];
                if (live.count(a) == 0) {
                    auto r = heap.free(reinterpret_cast<void*>(a));
                    // A stale pointer is either recognised as a double free
                    // or refused; it must never be accepted.
                    ASSERT_TRUE(r.is_error());
                    ASSERT_TRUE(r.error() == Error::already || r.error() == Error::inval);
                }
            }
            auto c = heap.check();
            ASSERT_TRUE(c.is_ok()) << "step " << step;
            ASSERT_EQ(heap.bytes_free() + heap.bytes_used(), heap.capacity());
        }
        for (auto& [a, info] : live) ASSERT_TRUE(heap.free(reinterpret_cast<void*>(a)).is_ok());
        EXPECT_EQ(heap.largest_free(), heap.capacity() - Heap::header_size);
        expect_consistent(heap);
    }
}
