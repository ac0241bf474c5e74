// The frame table's state machine on its own, with fake validation hooks:
// ownership and accounting, general references, and type references (the
// type changes only at count zero; 0 -> 1 validates, 1 -> 0 devalidates;
// a change of type flushes stale TLB entries first).
#include "core/frame_table.h"

#include <gtest/gtest.h>

#include <vector>

using core::FrameInfo;
using core::FrameTable;
using core::FrameType;
using core::Mfn;
using kstd::Error;
namespace flag = core::frame_flag;

namespace {

struct FakeHooks final : core::TypeHooks {
    std::vector<std::pair<uint64_t, FrameType>> validated, devalidated;
    std::vector<pv_domid_t> flushes;
    Error fail_with = Error::inval;
    bool fail = false;

    kstd::Result<void> validate(Mfn f, FrameType t) override {
        if (fail) return fail_with;
        validated.push_back({f.raw, t});
        return kstd::ok();
    }
    void devalidate(Mfn f, FrameType t) override { devalidated.push_back({f.raw, t}); }
    void flush_stale(pv_domid_t owner) override { flushes.push_back(owner); }
};

struct FrameTableTest : ::testing::Test {
    std::vector<FrameInfo> storage = std::vector<FrameInfo>(16);
    FrameTable ft = FrameTable::create({storage.data(), storage.size()}).release_value();
    core::MmDomain d{7, 0, 4};
    core::MmDomain other{8, 0, 4};
    FakeHooks hooks;

