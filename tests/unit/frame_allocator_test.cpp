#include "core/frame_allocator.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

using core::FrameAllocator;
using core::Mfn;
using core::page_size;
using core::PhysRange;
using kstd::Error;

namespace {

constexpr uint64_t MiB = 1024 * 1024;

// Owns the bitmap storage next to the allocator that points into it.
struct Fixture {
    std::vector<uint64_t> storage;
    FrameAllocator fa;
};

Fixture make(std::vector<PhysRange> usable, std::vector<PhysRange> reserved = {}) {
    std::vector<uint64_t> storage(FrameAllocator::bitmap_words_for({usable.data(), usable.size()}) + 1,
                                  0xdeadbeefdeadbeef);
    auto r = FrameAllocator::create({usable.data(), usable.size()}, {reserved.data(), reserved.size()},
                                    storage.data(), storage.size());
    EXPECT_TRUE(r.is_ok()) << kstd::error_name(r.error());
    return Fixture{std::move(storage), r.release_value()};
}

std::vector<uint64_t> drain(FrameAllocator& fa) {
    std::vector<uint64_t> out;
    for (;;) {
        auto r = fa.alloc();
        if (r.is_error()) {
            EXPECT_EQ(r.error(), Error::nomem);
            return out;
        }
        out.push_back(r.value().raw);
    }
}

bool touches(uint64_t frame, const PhysRange& r) {
    if (r.length == 0) return false;
    uint64_t lo = frame * page_size, hi = lo + page_size;
    return r.base < hi && core::range_end(r) > lo;
}

bool contains(const PhysRange& r, uint64_t frame) {
    return r.base <= frame * page_size && core::range_end(r) >= (frame + 1) * page_size;
}

}  // namespace

TEST(FrameAllocator, BitmapWordsCoverTwoMaps) {
    EXPECT_EQ(FrameAllocator::bitmap_words_for({}), 0u);
    PhysRange a[] = {{0, 64 * page_size}};
    EXPECT_EQ(FrameAllocator::bitmap_words_for(a), 2u);
    PhysRange b[] = {{0, 65 * page_size}};
    EXPECT_EQ(FrameAllocator::bitmap_words_for(b), 4u);
    // A trailing partial frame does not count.
    PhysRange c[] = {{0, 64 * page_size + 100}};
    EXPECT_EQ(FrameAllocator::bitmap_words_for(c), 2u);
}

TEST(FrameAllocator, CreateRejectsBadStorage) {
    PhysRange usable[] = {{0, 16 * MiB}};
    std::vector<uint64_t> storage(FrameAllocator::bitmap_words_for(usable));
    auto small = FrameAllocator::create(usable, {}, storage.data(), storage.size() - 1);
    ASSERT_TRUE(small.is_error());
    EXPECT_EQ(small.error(), Error::nospc);
    auto null = FrameAllocator::create(usable, {}, nullptr, storage.size());
    ASSERT_TRUE(null.is_error());
    EXPECT_EQ(null.error(), Error::inval);
    EXPECT_TRUE(FrameAllocator::create(usable, {}, storage.data(), storage.size()).is_ok());
}

TEST(FrameAllocator, EmptyMapHasNothingToGive) {
    auto r = FrameAllocator::create({}, {}, nullptr, 0);
    ASSERT_TRUE(r.is_ok());
    FrameAllocator fa = r.release_value();
    EXPECT_EQ(fa.total_frames(), 0u);
    EXPECT_EQ(fa.alloc().error(), Error::nomem);
    EXPECT_EQ(fa.free(Mfn(1)).error(), Error::inval);
}

TEST(FrameAllocator, FrameZeroIsNeverHandedOut) {
    auto f = make({{0, 16 * page_size}});
    EXPECT_EQ(f.fa.total_frames(), 15u);
    EXPECT_FALSE(f.fa.is_free(Mfn(0)));
    EXPECT_FALSE(f.fa.is_allocatable(Mfn(0)));
    auto got = drain(f.fa);
    ASSERT_EQ(got.size(), 15u);
    EXPECT_EQ(got.front(), 1u);
    EXPECT_EQ(f.fa.free(Mfn(0)).error(), Error::inval);
}

