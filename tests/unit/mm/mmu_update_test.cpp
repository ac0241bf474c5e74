// Checked page-table updates: mmu_update by machine address, the array
// decode, trapped-write emulation and update_va_mapping. Each refusal
// leaves the tables and the frame table exactly as they were.
#include "core/mmu_update.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/entry_update.h"
#include "core/mmuext.h"
#include "core/page_table.h"
#include "mm_world.h"

using core::FrameType;
using core::Mfn;
using kstd::Error;
using mmtest::entry_ptr;
using mmtest::link;
using mmtest::map_ro;
using mmtest::map_rw;
using mmtest::World;
namespace pte = core::pte;

namespace {

constexpr uint64_t va = 0x00007f0000200000ull;

struct MmuUpdateTest : ::testing::Test {
    World w;
    World::Space s = w.space(w.a, va);
    World::Space sb = w.space(w.b, va);
    uint32_t i1 = pte::index_of(va, 1), i2 = pte::index_of(va, 2), i4 = pte::index_of(va, 4);

    void SetUp() override {
        ASSERT_TRUE(core::mmuext_pin(w.ctx, w.a, s.l4, 4).is_ok());
        ASSERT_TRUE(core::mmuext_pin(w.ctx, w.b, sb.l4, 4).is_ok());
        ASSERT_EQ(w.check(), "");
    }
    const core::FrameInfo& at(Mfn f) { return w.ft.info(f); }

