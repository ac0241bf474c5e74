// Validation of guest page tables, driven through pinning: what each level
// may point to, the flag allow-lists, the hypervisor's L4 slots, and the
// references each entry holds. Every refusal must leave no trace.
#include "core/page_table.h"

#include <gtest/gtest.h>

#include "core/mmuext.h"
#include "mm_world.h"

using core::FrameType;
using core::Mfn;
using kstd::Error;
using mmtest::link;
using mmtest::map_ro;
using mmtest::map_rw;
using mmtest::World;
namespace pte = core::pte;
namespace flag = core::frame_flag;

namespace {

constexpr uint64_t va = 0x0000123456789000ull;

struct PageTableTest : ::testing::Test {
    World w;
    World::Space s = w.space(w.a, va);
    uint32_t i1 = pte::index_of(va, 1), i2 = pte::index_of(va, 2), i3 = pte::index_of(va, 3),
             i4 = pte::index_of(va, 4);

    const core::FrameInfo& at(Mfn f) { return w.ft.info(f); }

    // Pinning s.l4 must fail with e and change nothing.
    void expect_refused(Error e) {
        World::Snapshot before = w.snapshot();
        kstd::Result<void> r = core::mmuext_pin(w.ctx, w.a, s.l4, 4);
        ASSERT_TRUE(r.is_error());
        EXPECT_EQ(r.error(), e) << kstd::error_name(r.error());
        EXPECT_TRUE(w.snapshot() == before);
        EXPECT_EQ(w.check(), "");
    }
    void expect_pins() {
        ASSERT_TRUE(core::mmuext_pin(w.ctx, w.a, s.l4, 4).is_ok());
        EXPECT_EQ(w.check(), "");
    }
};

TEST_F(PageTableTest, ValidTreeTakesOneReferencePerEntry) {
    expect_pins();
    for (auto [f, t] : {std::pair{s.l3, FrameType::l3}, {s.l2, FrameType::l2}, {s.l1, FrameType::l1}}) {
        EXPECT_EQ(at(f).type, t);
        EXPECT_EQ(at(f).type_count, 1u);
        EXPECT_EQ(at(f).ref_count, 1u);
        EXPECT_TRUE(at(f).has(flag::validated));
    }
    EXPECT_EQ(at(s.data).type, FrameType::writable);
    EXPECT_EQ(at(s.data).type_count, 1u);
    EXPECT_EQ(at(s.l4).type_count, 1u);  // the pin
    EXPECT_TRUE(at(s.l4).has(flag::pinned));

    ASSERT_TRUE(core::mmuext_unpin(w.ctx, w.a, s.l4).is_ok());
    for (Mfn f : {s.l4, s.l3, s.l2, s.l1, s.data}) {
        EXPECT_EQ(at(f).type_count, 0u);
        EXPECT_EQ(at(f).ref_count, 0u);
        EXPECT_FALSE(at(f).has(flag::validated));
    }
    EXPECT_EQ(w.check(), "");
}

TEST_F(PageTableTest, ReadOnlyMappingTakesNoType) {
    w.table(s.l1)[i1] = map_ro(s.data);
    expect_pins();
    EXPECT_EQ(at(s.data).ref_count, 1u);
    EXPECT_EQ(at(s.data).type_count, 0u);
    EXPECT_EQ(at(s.data).type, FrameType::none);
}

TEST_F(PageTableTest, ReadOnlyMappingsOfTablesAreAllowed) {
    // Guests read their own tables through read-only mappings.
    w.table(s.l1)[1] = map_ro(s.l1);
    w.table(s.l1)[2] = map_ro(s.l2);
    w.table(s.l1)[3] = map_ro(s.l4);
    expect_pins();
    EXPECT_EQ(at(s.l1).ref_count, 2u);
}

TEST_F(PageTableTest, RefusesMappingAHypervisorFrame) {
    w.table(s.l1)[i1] = map_ro(Mfn(1));
    expect_refused(Error::perm);
}

TEST_F(PageTableTest, RefusesLinkingToAHypervisorFrame) {
    w.table(s.l2)[i2] = link(Mfn(2));
    expect_refused(Error::perm);
}

TEST_F(PageTableTest, RefusesAnotherDomainsFrame) {
    Mfn theirs = w.frame(w.b);
    w.table(s.l1)[i1] = map_ro(theirs);
    expect_refused(Error::perm);
    w.table(s.l1)[i1] = map_rw(s.data);
    w.table(s.l3)[5] = link(theirs);
    expect_refused(Error::perm);
}

TEST_F(PageTableTest, RefusesFramesOutsideMemoryAndFreeFrames) {
    w.table(s.l1)[i1] = map_ro(Mfn(w.frames + 10));
    expect_refused(Error::perm);
    w.table(s.l1)[i1] = map_ro(w.pool.free_frames.front());
    expect_refused(Error::perm);
}

TEST_F(PageTableTest, RefusesWritableMappingOfATable) {
    w.table(s.l1)[7] = map_rw(s.l2);
    expect_refused(Error::busy);
}

TEST_F(PageTableTest, RefusesWritableMappingOfItself) {
    w.table(s.l1)[7] = map_rw(s.l1);
    expect_refused(Error::busy);
}

TEST_F(PageTableTest, RefusesTurningAWritableMappedFrameIntoATable) {
    expect_pins();
    // s.data is mapped writable by the pinned tree; it cannot be a table.
    for (int level = 1; level <= 4; ++level)
        EXPECT_EQ(core::mmuext_pin(w.ctx, w.a, s.data, level).error(), Error::busy);
    EXPECT_EQ(at(s.data).type, FrameType::writable);
    EXPECT_EQ(w.check(), "");
}

TEST_F(PageTableTest, RefusesLinearMappingAtEachLevel) {
    w.table(s.l4)[10] = link(s.l4);  // L4 -> itself
    expect_refused(Error::busy);
    w.table(s.l4)[10] = 0;
    w.table(s.l3)[10] = link(s.l3);  // L3 -> itself
    expect_refused(Error::busy);
    w.table(s.l3)[10] = 0;
    w.table(s.l2)[10] = link(s.l2);  // L2 -> itself
    expect_refused(Error::busy);
    w.table(s.l2)[10] = 0;
    w.table(s.l2)[10] = link(s.l3);  // L2 -> an L3 (upwards)
    expect_refused(Error::busy);
    w.table(s.l2)[10] = 0;
    expect_pins();
}

TEST_F(PageTableTest, RefusesSameLevelLinkToAnotherTable) {
    World::Space t = w.space(w.a, va);
    ASSERT_TRUE(core::mmuext_pin(w.ctx, w.a, t.l4, 4).is_ok());
    w.table(s.l4)[10] = link(t.l4);  // L4 -> another live L4
    expect_refused(Error::busy);
    w.table(s.l4)[10] = 0;
    w.table(s.l3)[10] = link(t.l3);  // L3 -> another live L3
    expect_refused(Error::busy);
}

TEST_F(PageTableTest, RefusesChangedHypervisorSlots) {
    uint64_t saved = w.table(s.l4)[pte::hv_first_slot + 3];
    w.table(s.l4)[pte::hv_first_slot + 3] = 0;
    expect_refused(Error::perm);
    w.table(s.l4)[pte::hv_first_slot + 3] = saved | pte::user;
    expect_refused(Error::perm);
    w.table(s.l4)[pte::hv_first_slot + 3] = saved;
    expect_pins();
}

TEST_F(PageTableTest, RefusesSuperpages) {
    w.table(s.l2)[i2] = link(s.l1) | pte::ps;
    expect_refused(Error::inval);
    w.table(s.l2)[i2] = link(s.l1);
    w.table(s.l3)[i3] = link(s.l2) | pte::ps;
    expect_refused(Error::inval);
    w.table(s.l3)[i3] = link(s.l2);
    w.table(s.l4)[i4] = link(s.l3) | pte::ps;
    expect_refused(Error::inval);
}

TEST_F(PageTableTest, RefusesFlagsOutsideTheAllowList) {
    for (uint64_t bad : {pte::global, pte::pwt, pte::pcd, pte::ps /* PAT */, uint64_t{1} << 52, uint64_t{1} << 59,
                         uint64_t{1} << 62}) {
        w.table(s.l1)[i1] = map_rw(s.data) | bad;
        expect_refused(Error::inval);
    }
    w.table(s.l1)[i1] = map_rw(s.data);
    for (uint64_t bad : {pte::global, pte::pwt, pte::pcd, pte::dirty, uint64_t{1} << 55}) {
        w.table(s.l2)[i2] = link(s.l1) | bad;
        expect_refused(Error::inval);
    }
}

TEST_F(PageTableTest, AcceptsTheAllowedFlags) {
    w.table(s.l1)[i1] = map_rw(s.data) | pte::accessed | pte::dirty | pte::soft | pte::nx;
    w.table(s.l2)[i2] = link(s.l1) | pte::accessed | pte::soft | pte::nx;
    expect_pins();
}

TEST_F(PageTableTest, NonPresentEntriesMayHoldAnything) {
    w.table(s.l1)[9] = 0xfffffffffffffffeull;  // every bit but present
    w.table(s.l4)[9] = 0x8000000000000ffeull;
    expect_pins();
}

TEST_F(PageTableTest, FailureDeepInTheTreeUndoesTheRest) {
    // A second L1 under the same L2, whose last entry is bad: everything
    // validated before it must be undone.
    Mfn l1b = w.frame(w.a), data2 = w.frame(w.a);
    w.table(l1b)[0] = map_rw(data2);
    w.table(l1b)[511] = map_ro(Mfn(3));  // the hypervisor's
    w.table(s.l2)[i2 + 1] = link(l1b);
    expect_refused(Error::perm);
    EXPECT_EQ(at(s.data).type_count, 0u);
    EXPECT_EQ(at(data2).type_count, 0u);
}

TEST_F(PageTableTest, SharedTablesCountEveryLink) {
    Mfn l4b = w.fresh_l4(w.a);
    w.table(l4b)[i4] = link(s.l3);
    expect_pins();
    ASSERT_TRUE(core::mmuext_pin(w.ctx, w.a, l4b, 4).is_ok());
    EXPECT_EQ(at(s.l3).type_count, 2u);
    EXPECT_EQ(at(s.l2).type_count, 1u);
    ASSERT_TRUE(core::mmuext_unpin(w.ctx, w.a, s.l4).is_ok());
    EXPECT_TRUE(at(s.l3).has(flag::validated));
    EXPECT_EQ(w.check(), "");
}

TEST_F(PageTableTest, DescriptorTablesAreNotSupportedYet) {
    core::TableValidator v(w.ctx);
    Mfn f = w.frame(w.a);
    EXPECT_EQ(w.ft.get_page_and_type(f, w.a.id, FrameType::desc, v).error(), Error::nosys);
    EXPECT_EQ(at(f).ref_count, 0u);
}

TEST(EntryFlags, CheckedPerLevel) {
    EXPECT_TRUE(core::check_entry_flags(1, pte::present | pte::dirty).is_ok());
    EXPECT_EQ(core::check_entry_flags(2, pte::present | pte::dirty).error(), Error::inval);
    EXPECT_EQ(core::check_entry_flags(1, pte::present | pte::global).error(), Error::inval);
}

}  // namespace
