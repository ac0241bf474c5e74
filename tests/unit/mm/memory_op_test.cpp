// The reservation: growing against the maximum, giving frames back (never
// one still in use), the queries, and destroy.
#include "core/memory_op.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/mmu_update.h"
#include "core/mmuext.h"
#include "mm_world.h"

using core::Mfn;
using kstd::Error;
using mmtest::entry_ptr;
using mmtest::World;
namespace flag = core::frame_flag;

namespace {

struct MemoryOpTest : ::testing::Test {
    World w{64, 8, 16};
    kstd::Result<void> grow(std::vector<Mfn>& out, core::MmDomain& d) {
        return core::increase_reservation(w.ctx, d, w.pool, {out.data(), out.size()});
    }
    kstd::Result<void> shrink(std::vector<Mfn> fs, core::MmDomain& d) {
        return core::decrease_reservation(w.ctx, d, w.pool, {fs.data(), fs.size()});
    }
};

TEST_F(MemoryOpTest, IncreaseGivesZeroedOwnedFrames) {
    std::vector<Mfn> got(5);
    ASSERT_TRUE(grow(got, w.a).is_ok());
    EXPECT_EQ(w.a.tot_pages, 5u);
    for (Mfn f : got) {
        EXPECT_TRUE(w.ft.owned_by(f, w.a.id));
        for (int i = 0; i < 512; ++i) ASSERT_EQ(w.table(f)[i], 0u);
    }
    EXPECT_EQ(w.check(), "");
}

TEST_F(MemoryOpTest, IncreaseStopsAtTheMaximumWithoutTrace) {
    std::vector<Mfn> got(10);
    ASSERT_TRUE(grow(got, w.a).is_ok());
    World::Snapshot before = w.snapshot();
    std::vector<Mfn> more(7);
    EXPECT_EQ(grow(more, w.a).error(), Error::nomem);
    EXPECT_TRUE(w.snapshot() == before);
    more.resize(6);
    EXPECT_TRUE(grow(more, w.a).is_ok());
    EXPECT_EQ(w.a.tot_pages, 16u);
    std::vector<Mfn> big(core::memory_op_max + 1);
    EXPECT_EQ(grow(big, w.b).error(), Error::too_big);
}

TEST_F(MemoryOpTest, OutOfMemoryHalfWayGivesEverythingBack) {
    w.pool.fail_after = 3;
    World::Snapshot before = w.snapshot();
    std::vector<Mfn> got(5);
    EXPECT_EQ(grow(got, w.a).error(), Error::nomem);
    EXPECT_EQ(w.a.tot_pages, 0u);
    EXPECT_EQ(w.pool.free_frames.size(), before.pool.size());
    EXPECT_EQ(w.check(), "");
}

TEST_F(MemoryOpTest, DecreaseGivesBackAndFlushesFirst) {
    std::vector<Mfn> got(3);
    ASSERT_TRUE(grow(got, w.a).is_ok());
    size_t pool_before = w.pool.free_frames.size();
    ASSERT_TRUE(shrink({got[0], got[2]}, w.a).is_ok());
    EXPECT_EQ(w.a.tot_pages, 1u);
    EXPECT_EQ(w.pool.free_frames.size(), pool_before + 2);
    ASSERT_EQ(w.tlb.flushes.size(), 1u);
    EXPECT_EQ(w.ft.info(got[0]).owner, core::owner_none);
    EXPECT_EQ(w.check(), "");
}

TEST_F(MemoryOpTest, DecreaseRefusesFramesInUse) {
    World::Space s = w.space(w.a, 0x400000);
    ASSERT_TRUE(core::mmuext_pin(w.ctx, w.a, s.l4, 4).is_ok());
    Mfn spare = w.frame(w.a);
    World::Snapshot before = w.snapshot();
    EXPECT_EQ(shrink({spare, s.l4}, w.a).error(), Error::busy);    // pinned
    EXPECT_EQ(shrink({spare, s.l1}, w.a).error(), Error::busy);    // a table in use
    EXPECT_EQ(shrink({spare, s.data}, w.a).error(), Error::busy);  // mapped writable
    ASSERT_TRUE(core::mmu_update_one(w.ctx, w.a, entry_ptr(s.l1, 0), mmtest::map_ro(spare)).is_ok());
    before = w.snapshot();
    EXPECT_EQ(shrink({spare}, w.a).error(), Error::busy);          // mapped read-only
    EXPECT_TRUE(w.snapshot() == before);
    EXPECT_TRUE(w.tlb.flushes.empty());
    EXPECT_EQ(w.check(), "");
}

TEST_F(MemoryOpTest, DecreaseRefusesWhatIsNotTheDomainsToGive) {
    Mfn mine = w.frame(w.a), theirs = w.frame(w.b), special = w.pool.free_frames.back();
    w.pool.free_frames.pop_back();
    ASSERT_TRUE(w.ft.assign(special, w.a, true).is_ok());
    World::Snapshot before = w.snapshot();
    EXPECT_EQ(shrink({mine, theirs}, w.a).error(), Error::perm);
    EXPECT_EQ(shrink({mine, Mfn(2)}, w.a).error(), Error::perm);      // the hypervisor's
    EXPECT_EQ(shrink({mine, Mfn(9999)}, w.a).error(), Error::perm);   // beyond memory
    EXPECT_EQ(shrink({mine, special}, w.a).error(), Error::perm);     // the shared page
    EXPECT_EQ(shrink({mine, mine}, w.a).error(), Error::inval);       // twice
    EXPECT_EQ(shrink(std::vector<Mfn>(core::memory_op_max + 1, mine), w.a).error(), Error::too_big);
    EXPECT_TRUE(w.snapshot() == before);
}

TEST_F(MemoryOpTest, QueriesAndLimits) {
    std::vector<Mfn> got(4);
    ASSERT_TRUE(grow(got, w.a).is_ok());
    Mfn list[2];
    EXPECT_EQ(core::list_frames(w.ft, w.a, {list, 2}), 4u);
    EXPECT_TRUE(w.ft.owned_by(list[0], w.a.id));
    EXPECT_LT(list[0], list[1]);
    EXPECT_EQ(core::set_max_pages(w.a, 3).error(), Error::inval);
    EXPECT_TRUE(core::set_max_pages(w.a, 4).is_ok());
    std::vector<Mfn> one(1);
    EXPECT_EQ(grow(one, w.a).error(), Error::nomem);
}

TEST_F(MemoryOpTest, ReleaseGivesEverythingBack) {
    size_t pool_before = w.pool.free_frames.size();
    World::Space s = w.space(w.a, 0x400000);
    ASSERT_TRUE(core::mmuext_pin(w.ctx, w.a, s.l4, 4).is_ok());
    ASSERT_TRUE(core::mmuext_pin(w.ctx, w.a, s.l2, 2).is_ok());
    core::FlushRequest flush;
    ASSERT_TRUE(core::mmuext_new_root(w.ctx, w.a, &w.roots_a[0], s.l4, false, true, &flush).is_ok());
    EXPECT_EQ(core::release_domain(w.ctx, w.a, w.pool).error(), Error::busy);  // the vCPU still holds its root
    core::drop_root(w.ctx, &w.roots_a[0]);
    ASSERT_TRUE(core::release_domain(w.ctx, w.a, w.pool).is_ok());
    EXPECT_EQ(w.a.tot_pages, 0u);
    EXPECT_EQ(w.pool.free_frames.size(), pool_before);
    for (uint64_t i = 0; i < w.frames; ++i) EXPECT_FALSE(w.ft.owned_by(Mfn(i), w.a.id));
    EXPECT_EQ(w.check(), "");
}

}  // namespace