    void expect_refused(Error e, const std::function<kstd::Result<void>()>& op) {
        World::Snapshot before = w.snapshot();
        kstd::Result<void> r = op();
        ASSERT_TRUE(r.is_error());
        EXPECT_EQ(r.error(), e) << "got " << kstd::error_name(r.error());
        EXPECT_TRUE(w.snapshot() == before);
        EXPECT_EQ(w.check(), "");
    }
    void refused_update(Error e, uint64_t ptr, uint64_t val) {
        expect_refused(e, [&] { return core::mmu_update_one(w.ctx, w.a, ptr, val); });
    }
    kstd::Result<void> update(uint64_t ptr, uint64_t val) { return core::mmu_update_one(w.ctx, w.a, ptr, val); }
};

TEST_F(MmuUpdateTest, ReplacesAnEntryAndDropsTheOldReferences) {
    Mfn other = w.frame(w.a);
    ASSERT_TRUE(update(entry_ptr(s.l1, i1), map_rw(other)).is_ok());
    EXPECT_EQ(w.table(s.l1)[i1], map_rw(other));
    EXPECT_EQ(at(other).type_count, 1u);
    EXPECT_EQ(at(s.data).type_count, 0u);
    EXPECT_EQ(at(s.data).ref_count, 0u);
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmuUpdateTest, ChangingFlagsOnlyMovesTheTypeReference) {
    ASSERT_TRUE(update(entry_ptr(s.l1, i1), map_ro(s.data)).is_ok());
    EXPECT_EQ(at(s.data).ref_count, 1u);
    EXPECT_EQ(at(s.data).type_count, 0u);
    ASSERT_TRUE(update(entry_ptr(s.l1, i1), map_rw(s.data) | pte::accessed | pte::dirty).is_ok());
    EXPECT_EQ(at(s.data).type_count, 1u);
    // Rewriting an L2 entry with the same L1 keeps the L1 validated.
    ASSERT_TRUE(update(entry_ptr(s.l2, i2), link(s.l1) | pte::accessed).is_ok());
    EXPECT_EQ(at(s.l1).type_count, 1u);
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmuUpdateTest, LinkingANewTableValidatesItAndUnlinkingDevalidates) {
    Mfn l1 = w.frame(w.a), data = w.frame(w.a);
    w.table(l1)[0] = map_rw(data);  // the guest fills it while it is still ordinary memory
    ASSERT_TRUE(update(entry_ptr(s.l2, i2 + 1), link(l1)).is_ok());
    EXPECT_EQ(at(l1).type, FrameType::l1);
    EXPECT_EQ(at(data).type_count, 1u);
    ASSERT_TRUE(update(entry_ptr(s.l2, i2 + 1), 0).is_ok());
    EXPECT_EQ(at(l1).type_count, 0u);
    EXPECT_EQ(at(data).type_count, 0u);
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmuUpdateTest, ValidationMarksExactlyTheGroupsWithPresentEntries) {
    Mfn l1 = w.frame(w.a), d0 = w.frame(w.a), d1 = w.frame(w.a);
    uint64_t* t = w.table(l1);
    t[0] = map_rw(d0);
    t[100] = map_ro(d1);
    t[200] = pte::rw | 0x1234000;  // not present: no group, no reference
    ASSERT_TRUE(update(entry_ptr(s.l2, i2 + 1), link(l1)).is_ok());
    EXPECT_EQ(at(l1).present_groups, (1u << 0) | (1u << (100 / core::present_group_entries)));
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmuUpdateTest, UpdatesMarkTheirGroupAndReleaseFindsEveryEntry) {
    Mfn l1 = w.frame(w.a), d0 = w.frame(w.a), d1 = w.frame(w.a);
    w.table(l1)[3] = map_rw(d0);
    ASSERT_TRUE(update(entry_ptr(s.l2, i2 + 1), link(l1)).is_ok());
    EXPECT_EQ(at(l1).present_groups, 1u);
    // An entry written into an empty group after validation must be found
    // when the table is released.
    ASSERT_TRUE(update(entry_ptr(l1, 511), map_rw(d1)).is_ok());
    EXPECT_EQ(at(l1).present_groups, 1u | (1u << 15));
    EXPECT_EQ(at(d1).type_count, 1u);
    EXPECT_EQ(w.check(), "");
    ASSERT_TRUE(update(entry_ptr(s.l2, i2 + 1), 0).is_ok());
    EXPECT_EQ(at(l1).type_count, 0u);
    EXPECT_EQ(at(l1).present_groups, 0u);
    EXPECT_EQ(at(d0).ref_count, 0u);
    EXPECT_EQ(at(d1).ref_count, 0u);
    EXPECT_EQ(at(d1).type_count, 0u);
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmuUpdateTest, RefusesMisalignedOrUnknownEntryAddresses) {
    for (uint64_t low = 1; low < 8; ++low) refused_update(Error::inval, entry_ptr(s.l1, i1) + low, 0);
}

TEST_F(MmuUpdateTest, RefusesAnEntryInAnotherDomainsTable) {
    refused_update(Error::perm, entry_ptr(sb.l1, i1), 0);
    refused_update(Error::perm, entry_ptr(sb.l1, 3), map_ro(s.data));
}

TEST_F(MmuUpdateTest, RefusesAnEntryInHypervisorOrMissingMemory) {
    refused_update(Error::perm, entry_ptr(Mfn(1), 0), 0);
    refused_update(Error::perm, entry_ptr(Mfn(w.frames + 1), 0), 0);
    refused_update(Error::perm, 0xfffffffffffff000ull, 0);
}

TEST_F(MmuUpdateTest, RefusesAnEntryInAFrameThatIsNotALiveTable) {
    refused_update(Error::inval, entry_ptr(s.data, 0), map_ro(s.data));
    Mfn fresh = w.frame(w.a);
    refused_update(Error::inval, entry_ptr(fresh, 0), map_ro(s.data));
}

TEST_F(MmuUpdateTest, RefusesChangingTheHypervisorSlots) {
    for (uint32_t i = pte::hv_first_slot; i < pte::hv_first_slot + pte::hv_slot_count; ++i) {
        refused_update(Error::perm, entry_ptr(s.l4, i), 0);
        refused_update(Error::perm, entry_ptr(s.l4, i), w.hv_slots[i - pte::hv_first_slot]);
    }
}

TEST_F(MmuUpdateTest, RefusesBadNewEntries) {
    refused_update(Error::perm, entry_ptr(s.l1, 5), map_ro(Mfn(2)));       // hypervisor frame
    refused_update(Error::perm, entry_ptr(s.l1, 5), map_ro(sb.data));      // another domain's
    refused_update(Error::busy, entry_ptr(s.l1, 5), map_rw(s.l2));         // writable map of a table
    refused_update(Error::busy, entry_ptr(s.l1, 5), map_rw(s.l1));         // ... of itself
    refused_update(Error::busy, entry_ptr(s.l4, 5), link(s.l4));           // linear at L4
    refused_update(Error::busy, entry_ptr(s.l3, 5), link(s.l3));           // linear at L3
    refused_update(Error::busy, entry_ptr(s.l2, 5), link(s.l2));           // linear at L2
    refused_update(Error::busy, entry_ptr(s.l2, 5), link(s.data));         // a writable-mapped frame as L1
    refused_update(Error::inval, entry_ptr(s.l2, i2), link(s.l1) | pte::ps);
    refused_update(Error::inval, entry_ptr(s.l1, 5), map_ro(s.data) | pte::global);
    refused_update(Error::inval, entry_ptr(s.l1, 5), map_ro(s.data) | pte::pcd);
}

TEST_F(MmuUpdateTest, TypeChangeAfterUnmapFlushesStaleWritableEntries) {
    ASSERT_TRUE(update(entry_ptr(s.l1, i1), 0).is_ok());
    EXPECT_TRUE(w.tlb.flushes.empty());  // the guest flushes its own view
    // The frame was mapped writable; a TLB may still say so. Making it a
    // table must flush before the hypervisor trusts its contents.
    ASSERT_TRUE(core::mmuext_pin(w.ctx, w.a, s.data, 1).is_ok());
    ASSERT_EQ(w.tlb.flushes.size(), 1u);
    EXPECT_EQ(w.tlb.flushes[0], w.a.id);
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmuUpdateTest, BatchStopsAtTheFirstRefusal) {
    Mfn f1 = w.frame(w.a);
    core::MmuUpdate reqs[] = {
        {entry_ptr(s.l1, 1), map_ro(f1)},
        {entry_ptr(s.l1, 2), map_ro(Mfn(1))},
        {entry_ptr(s.l1, 3), map_ro(f1)},
    };
    size_t done = 99;
    EXPECT_EQ(core::mmu_update_batch(w.ctx, w.a, reqs, &done).error(), Error::perm);
    EXPECT_EQ(done, 1u);
    EXPECT_EQ(w.table(s.l1)[1], map_ro(f1));
    EXPECT_EQ(w.table(s.l1)[3], 0u);
    reqs[1].val = 0;
    EXPECT_TRUE(core::mmu_update_batch(w.ctx, w.a, reqs, &done).is_ok());
    EXPECT_EQ(done, 3u);
    EXPECT_EQ(at(f1).ref_count, 2u);
    EXPECT_EQ(w.check(), "");
}

TEST(MmuUpdateArray, CountAndRangeAreCheckedInTheDecode) {
    EXPECT_TRUE(core::check_mmu_update_array(0x1000, 0).is_ok());
    EXPECT_TRUE(core::check_mmu_update_array(0x1000, core::mmu_update_max).is_ok());
    EXPECT_EQ(core::check_mmu_update_array(0x1000, core::mmu_update_max + 1).error(), Error::too_big);
    // A count whose byte size overflows is refused by the count check first.
    EXPECT_EQ(core::check_mmu_update_array(0x1000, uint64_t{1} << 60).error(), Error::too_big);
    EXPECT_EQ(core::check_mmu_update_array(0xffff800000000000ull, 1).error(), Error::fault);
    EXPECT_EQ(core::check_mmu_update_array(0xffff87fffffffff0ull, 1).error(), Error::fault);
    // Runs from guest space into the hypervisor's slots or the hole.
    EXPECT_EQ(core::check_mmu_update_array(0xffff7ffffffffff0ull, 2).error(), Error::fault);
    EXPECT_EQ(core::check_mmu_update_array(0x00007ffffffffff0ull, 2).error(), Error::fault);
    EXPECT_EQ(core::check_mmu_update_array(0xfffffffffffffff0ull, 2).error(), Error::fault);
    EXPECT_TRUE(core::check_mmu_update_array(0xffff880000000000ull, 4).is_ok());
}

TEST(PteStore, OnlyAlignedQuadwords) {
    EXPECT_EQ(core::pte_index_of_store(8, 8).value(), 1u);
    EXPECT_EQ(core::pte_index_of_store(4088, 8).value(), 511u);
    EXPECT_EQ(core::pte_index_of_store(4, 8).error(), Error::inval);
    EXPECT_EQ(core::pte_index_of_store(8, 4).error(), Error::inval);
    EXPECT_EQ(core::pte_index_of_store(4096, 8).error(), Error::inval);
}

TEST_F(MmuUpdateTest, EmulatedWriteIsACheckedUpdate) {
    Mfn f = w.frame(w.a);
    ASSERT_TRUE(core::emulate_pte_write(w.ctx, w.a, s.l1, 4, map_rw(f)).is_ok());
    EXPECT_EQ(at(f).type, FrameType::writable);
    expect_refused(Error::busy, [&] { return core::emulate_pte_write(w.ctx, w.a, s.l1, 5, map_rw(s.l3)); });
    expect_refused(Error::perm, [&] { return core::emulate_pte_write(w.ctx, w.a, s.l1, 5, map_ro(Mfn(0))); });
    expect_refused(Error::perm, [&] { return core::emulate_pte_write(w.ctx, w.a, sb.l1, 5, 0); });
    expect_refused(Error::inval, [&] { return core::emulate_pte_write(w.ctx, w.a, s.l2, 5, 0); });   // not an L1
    expect_refused(Error::inval, [&] { return core::emulate_pte_write(w.ctx, w.a, s.data, 5, 0); }); // not a table
    expect_refused(Error::inval, [&] { return core::emulate_pte_write(w.ctx, w.a, s.l1, 512, 0); });
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmuUpdateTest, EmulatedCmpxchgComparesFirst) {
    Mfn f = w.frame(w.a);
    uint64_t seen = 0;
    World::Snapshot before = w.snapshot();
    auto r = core::emulate_pte_cmpxchg(w.ctx, w.a, s.l1, i1, map_ro(s.data), map_rw(f), &seen);
    ASSERT_TRUE(r.is_ok());
    EXPECT_FALSE(r.value());
    EXPECT_EQ(seen, map_rw(s.data));
    EXPECT_TRUE(w.snapshot() == before);

    auto r2 = core::emulate_pte_cmpxchg(w.ctx, w.a, s.l1, i1, map_rw(s.data), map_rw(f), &seen);
    ASSERT_TRUE(r2.is_ok());
    EXPECT_TRUE(r2.value());
    EXPECT_EQ(seen, map_rw(s.data));
    EXPECT_EQ(w.table(s.l1)[i1], map_rw(f));
    EXPECT_EQ(at(s.data).type_count, 0u);

    before = w.snapshot();
    auto r3 = core::emulate_pte_cmpxchg(w.ctx, w.a, s.l1, i1, map_rw(f), map_rw(s.l1), &seen);
    ASSERT_TRUE(r3.is_error());
    EXPECT_EQ(r3.error(), Error::busy);
    EXPECT_TRUE(w.snapshot() == before);
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmuUpdateTest, FindsTheL1SlotOfAnAddress) {
    auto r = core::find_l1_slot(w.ctx, w.a, s.l4, va + 0x3000);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r.value().table, s.l1);
    EXPECT_EQ(r.value().index, i1 + 3);
    EXPECT_EQ(core::find_l1_slot(w.ctx, w.a, s.l4, va + (uint64_t{1} << 39)).error(), Error::inval);  // no L3
    EXPECT_EQ(core::find_l1_slot(w.ctx, w.a, s.l4, va + (uint64_t{1} << 21)).error(), Error::inval);  // no L1
}