TEST(FrameAllocator, PartialFramesAtEdgesAreExcluded) {
    // Whole frames 2, 3 and 4; the halves of frames 1 and 5 stay out.
    auto f = make({{0x1800, 0x4000}});
    EXPECT_EQ(f.fa.total_frames(), 3u);
    EXPECT_EQ(drain(f.fa), (std::vector<uint64_t>{2, 3, 4}));
    EXPECT_EQ(f.fa.free(Mfn(1)).error(), Error::inval);
    EXPECT_EQ(f.fa.free(Mfn(5)).error(), Error::inval);
}

TEST(FrameAllocator, ReservedRangesExcludeEveryFrameTheyTouch) {
    std::vector<PhysRange> reserved = {
        {0x3fff, 1},       // last byte of frame 3
        {0x6000, 0x1000},  // exactly frame 6
        {0x9010, 0x20},    // a few bytes inside frame 9
        {0xb000, 0},       // empty: touches nothing
    };
    auto f = make({{0, 16 * page_size}}, reserved);
    for (uint64_t frame : {3, 6, 9}) EXPECT_FALSE(f.fa.is_allocatable(Mfn(frame))) << frame;
    for (uint64_t frame : {2, 4, 5, 7, 8, 10, 11}) EXPECT_TRUE(f.fa.is_free(Mfn(frame))) << frame;
    EXPECT_EQ(f.fa.total_frames(), 12u);
}

TEST(FrameAllocator, BootLikeMapKeepsImageModulesAndBootStructures) {
    std::vector<PhysRange> usable = {{0, 0x9fc00}, {MiB, 127 * MiB}};
    std::vector<PhysRange> reserved = {
        {MiB, 0x123456},          // hypervisor image
        {8 * MiB, 3 * MiB + 17},  // dom0 kernel module
        {0x9000, 0x74},           // multiboot info block
        {0x9100, 0x90},           // mmap buffer
        {12 * MiB + 5, 40},       // module string
    };
    std::vector<PhysRange> first_pass = reserved;
    size_t words = FrameAllocator::bitmap_words_for({usable.data(), usable.size()});
    auto where = FrameAllocator::find_placement({usable.data(), usable.size()},
                                                {reserved.data(), reserved.size()}, words * 8);
    ASSERT_TRUE(where.is_ok());
    EXPECT_GE(where.value(), MiB) << "the bitmap should not take low memory";
    reserved.push_back({where.value(), words * 8});
    for (const PhysRange& r : first_pass)
        EXPECT_FALSE(where.value() < core::range_end(r) && where.value() + words * 8 > r.base);

    auto f = make(usable, reserved);
    auto got = drain(f.fa);
    EXPECT_EQ(got.size(), f.fa.total_frames());
    for (uint64_t frame : got) {
        for (const PhysRange& r : reserved) EXPECT_FALSE(touches(frame, r)) << frame;
        EXPECT_TRUE(contains(usable[0], frame) || contains(usable[1], frame)) << frame;
    }
    // 0x9fc00 ends inside frame 0x9f, so the last low frame is 0x9e.
    EXPECT_FALSE(f.fa.is_allocatable(Mfn(0x9f)));
    EXPECT_TRUE(f.fa.is_allocatable(Mfn(0x9e)));
}

TEST(FrameAllocator, ExhaustionReturnsNomemAndRecovers) {
    auto f = make({{0, 8 * page_size}});
    auto got = drain(f.fa);
    ASSERT_EQ(got.size(), 7u);
    EXPECT_EQ(f.fa.free_frames(), 0u);
    EXPECT_EQ(f.fa.alloc().error(), Error::nomem);
    EXPECT_EQ(f.fa.alloc_contiguous(1, 1).error(), Error::nomem);
    ASSERT_TRUE(f.fa.free(Mfn(5)).is_ok());
    EXPECT_EQ(f.fa.free_frames(), 1u);
    auto again = f.fa.alloc();
    ASSERT_TRUE(again.is_ok());
    EXPECT_EQ(again.value().raw, 5u);
}

