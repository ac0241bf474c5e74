// Pinning, root switching and the guest's flush requests.
#include "core/mmuext.h"

#include <gtest/gtest.h>

#include "mm_world.h"

using core::FrameType;
using core::Mfn;
using kstd::Error;
using mmtest::map_rw;
using mmtest::World;
namespace pte = core::pte;
namespace flag = core::frame_flag;

namespace {

constexpr uint64_t va = 0x400000;

struct MmuextTest : ::testing::Test {
    World w;
    World::Space s = w.space(w.a, va);
    const core::FrameInfo& at(Mfn f) { return w.ft.info(f); }
};

TEST_F(MmuextTest, PinAtEachLevel) {
    ASSERT_TRUE(core::mmuext_pin(w.ctx, w.a, s.l1, 1).is_ok());
    ASSERT_TRUE(core::mmuext_pin(w.ctx, w.a, s.l2, 2).is_ok());
    ASSERT_TRUE(core::mmuext_pin(w.ctx, w.a, s.l3, 3).is_ok());
    ASSERT_TRUE(core::mmuext_pin(w.ctx, w.a, s.l4, 4).is_ok());
    EXPECT_EQ(at(s.l1).type_count, 2u);  // the pin and the L2 entry
    EXPECT_EQ(at(s.l3).type_count, 2u);
    EXPECT_EQ(w.check(), "");
    ASSERT_TRUE(core::mmuext_unpin(w.ctx, w.a, s.l4).is_ok());
    EXPECT_EQ(at(s.l4).type_count, 0u);
    EXPECT_EQ(at(s.l3).type_count, 1u);  // still pinned
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmuextTest, PinTwiceIsRefused) {
    ASSERT_TRUE(core::mmuext_pin(w.ctx, w.a, s.l4, 4).is_ok());
    World::Snapshot before = w.snapshot();
    EXPECT_EQ(core::mmuext_pin(w.ctx, w.a, s.l4, 4).error(), Error::exist);
    EXPECT_TRUE(w.snapshot() == before);
}

TEST_F(MmuextTest, UnpinOfWhatIsNotPinnedIsRefused) {
    World::Snapshot before = w.snapshot();
    EXPECT_EQ(core::mmuext_unpin(w.ctx, w.a, s.l4).error(), Error::inval);
    // Referenced as a table (by the pinned L4) but not pinned itself.
    ASSERT_TRUE(core::mmuext_pin(w.ctx, w.a, s.l4, 4).is_ok());
    before = w.snapshot();
    EXPECT_EQ(core::mmuext_unpin(w.ctx, w.a, s.l3).error(), Error::inval);
    EXPECT_TRUE(w.snapshot() == before);
}

TEST_F(MmuextTest, PinRefusals) {
    World::Space sb = w.space(w.b, va);
    World::Snapshot before = w.snapshot();
    EXPECT_EQ(core::mmuext_pin(w.ctx, w.a, sb.l4, 4).error(), Error::perm);   // another domain's
    EXPECT_EQ(core::mmuext_pin(w.ctx, w.a, Mfn(1), 4).error(), Error::perm);  // the hypervisor's
    EXPECT_EQ(core::mmuext_unpin(w.ctx, w.a, Mfn(1)).error(), Error::perm);
    EXPECT_EQ(core::mmuext_pin(w.ctx, w.a, Mfn(w.frames), 1).error(), Error::perm);
    EXPECT_EQ(core::mmuext_pin(w.ctx, w.a, s.l4, 0).error(), Error::inval);
    EXPECT_EQ(core::mmuext_pin(w.ctx, w.a, s.l4, 5).error(), Error::inval);
    EXPECT_EQ(core::mmuext_pin(w.ctx, w.a, s.l4, 3).error(), Error::perm);  // as an L3 its slots 256+ point at the hypervisor
    EXPECT_TRUE(w.snapshot() == before);
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmuextTest, NewRootValidatesAndDropsTheOld) {
    core::FlushRequest flush;
    ASSERT_TRUE(core::mmuext_new_root(w.ctx, w.a, &w.roots_a[0], s.l4, false, true, &flush).is_ok());
    EXPECT_EQ(w.roots_a[0], s.l4);
    EXPECT_EQ(at(s.l4).type_count, 1u);
    EXPECT_EQ(flush.what, core::FlushRequest::local_all);
    EXPECT_EQ(w.check(), "");

    World::Space t = w.space(w.a, va);
    ASSERT_TRUE(core::mmuext_new_root(w.ctx, w.a, &w.roots_a[0], t.l4, false, true, &flush).is_ok());
    EXPECT_EQ(at(s.l4).type_count, 0u);  // nothing held the old root but the vCPU
    EXPECT_EQ(at(s.l3).type_count, 0u);
    EXPECT_EQ(at(t.l4).type_count, 1u);
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmuextTest, NewRootThatDoesNotValidateIsRefused) {
    core::FlushRequest flush;
    ASSERT_TRUE(core::mmuext_new_root(w.ctx, w.a, &w.roots_a[0], s.l4, false, true, &flush).is_ok());
    World::Space bad = w.space(w.a, va);
    w.table(bad.l1)[0] = map_rw(bad.l2);
    flush = {};
    World::Snapshot before = w.snapshot();
    EXPECT_EQ(core::mmuext_new_root(w.ctx, w.a, &w.roots_a[0], bad.l4, false, true, &flush).error(), Error::busy);
    EXPECT_EQ(w.roots_a[0], s.l4);
    EXPECT_TRUE(flush.empty());
    // A data frame mapped writable cannot become a root.
    EXPECT_EQ(core::mmuext_new_root(w.ctx, w.a, &w.roots_a[0], s.data, false, true, &flush).error(), Error::busy);
    // Nor can a root without the hypervisor's slots.
    Mfn empty = w.frame(w.a);
    before = w.snapshot();
    EXPECT_EQ(core::mmuext_new_root(w.ctx, w.a, &w.roots_a[0], empty, false, true, &flush).error(), Error::perm);
    EXPECT_EQ(core::mmuext_new_root(w.ctx, w.a, &w.roots_a[0], Mfn(3), false, true, &flush).error(), Error::perm);
    EXPECT_EQ(core::mmuext_new_root(w.ctx, w.a, &w.roots_a[0], Mfn(), false, true, &flush).error(), Error::inval);
    EXPECT_TRUE(w.snapshot() == before);
    EXPECT_EQ(w.roots_a[0], s.l4);
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmuextTest, UserRootMayBeNone) {
    core::FlushRequest flush;
    ASSERT_TRUE(core::mmuext_new_root(w.ctx, w.a, &w.roots_a[1], s.l4, true, false, &flush).is_ok());
    EXPECT_TRUE(flush.empty());  // not the live address space
    ASSERT_TRUE(core::mmuext_new_root(w.ctx, w.a, &w.roots_a[1], Mfn(), true, false, &flush).is_ok());
    EXPECT_EQ(w.roots_a[1], Mfn());
    EXPECT_EQ(at(s.l4).type_count, 0u);
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmuextTest, SameRootTwiceKeepsItValidated) {
    core::FlushRequest flush;
    ASSERT_TRUE(core::mmuext_new_root(w.ctx, w.a, &w.roots_a[0], s.l4, false, true, &flush).is_ok());
    ASSERT_TRUE(core::mmuext_new_root(w.ctx, w.a, &w.roots_a[0], s.l4, false, true, &flush).is_ok());
    EXPECT_EQ(at(s.l4).type_count, 1u);
    EXPECT_TRUE(at(s.l4).has(flag::validated));
    core::drop_root(w.ctx, &w.roots_a[0]);
    EXPECT_EQ(at(s.l4).type_count, 0u);
    EXPECT_EQ(w.check(), "");
}

TEST(MmuextFlush, Requests) {
    core::FlushRequest f;
    core::mmuext_flush(&f, false);
    EXPECT_EQ(f.what, core::FlushRequest::local_all);
    core::mmuext_flush(&f, true);
    EXPECT_EQ(f.what, core::FlushRequest::local_all | core::FlushRequest::domain_all);
    core::FlushRequest g;
    EXPECT_TRUE(core::mmuext_invlpg(&g, 0x401234, false).is_ok());
    EXPECT_EQ(g.what, core::FlushRequest::local_page);
    EXPECT_EQ(g.va, 0x401000u);
    EXPECT_EQ(core::mmuext_invlpg(&g, 0x0000800000000000ull, false).error(), Error::inval);
    EXPECT_EQ(g.what, core::FlushRequest::local_page);
}

}  // namespace