TEST_F(MmuUpdateTest, UpdateVaMappingMapsAndAsksForTheFlush) {
    Mfn f = w.frame(w.a);
    core::FlushRequest flush;
    ASSERT_TRUE(core::update_va_mapping(w.ctx, w.a, s.l4, va + 0x1000, map_rw(f), core::uvm_invlpg, &flush).is_ok());
    EXPECT_EQ(w.table(s.l1)[i1 + 1], map_rw(f));
    EXPECT_EQ(flush.what, core::FlushRequest::local_page);
    EXPECT_EQ(flush.va, va + 0x1000);
    ASSERT_TRUE(core::update_va_mapping(w.ctx, w.a, s.l4, va + 0x1000, 0, core::uvm_invlpg | core::uvm_all, &flush)
                    .is_ok());
    EXPECT_EQ(flush.what, core::FlushRequest::local_page | core::FlushRequest::domain_page);
    ASSERT_TRUE(core::update_va_mapping(w.ctx, w.a, s.l4, va + 0x2000, 0, core::uvm_invlpg, &flush).is_ok());
    EXPECT_EQ(flush.what, core::FlushRequest::local_all | core::FlushRequest::domain_all);  // two pages: full flushes
    core::FlushRequest none;
    ASSERT_TRUE(core::update_va_mapping(w.ctx, w.a, s.l4, va, map_ro(f), 0, &none).is_ok());
    EXPECT_TRUE(none.empty());
    EXPECT_EQ(w.check(), "");
}