TEST(FrameAllocator, LowestFreeFrameFirst) {
    auto f = make({{0, 300 * page_size}});
    for (uint64_t i = 1; i < 200; ++i) ASSERT_EQ(f.fa.alloc().value().raw, i);
    ASSERT_TRUE(f.fa.free(Mfn(150)).is_ok());
    ASSERT_TRUE(f.fa.free(Mfn(3)).is_ok());
    EXPECT_EQ(f.fa.alloc().value().raw, 3u);
    EXPECT_EQ(f.fa.alloc().value().raw, 150u);
    EXPECT_EQ(f.fa.alloc().value().raw, 200u);
}

TEST(FrameAllocator, DoubleFreeAndBadFreesAreErrors) {
    auto f = make({{0, 16 * page_size}, {32 * page_size, 16 * page_size}}, {{4 * page_size, page_size}});
    Mfn a = f.fa.alloc().value();
    ASSERT_TRUE(f.fa.free(a).is_ok());
    EXPECT_EQ(f.fa.free(a).error(), Error::already);
    EXPECT_EQ(f.fa.free(Mfn(10)).error(), Error::already) << "never allocated, still free";
    EXPECT_EQ(f.fa.free(Mfn(4)).error(), Error::inval) << "reserved";
    EXPECT_EQ(f.fa.free(Mfn(20)).error(), Error::inval) << "hole between ranges";
    EXPECT_EQ(f.fa.free(Mfn(48)).error(), Error::inval) << "past the end of RAM";
    EXPECT_EQ(f.fa.free(Mfn(~uint64_t{0})).error(), Error::inval);
    EXPECT_EQ(f.fa.free_frames(), f.fa.total_frames());
}

TEST(FrameAllocator, ContiguousRespectsAlignmentAndHoles) {
    auto f = make({{0, 4096 * page_size}}, {{512 * page_size + 100, 1}});
    auto r = f.fa.alloc_contiguous(8, 512);
    ASSERT_TRUE(r.is_ok());
    // Frame 0 rules out 0 and frame 512 is reserved, so the first aligned
    // run of 8 starts at 1024.
    EXPECT_EQ(r.value().raw, 1024u);
    for (uint64_t i = 0; i < 8; ++i) EXPECT_FALSE(f.fa.is_free(Mfn(1024 + i)));
    EXPECT_EQ(f.fa.free_frames(), f.fa.total_frames() - 8);

    auto small = f.fa.alloc_contiguous(3, 4);
    ASSERT_TRUE(small.is_ok());
    EXPECT_EQ(small.value().raw, 4u);
    auto big = f.fa.alloc_contiguous(600, 1);
    ASSERT_TRUE(big.is_ok());
    EXPECT_EQ(big.value().raw, 1032u) << "513..1023 is only 511 frames";
}

TEST(FrameAllocator, ContiguousRejectsBadArguments) {
    auto f = make({{0, 64 * page_size}});
    EXPECT_EQ(f.fa.alloc_contiguous(0, 1).error(), Error::inval);
    EXPECT_EQ(f.fa.alloc_contiguous(1, 0).error(), Error::inval);
    EXPECT_EQ(f.fa.alloc_contiguous(1, 3).error(), Error::inval);
    EXPECT_EQ(f.fa.alloc_contiguous(64, 1).error(), Error::nomem) << "frame 0 is missing";
    EXPECT_EQ(f.fa.alloc_contiguous(2, 64).error(), Error::nomem) << "only frame 0 is 64-aligned";
    EXPECT_EQ(f.fa.alloc_contiguous(~size_t{0}, 1).error(), Error::nomem);
    EXPECT_TRUE(f.fa.alloc_contiguous(63, 1).is_ok());
}

