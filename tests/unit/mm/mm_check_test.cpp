// The invariant checker must notice each kind of corruption: it is what
// the fuzz target relies on.
#include "core/mm_check.h"

#include <gtest/gtest.h>

#include "core/mmuext.h"
#include "core/page_table.h"
#include "mm_world.h"

using core::Mfn;
using mmtest::World;
namespace pte = core::pte;

namespace {

constexpr uint64_t va = 0x400000;

struct MmCheckTest : ::testing::Test {
    World w;
    World::Space s = w.space(w.a, va);
    void SetUp() override {
        ASSERT_TRUE(core::mmuext_pin(w.ctx, w.a, s.l4, 4).is_ok());
        ASSERT_EQ(w.check(), "");
    }
    core::FrameInfo& raw(Mfn f) { return w.infos[f.raw]; }
};

TEST_F(MmCheckTest, NoticesAWrongRefCount) {
    ++raw(s.l2).ref_count;
    EXPECT_NE(w.check().find("ref_count"), std::string::npos) << w.check();
}

TEST_F(MmCheckTest, NoticesAWrongTypeCount) {
    --raw(s.data).type_count;
    EXPECT_NE(w.check().find("type_count"), std::string::npos) << w.check();
}

TEST_F(MmCheckTest, NoticesAWritableMappingOfATable) {
    w.table(s.l1)[7] = mmtest::map_rw(s.l3);
    EXPECT_NE(w.check(), "");
}

TEST_F(MmCheckTest, NoticesAHypervisorFrameReachable) {
    w.table(s.l1)[7] = mmtest::map_ro(Mfn(2));
    EXPECT_NE(w.check().find("hypervisor frame"), std::string::npos) << w.check();
}

TEST_F(MmCheckTest, NoticesAnotherDomainsFrame) {
    Mfn theirs = w.frame(w.b);
    w.table(s.l1)[7] = mmtest::map_ro(theirs);
    EXPECT_NE(w.check().find("does not own"), std::string::npos) << w.check();
}

TEST_F(MmCheckTest, NoticesAChangedHypervisorSlot) {
    w.table(s.l4)[pte::hv_first_slot] = 0;
    EXPECT_NE(w.check().find("slot"), std::string::npos) << w.check();
}

TEST_F(MmCheckTest, NoticesForbiddenFlags) {
    w.table(s.l1)[pte::index_of(va, 1)] |= pte::global;
    EXPECT_NE(w.check().find("allow-list"), std::string::npos) << w.check();
}

TEST_F(MmCheckTest, NoticesALinkToSomethingNotValidated) {
    Mfn plain = w.frame(w.a);
    w.table(s.l2)[7] = mmtest::link(plain);
    EXPECT_NE(w.check().find("next-level"), std::string::npos) << w.check();
}

TEST_F(MmCheckTest, NoticesWrongAccounting) {
    ++w.a.tot_pages;
    EXPECT_NE(w.check().find("tot_pages"), std::string::npos) << w.check();
}

TEST_F(MmCheckTest, NoticesAnUnknownOwner) {
    raw(Mfn(w.frames - 1)).owner = 42;
    EXPECT_NE(w.check().find("unknown domain"), std::string::npos) << w.check();
}

TEST_F(MmCheckTest, NoticesFlagsThatDisagreeWithCounts) {
    core::FrameInfo& fi = raw(s.l1);
    fi.flags = static_cast<uint8_t>(fi.flags & ~core::frame_flag::validated);
    EXPECT_NE(w.check().find("validated"), std::string::npos) << w.check();
}

TEST_F(MmCheckTest, NoticesAnUnreferencedRoot) {
    w.roots_a[0] = s.l3;
    EXPECT_NE(w.check().find("root"), std::string::npos) << w.check();
}

}  // namespace

namespace {

TEST_F(MmCheckTest, NoticesAPresentEntryInAGroupMarkedEmpty) {
    // The space maps va through entry index_of(va, 1) of its L1; release
    // would skip that entry if its group were not marked.
    uint32_t i = pte::index_of(va, 1);
    core::FrameInfo& fi = raw(s.l1);
    ASSERT_NE(fi.present_groups & (1u << (i / core::present_group_entries)), 0u);
    fi.present_groups = static_cast<uint16_t>(fi.present_groups & ~(1u << (i / core::present_group_entries)));
    EXPECT_NE(w.check().find("group"), std::string::npos) << w.check();
}

}  // namespace