TEST_F(MmuUpdateTest, UpdateVaMappingRefusals) {
    core::FlushRequest flush;
    auto uvm = [&](Mfn root, uint64_t v, uint64_t val, uint64_t flags) {
        return [&, root, v, val, flags] { return core::update_va_mapping(w.ctx, w.a, root, v, val, flags, &flush); };
    };
    expect_refused(Error::inval, uvm(s.l4, va, 0, 3));                    // unknown flush type
    expect_refused(Error::inval, uvm(s.l4, va, 0, 8));                    // unknown flag
    expect_refused(Error::inval, uvm(s.l4, 0x0000800000000000ull, 0, 0));  // not canonical
    expect_refused(Error::inval, uvm(s.l4, va + 8, 0, 0));                // not page-aligned
    expect_refused(Error::perm, uvm(s.l4, 0xffff800000001000ull, 0, 0));   // the hypervisor's slots
    expect_refused(Error::inval, uvm(s.l4, va + (uint64_t{1} << 30), 0, 0));  // no L1 there
    expect_refused(Error::perm, uvm(sb.l4, va, 0, 0));                    // another domain's root
    expect_refused(Error::perm, uvm(s.l3, va, 0, 0));                     // not an L4
    expect_refused(Error::busy, uvm(s.l4, va, map_rw(s.l4), 0));          // writable map of the root
    expect_refused(Error::perm, uvm(s.l4, va, map_rw(Mfn(4)), 0));        // a hypervisor frame
    EXPECT_TRUE(flush.empty());
}