TEST(FrameAllocator, FreeContiguousIsAllOrNothing) {
    auto f = make({{0, 64 * page_size}}, {{40 * page_size, 1}});
    Mfn run = f.fa.alloc_contiguous(16, 16).value();
    ASSERT_EQ(run.raw, 16u);
    ASSERT_TRUE(f.fa.free(Mfn(20)).is_ok());
    size_t before = f.fa.free_frames();
    EXPECT_EQ(f.fa.free_contiguous(run, 16).error(), Error::already);
    EXPECT_EQ(f.fa.free_frames(), before);
    EXPECT_FALSE(f.fa.is_free(Mfn(16)));
    EXPECT_EQ(f.fa.free_contiguous(Mfn(36), 8).error(), Error::inval) << "covers reserved 40";
    EXPECT_EQ(f.fa.free_contiguous(Mfn(60), 8).error(), Error::inval) << "runs past the end";
    EXPECT_EQ(f.fa.free_contiguous(Mfn(16), 0).error(), Error::inval);
    ASSERT_TRUE(f.fa.free_contiguous(Mfn(16), 4).is_ok());
    ASSERT_TRUE(f.fa.free_contiguous(Mfn(21), 11).is_ok());
    EXPECT_EQ(f.fa.free_frames(), f.fa.total_frames());
}

TEST(FrameAllocator, OverlappingUsableRangesCountOnce) {
    auto f = make({{0, 32 * page_size}, {16 * page_size, 32 * page_size}});
    EXPECT_EQ(f.fa.total_frames(), 47u);
    EXPECT_EQ(drain(f.fa).size(), 47u);
}

TEST(FrameAllocator, RangesAtTheTopOfMemoryDoNotWrap) {
    PhysRange top[] = {{~uint64_t{0} - 3 * page_size, 100 * page_size}};
    size_t words = FrameAllocator::bitmap_words_for(top);
    EXPECT_GT(words, uint64_t{1} << 40);
    uint64_t storage[4];
    EXPECT_EQ(FrameAllocator::create(top, {}, storage, 4).error(), Error::nospc);

    PhysRange reserved[] = {{8 * page_size, ~uint64_t{0}}};
    auto f = make({{0, 32 * page_size}}, {reserved, reserved + 1});
    EXPECT_EQ(f.fa.total_frames(), 7u);
}

TEST(FindPlacement, PrefersMemoryAboveOneMiB) {
    PhysRange usable[] = {{0, 0x9f000}, {MiB, 63 * MiB}};
    PhysRange reserved[] = {{MiB, 2 * MiB + 1}};
    auto r = FrameAllocator::find_placement(usable, reserved, 3 * page_size);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r.value(), 3 * MiB + page_size);
}

TEST(FindPlacement, OneMiBLineInsideARange) {
    // One range spanning low and high memory: the bitmap goes exactly at
    // 1 MiB, not at the range's start and not in low memory.
    PhysRange usable[] = {{0, 64 * MiB}};
    EXPECT_EQ(FrameAllocator::find_placement(usable, {}, 100).value(), MiB);
}

TEST(FindPlacement, FallsBackToLowMemoryButNeverFrameZero) {
    PhysRange usable[] = {{0, 0x9f000}, {MiB, 4 * page_size}};
    PhysRange reserved[] = {{0x2000, 0x100}};
    auto r = FrameAllocator::find_placement(usable, reserved, 2 * page_size);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r.value(), MiB);
    auto low = FrameAllocator::find_placement(usable, reserved, 5 * page_size);
    ASSERT_TRUE(low.is_ok());
    EXPECT_EQ(low.value(), 0x3000u);
    PhysRange only_low[] = {{0, 0x9f000}};
    EXPECT_EQ(FrameAllocator::find_placement(only_low, {}, 1).value(), page_size);
}