    const FrameInfo& at(uint64_t f) { return ft.info(Mfn(f)); }
};

TEST(FrameTableCreate, RefusesEmptyStorage) {
    EXPECT_EQ(FrameTable::create({}).error(), Error::inval);
}

TEST(FrameTableCreate, EntryIsSixteenBytes) { EXPECT_EQ(sizeof(FrameInfo), 16u); }

TEST_F(FrameTableTest, StartsUnowned) {
    for (uint64_t i = 0; i < ft.size(); ++i) EXPECT_EQ(at(i).owner, core::owner_none);
}

TEST_F(FrameTableTest, AssignCountsAgainstTheMaximum) {
    for (uint64_t f = 1; f <= 4; ++f) ASSERT_TRUE(ft.assign(Mfn(f), d).is_ok());
    EXPECT_EQ(d.tot_pages, 4u);
    EXPECT_EQ(ft.assign(Mfn(5), d).error(), Error::nomem);
    EXPECT_EQ(at(5).owner, core::owner_none);
    // A special frame (the shared page) is not counted.
    EXPECT_TRUE(ft.assign(Mfn(5), d, true).is_ok());
    EXPECT_EQ(d.tot_pages, 4u);
    EXPECT_TRUE(at(5).has(flag::special));
}

TEST_F(FrameTableTest, AssignRefusesOwnedAndOutsideFrames) {
    ASSERT_TRUE(ft.assign(Mfn(1), d).is_ok());
    EXPECT_EQ(ft.assign(Mfn(1), other).error(), Error::exist);
    ASSERT_TRUE(ft.assign_hypervisor(Mfn(2)).is_ok());
    EXPECT_EQ(ft.assign(Mfn(2), d).error(), Error::exist);
    EXPECT_EQ(ft.assign_hypervisor(Mfn(1)).error(), Error::exist);
    EXPECT_EQ(ft.assign(Mfn(16), d).error(), Error::perm);
    EXPECT_EQ(other.tot_pages, 0u);
}

TEST_F(FrameTableTest, UnassignOnlyByTheOwnerAndOnlyUnreferenced) {
    ASSERT_TRUE(ft.assign(Mfn(1), d).is_ok());
    EXPECT_EQ(ft.unassign(Mfn(1), other).error(), Error::perm);
    ASSERT_TRUE(ft.get_page(Mfn(1), d.id).is_ok());
    EXPECT_EQ(ft.unassign(Mfn(1), d).error(), Error::busy);
    ft.put_page(Mfn(1));
    EXPECT_TRUE(ft.unassign(Mfn(1), d).is_ok());
    EXPECT_EQ(d.tot_pages, 0u);
    EXPECT_EQ(at(1).owner, core::owner_none);
}

TEST_F(FrameTableTest, GetPageOnlyForTheOwner) {
    ASSERT_TRUE(ft.assign(Mfn(1), d).is_ok());
    ASSERT_TRUE(ft.assign_hypervisor(Mfn(2)).is_ok());
    EXPECT_TRUE(ft.get_page(Mfn(1), d.id).is_ok());
    EXPECT_EQ(at(1).ref_count, 1u);
    EXPECT_EQ(ft.get_page(Mfn(1), other.id).error(), Error::perm);  // another domain's
    EXPECT_EQ(ft.get_page(Mfn(2), d.id).error(), Error::perm);      // the hypervisor's
    EXPECT_EQ(ft.get_page(Mfn(2), core::owner_hypervisor).error(), Error::perm);
    EXPECT_EQ(ft.get_page(Mfn(3), d.id).error(), Error::perm);      // free
    EXPECT_EQ(ft.get_page(Mfn(99), d.id).error(), Error::perm);     // outside the table
    EXPECT_EQ(at(2).ref_count, 0u);
}

TEST_F(FrameTableTest, FirstTableReferenceValidatesAndLastDevalidates) {
    ASSERT_TRUE(ft.assign(Mfn(1), d).is_ok());
    ASSERT_TRUE(ft.get_page_and_type(Mfn(1), d.id, FrameType::l2, hooks).is_ok());
    ASSERT_EQ(hooks.validated.size(), 1u);
    EXPECT_EQ(hooks.validated[0].second, FrameType::l2);
    EXPECT_TRUE(at(1).has(flag::validated));
    ASSERT_TRUE(ft.get_page_and_type(Mfn(1), d.id, FrameType::l2, hooks).is_ok());
    EXPECT_EQ(hooks.validated.size(), 1u);  // only on 0 -> 1
    EXPECT_EQ(at(1).type_count, 2u);
    EXPECT_EQ(at(1).ref_count, 2u);

    ft.put_page_and_type(Mfn(1), hooks);
    EXPECT_TRUE(hooks.devalidated.empty());
    ft.put_page_and_type(Mfn(1), hooks);
    ASSERT_EQ(hooks.devalidated.size(), 1u);  // only on 1 -> 0
    EXPECT_FALSE(at(1).has(flag::validated));
    EXPECT_EQ(at(1).type_count, 0u);
    EXPECT_EQ(at(1).ref_count, 0u);
    // The type stays as a note of the frame's last use.
    EXPECT_EQ(at(1).type, FrameType::l2);
}

TEST_F(FrameTableTest, TypeChangesOnlyAtCountZero) {
    ASSERT_TRUE(ft.assign(Mfn(1), d).is_ok());
    ASSERT_TRUE(ft.get_page_and_type(Mfn(1), d.id, FrameType::writable, hooks).is_ok());
    // A writable frame cannot become a table while mapped writable...
    EXPECT_EQ(ft.get_page_and_type(Mfn(1), d.id, FrameType::l1, hooks).error(), Error::busy);
    EXPECT_EQ(at(1).ref_count, 1u);  // the failed call gave its general reference back
    EXPECT_TRUE(hooks.validated.empty());
    // ...and once it is not, the change flushes stale writable TLB entries
    // before validating.
    ft.put_page_and_type(Mfn(1), hooks);
    EXPECT_TRUE(hooks.flushes.empty());
    ASSERT_TRUE(ft.get_page_and_type(Mfn(1), d.id, FrameType::l1, hooks).is_ok());
    ASSERT_EQ(hooks.flushes.size(), 1u);
    EXPECT_EQ(hooks.flushes[0], d.id);
    // A table cannot be mapped writable.
    EXPECT_EQ(ft.get_page_and_type(Mfn(1), d.id, FrameType::writable, hooks).error(), Error::busy);
    // Nor become a table of another level.
    EXPECT_EQ(ft.get_page_and_type(Mfn(1), d.id, FrameType::l2, hooks).error(), Error::busy);
    EXPECT_EQ(at(1).type, FrameType::l1);
    EXPECT_EQ(at(1).type_count, 1u);
}

TEST_F(FrameTableTest, SameTypeAgainNeedsNoFlush) {
    ASSERT_TRUE(ft.assign(Mfn(1), d).is_ok());
    ASSERT_TRUE(ft.get_page_and_type(Mfn(1), d.id, FrameType::l1, hooks).is_ok());
    ft.put_page_and_type(Mfn(1), hooks);
    ASSERT_TRUE(ft.get_page_and_type(Mfn(1), d.id, FrameType::l1, hooks).is_ok());
    EXPECT_TRUE(hooks.flushes.empty());
    EXPECT_EQ(hooks.validated.size(), 2u);  // its entries took references again
    // From a table back to writable is a change too: the paging-structure
    // caches may still hold its entries.
    ft.put_page_and_type(Mfn(1), hooks);
    ASSERT_TRUE(ft.get_page_and_type(Mfn(1), d.id, FrameType::writable, hooks).is_ok());
    EXPECT_EQ(hooks.flushes.size(), 1u);
}

TEST_F(FrameTableTest, FailedValidationLeavesNoTrace) {
    ASSERT_TRUE(ft.assign(Mfn(1), d).is_ok());
    ASSERT_TRUE(ft.get_page_and_type(Mfn(1), d.id, FrameType::writable, hooks).is_ok());
    ft.put_page_and_type(Mfn(1), hooks);
    FrameInfo before = at(1);
    hooks.fail = true;
    hooks.fail_with = Error::perm;
    EXPECT_EQ(ft.get_page_and_type(Mfn(1), d.id, FrameType::l3, hooks).error(), Error::perm);
    EXPECT_EQ(at(1).type, before.type);
    EXPECT_EQ(at(1).type_count, 0u);
    EXPECT_EQ(at(1).ref_count, 0u);
    EXPECT_EQ(at(1).flags, before.flags);
}

TEST_F(FrameTableTest, SpecialFramesNeverBecomeTables) {
    ASSERT_TRUE(ft.assign(Mfn(1), d, true).is_ok());
    for (FrameType t : {FrameType::l1, FrameType::l2, FrameType::l3, FrameType::l4, FrameType::desc})
        EXPECT_EQ(ft.get_page_and_type(Mfn(1), d.id, t, hooks).error(), Error::perm);
    EXPECT_TRUE(ft.get_page_and_type(Mfn(1), d.id, FrameType::writable, hooks).is_ok());
}

TEST_F(FrameTableTest, WritableNeedsNoValidation) {
    ASSERT_TRUE(ft.assign(Mfn(1), d).is_ok());
    ASSERT_TRUE(ft.get_page_and_type(Mfn(1), d.id, FrameType::writable, hooks).is_ok());
    ft.put_page_and_type(Mfn(1), hooks);
    EXPECT_TRUE(hooks.validated.empty());
    EXPECT_TRUE(hooks.devalidated.empty());
    EXPECT_FALSE(at(1).has(flag::validated));
}

}  // namespace