TEST_F(MmuUpdateTest, HardwareAccessedAndDirtyBitsAreKept) {
    // The CPU sets A and D in live entries; rewriting such an entry with
    // its references unchanged must work.
    w.table(s.l1)[i1] |= pte::accessed | pte::dirty;
    ASSERT_TRUE(update(entry_ptr(s.l1, i1), map_ro(s.data)).is_ok());
    EXPECT_EQ(at(s.data).type_count, 0u);
    EXPECT_EQ(w.check(), "");
}

}  // namespace

// The fast path's combined checks accept exactly what the full path's
// separate ones do.
TEST(UpdateVaMappingChecks, FlagsAndAddressAsTheFullPathDecodes) {
    for (uint64_t flags = 0; flags < 300; ++flags)
        EXPECT_EQ((flags & ~uint64_t{7}) == 0 && (flags & 3) != 3, core::uvm_flags_valid(flags)) << flags;
    EXPECT_FALSE(core::uvm_flags_valid(~uint64_t{0}));
    EXPECT_FALSE(core::uvm_flags_valid(uint64_t{1} << 63));
    auto full = [](uint64_t v) {
        return core::is_canonical(v) && (v & 0xfff) == 0 && !(v >= PV_HYPERVISOR_VIRT_START && v < PV_HYPERVISOR_VIRT_END);
    };
    const uint64_t edges[] = {0, 0x0000800000000000ull, PV_HYPERVISOR_VIRT_START, PV_HYPERVISOR_VIRT_END,
                              0xffff000000000000ull, 0x0001000000000000ull, 0x8000000000000000ull};
    for (uint64_t e : edges)
        for (uint64_t d = 0; d < 3 * 4096; d += 8) {
            for (uint64_t v : {e + d, e - d, e + d * 4097, e - d * 4097})
                EXPECT_EQ(full(v), core::uvm_va_ok(v)) << std::hex << v;
        }
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 100000; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        for (uint64_t v : {x, x & ~uint64_t{0xfff}, x & uint64_t{0xffff800000000fffull}, (x | uint64_t{0xffff800000000000ull}) & ~uint64_t{0xfff}})
            EXPECT_EQ(full(v), core::uvm_va_ok(v)) << std::hex << v;
    }
}