TEST(FindPlacement, MustFitInsideOneRangeAndAvoidReserved) {
    PhysRange usable[] = {{MiB, 4 * page_size}, {2 * MiB, 10 * page_size}};
    PhysRange reserved[] = {{2 * MiB + 3 * page_size, 1}};
    auto r = FrameAllocator::find_placement(usable, reserved, 4 * page_size + 1);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r.value(), 2 * MiB + 4 * page_size);
    EXPECT_EQ(FrameAllocator::find_placement(usable, reserved, 7 * page_size).error(), Error::nomem);
    EXPECT_EQ(FrameAllocator::find_placement(usable, reserved, 0).error(), Error::inval);
    EXPECT_EQ(FrameAllocator::find_placement({}, {}, 1).error(), Error::nomem);
}

// The allocator against a plain std::set model, on random memory maps with
// random reserved ranges and random operations.
TEST(FrameAllocator, RandomizedAgainstModel) {
    for (uint32_t seed = 1; seed <= 40; ++seed) {
        SCOPED_TRACE(seed);
        std::mt19937_64 rng(seed);
        auto rnd = [&](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); };

        std::vector<PhysRange> usable, reserved;
        for (uint64_t i = 0, n = 1 + rnd(4); i < n; ++i)
            usable.push_back({rnd(600 * page_size), rnd(300 * page_size)});
        for (uint64_t i = 0, n = rnd(6); i < n; ++i) reserved.push_back({rnd(900 * page_size), rnd(20 * page_size)});

        std::set<uint64_t> allocatable;
        for (uint64_t frame = 1; frame < 1000; ++frame) {
            bool in = false, hit = false;
            for (auto& r : usable) in |= contains(r, frame);
            for (auto& r : reserved) hit |= touches(frame, r);
            if (in && !hit) allocatable.insert(frame);
        }
        auto f = make(usable, reserved);
        ASSERT_EQ(f.fa.total_frames(), allocatable.size());
        for (uint64_t frame = 0; frame < 1000; ++frame)
            ASSERT_EQ(f.fa.is_allocatable(Mfn(frame)), allocatable.count(frame) == 1) << frame;

        std::set<uint64_t> free_set = allocatable;
        std::set<uint64_t> used;
        for (int step = 0; step < 2000; ++step) {
            uint64_t op = rnd(10);
            if (op < 4) {
                auto r = f.fa.alloc();
                if (free_set.empty()) {
                    ASSERT_EQ(r.error(), Error::nomem);
                } else {
                    ASSERT_TRUE(r.is_ok());
                    ASSERT_EQ(r.value().raw, *free_set.begin());
                    free_set.erase(free_set.begin());
                    used.insert(r.value().raw);
                }
            } else if (op < 5) {
                size_t count = 1 + rnd(8), align = size_t{1} << rnd(4);
                uint64_t expect = 0;
                for (uint64_t c = align; c + count <= 1000 && expect == 0; c += align) {
                    bool all = true;
                    for (uint64_t i = 0; i < count && all; ++i) all = free_set.count(c + i) == 1;
                    if (all) expect = c;
                }
                auto r = f.fa.alloc_contiguous(count, align);
                if (expect == 0) {
                    ASSERT_EQ(r.error(), Error::nomem);
                } else {
                    ASSERT_TRUE(r.is_ok());
                    ASSERT_EQ(r.value().raw, expect);
                    for (uint64_t i = 0; i < count; ++i) {
                        free_set.erase(expect + i);
                        used.insert(expect + i);
                    }
                }
            } else if (op < 9 && !used.empty()) {
                auto it = used.begin();
                std::advance(it, static_cast<long>(rnd(used.size())));
                uint64_t frame = *it;
                ASSERT_TRUE(f.fa.free(Mfn(frame)).is_ok());
                used.erase(it);
                free_set.insert(frame);
            } else {
                uint64_t frame = rnd(1100);
                Error expect = allocatable.count(frame) == 0 ? Error::inval : Error::already;
                if (used.count(frame) == 1) continue;
                ASSERT_EQ(f.fa.free(Mfn(frame)).error(), expect) << frame;
            }
            ASSERT_EQ(f.fa.free_frames(), free_set.size());
        }
        for (uint64_t frame = 0; frame < 1100; ++frame)
            ASSERT_EQ(f.fa.is_free(Mfn(frame)), free_set.count(frame) == 1) << frame;
    }
}