// update_va_mapping_fast, as the hypercall uses it (then the full path if
// it gave up), against the full path alone on an identical world: the same
// result, the same state, for successes and every refusal; and the fast
// path changes nothing when it gives up.
TEST(UpdateVaMappingFast, MakesTheFullPathsUpdateOrNothing) {
    struct Side {
        World w;
        World::Space s = w.space(w.a, va);
        World::Space sb = w.space(w.b, va);
        Mfn data = w.frame(w.a), data2 = w.frame(w.a);
        Side() {
            EXPECT_TRUE(core::mmuext_pin(w.ctx, w.a, s.l4, 4).is_ok());
            EXPECT_TRUE(core::mmuext_pin(w.ctx, w.b, sb.l4, 4).is_ok());
        }
    };
    Side fast, full;
    ASSERT_TRUE(fast.w.snapshot() == full.w.snapshot());
    const Side& k = full;  // the frames are the same on both sides
    struct Case {
        Mfn root;
        uint64_t v, val, flags;
    };
    const Case cases[] = {
        {k.s.l4, va + 0x1000, map_rw(k.data), 0},               // not present -> writable
        {k.s.l4, va + 0x1000, map_rw(k.data), 0},               // the same again: old dropped
        {k.s.l4, va + 0x2000, map_ro(k.data), core::uvm_invlpg},  // read-only, with a flush
        {k.s.l4, va + 0x1000, map_ro(k.data2), core::uvm_flush_tlb | core::uvm_all},
        {k.s.l4, va + 0x1000, 0, 0},                            // present -> not present
        {k.s.l4, va + 0x3000, map_ro(k.s.l1), 0},               // a table read-only: allowed
        {k.s.l4, va + 0x3000, map_rw(k.s.l1), 0},               // writable: busy
        {k.s.l4, va + 0x4000, map_rw(k.s.l4), 0},               // the root writable: busy
        {k.s.l4, va, map_rw(k.data) | pte::pwt, 0},             // a flag not allowed
        {k.s.l4, va, map_rw(k.data) | pte::global, 0},
        {k.s.l4, va, map_rw(Mfn(4)), 0},                        // a hypervisor frame
        {k.s.l4, va, map_rw(k.sb.data), 0},                     // another domain's frame
        {k.s.l4, va, map_rw(Mfn(100000)), 0},                   // beyond memory
        {k.s.l4, va, 0x2, 0},                                   // not present: anything goes
        {k.s.l4, va, 0, 3},                                     // bad flags
        {k.s.l4, va, 0, 8},
        {k.s.l4, 0x0000800000000000ull, 0, 0},                  // not canonical
        {k.s.l4, va + 8, 0, 0},                                 // not aligned
        {k.s.l4, 0xffff800000001000ull, 0, 0},                  // the hypervisor's slots
        {k.s.l4, va + (uint64_t{1} << 30), 0, 0},               // no L1
        {k.sb.l4, va, 0, 0},                                    // another domain's root
        {k.s.l3, va, 0, 0},                                     // not an L4
        {Mfn(100000), va, 0, 0},                                // no frame at all
        {k.s.l4, va + 0x5000, map_rw(k.data), core::uvm_invlpg | core::uvm_all},
    };
    int made_fast = 0;
    for (const Case& c : cases) {
        SCOPED_TRACE(testing::Message() << std::hex << "va " << c.v << " val " << c.val << " flags " << c.flags);
        World::Snapshot before = fast.w.snapshot();
        core::FlushRequest f1, f2;
        kstd::Result<void> r1 = kstd::ok();
        if (core::update_va_mapping_fast(fast.w.ctx, fast.w.a, c.root, c.v, c.val, c.flags)) {
            ++made_fast;
            f1 = core::uvm_flush_of(c.v, c.flags);
        } else {
            EXPECT_TRUE(fast.w.snapshot() == before);
            r1 = core::update_va_mapping(fast.w.ctx, fast.w.a, c.root, c.v, c.val, c.flags, &f1);
        }
        kstd::Result<void> r2 = core::update_va_mapping(full.w.ctx, full.w.a, c.root, c.v, c.val, c.flags, &f2);
        ASSERT_EQ(r1.is_ok(), r2.is_ok());
        if (r1.is_error()) EXPECT_EQ(r1.error(), r2.error());
        EXPECT_EQ(f1.what, f2.what);
        EXPECT_EQ(f1.va, f2.va);
        EXPECT_TRUE(fast.w.snapshot() == full.w.snapshot());
        EXPECT_EQ(fast.w.check(), "");
    }
    EXPECT_GE(made_fast, 6);  // the common cases take the fast path

    // Without the linear window the fast path never applies.
    World plain(256, 8, 96, false);
    World::Space ps = plain.space(plain.a, va);
    ASSERT_TRUE(core::mmuext_pin(plain.ctx, plain.a, ps.l4, 4).is_ok());
    EXPECT_FALSE(core::update_va_mapping_fast(plain.ctx, plain.a, ps.l4, va + 0x1000, map_rw(plain.frame(plain.a)), 0));
}
