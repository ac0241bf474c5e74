// Adopting a domain the real builder made: its frames become its own in
// the frame table, its roots validate and are pinned, and a refusal leaves
// no trace. Also shows that the builder may map the page-table pages
// read-only in the physmap (the change page-table hypercalls need), but
// not writable.
#include "core/mm_adopt.h"

#include <gtest/gtest.h>
#include <pvisor/version.h>

#include <cstring>
#include <vector>

#include "../elf_writer.h"
#include "../fake_build_memory.h"
#include "core/builder.h"
#include "core/memory_op.h"
#include "core/mm_check.h"
#include "core/mmu_update.h"
#include "core/mmuext.h"
#include "core/pte.h"

using core::FrameType;
using core::Mfn;
using kstd::Error;
namespace pte = core::pte;
namespace flag = core::frame_flag;

namespace {

constexpr uint64_t kbase = 0xffffffff80000000ull;
constexpr size_t machine_frames = 2048;
constexpr uint64_t nr_pages = 512;

std::vector<uint8_t> image() {
    elfw::ElfWriter w;
    w.add(kbase, std::vector<uint8_t>(2 * 4096, 0x90), elfw::pf_r | elfw::pf_x);
    w.add(kbase + 0x2000, std::vector<uint8_t>(0x100, 1), elfw::pf_r | elfw::pf_w, 0x2000);
    w.entry = kbase;
    w.add_pvisor_notes(PVISOR_ABI_VERSION, kbase + 0x1000);
    return w.build();
}

struct Machine final : core::FrameAccess, core::TlbHooks, core::FramePool {
    fake::FakeBuildMemory mem{machine_frames};
    std::vector<pv_domid_t> flushes;
    uint64_t* map_table(Mfn f) override { return static_cast<uint64_t*>(mem.map(f)); }
    void flush_domain(pv_domid_t d) override { flushes.push_back(d); }
    kstd::Result<Mfn> alloc() override { return mem.alloc_frame(); }
    void free(Mfn f) override { mem.free_frame(f); }
};

struct AdoptTest : ::testing::Test {
    Machine m;
    // FakeBuildMemory's frames are 1..machine_frames; frame 0 stands for
    // the hypervisor, which the slots point at.
    std::vector<core::FrameInfo> infos = std::vector<core::FrameInfo>(machine_frames + 1);
    core::FrameTable ft = core::FrameTable::create({infos.data(), infos.size()}).release_value();
    uint64_t slots[16];
    core::MmContext ctx{ft, m, m, slots, nullptr};
    std::vector<uint8_t> img = image();
    std::vector<Mfn> frame_list = std::vector<Mfn>(nr_pages);
    core::Domain d;
    core::Vcpu v;
    core::GuestRegs regs{};
    core::MmDomain md{5, 0, nr_pages};

    void SetUp() override {
        ASSERT_TRUE(ft.assign_hypervisor(Mfn(0)).is_ok());
        for (int i = 0; i < 16; ++i) slots[i] = pte::make(Mfn(0), pte::present | pte::rw);
        core::BuildRequest req{};
        req.image = {img.data(), img.size()};
        req.name = "adopted";
        req.cmdline = "";
        req.domid = 5;
        req.nr_pages = nr_pages;
        req.user_pages = 16;
        req.hypervisor_slots = slots;
        ASSERT_TRUE(core::build_domain(req, m.mem, d, v, frame_list.data(), &regs).is_ok());
    }

    std::string check() {
        std::vector<uint32_t> a(ft.size()), b(ft.size()), c(ft.size());
        Mfn roots[2] = {v.kernel_root, v.user_root};
        core::MmCheckDomain doms[1] = {{&md, {roots, 2}}};
        core::MmViolation viol{};
        if (core::mm_check(ft, m, slots, {doms, 1}, {{a.data(), a.size()}, {b.data(), b.size()}, {c.data(), c.size()}},
                           &viol))
            return "";
        return viol.what;
    }

    // The physmap's L1 entry for pfn in the kernel root, written directly
    // (as the builder does), before adoption.
    uint64_t& physmap_entry(uint64_t pfn) {
        uint64_t va = core::guest_physmap_va + pfn * 4096;
        Mfn t = v.kernel_root;
        for (int level = 4; level > 1; --level) t = pte::mfn_of(m.map_table(t)[pte::index_of(va, level)]);
        return m.map_table(t)[pte::index_of(va, 1)];
    }
    uint64_t pt_pfn() {
        // The roots are the first page-table pages.
        for (uint64_t p = 0; p < nr_pages; ++p)
            if (frame_list[p] == v.kernel_root) return p;
        return 0;
    }
};

TEST_F(AdoptTest, AssignsValidatesAndPins) {
    ASSERT_TRUE(core::adopt_built_domain(ctx, md, d, v).is_ok());
    EXPECT_EQ(check(), "");
    EXPECT_EQ(md.tot_pages, nr_pages);
    EXPECT_TRUE(ft.info(d.shared_info_mfn).has(flag::special));
    EXPECT_EQ(ft.info(d.shared_info_mfn).type, FrameType::writable);  // mapped read-write at shared_info_va
    for (Mfn root : {v.kernel_root, v.user_root}) {
        EXPECT_EQ(ft.info(root).type, FrameType::l4);
        EXPECT_EQ(ft.info(root).type_count, 2u);  // the pin and the vCPU
        EXPECT_TRUE(ft.info(root).has(flag::pinned));
    }
    // The user region's L3 is shared by both roots.
    Mfn shared_l3 = pte::mfn_of(m.map_table(v.kernel_root)[0]);
    EXPECT_EQ(ft.info(shared_l3).type_count, 2u);
    // Every frame is owned, nothing is both a table and writable (checked).
    for (Mfn f : frame_list) EXPECT_TRUE(ft.owned_by(f, md.id));
}

TEST_F(AdoptTest, TablesMayBeMappedReadOnlyButNotWritable) {
    uint64_t first = pt_pfn();
    Mfn l3 = pte::mfn_of(m.map_table(v.kernel_root)[0]);
    uint64_t l3_pfn = 0;
    for (uint64_t p = 0; p < nr_pages; ++p)
        if (frame_list[p] == l3) l3_pfn = p;
    ASSERT_GT(l3_pfn, first);

    // What the builder would write with read-only physmap mappings of its
    // page-table pages: accepted.
    for (uint64_t p : {first, first + 1, l3_pfn}) physmap_entry(p) = pte::make(frame_list[p], pte::present | pte::nx);
    ASSERT_TRUE(core::adopt_built_domain(ctx, md, d, v).is_ok());
    EXPECT_EQ(check(), "");
    EXPECT_EQ(ft.info(l3).ref_count, 3u);  // two roots and the read-only mapping

    // Upgrading that mapping to writable through update_va_mapping: refused.
    core::FlushRequest flush;
    uint64_t va = core::guest_physmap_va + l3_pfn * 4096;
    EXPECT_EQ(core::update_va_mapping(ctx, md, v.kernel_root, va, pte::make(l3, pte::present | pte::rw | pte::nx), 0,
                                      &flush)
                  .error(),
              Error::busy);
    EXPECT_EQ(check(), "");
}

TEST_F(AdoptTest, WritableMappingOfATableIsRefusedWithoutTrace) {
    uint64_t first = pt_pfn();
    physmap_entry(first + 2) = pte::make(frame_list[first + 2], pte::present | pte::rw | pte::nx);
    std::vector<core::FrameInfo> before = infos;
    auto r = core::adopt_built_domain(ctx, md, d, v);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), Error::busy);
    EXPECT_EQ(md.tot_pages, 0u);
    for (size_t i = 0; i < infos.size(); ++i) {
        EXPECT_EQ(infos[i].owner, before[i].owner) << i;
        EXPECT_EQ(infos[i].ref_count, 0u);
        EXPECT_EQ(infos[i].type_count, 0u);
    }
}

TEST_F(AdoptTest, RefusesFramesSomeoneOwns) {
    core::MmDomain other{6, 0, 10};
    ASSERT_TRUE(ft.assign(frame_list[17], other).is_ok());
    EXPECT_EQ(core::adopt_built_domain(ctx, md, d, v).error(), Error::exist);
    EXPECT_EQ(md.tot_pages, 0u);
    EXPECT_TRUE(ft.owned_by(frame_list[16], core::owner_none));
    EXPECT_EQ(ft.assign(frame_list[17], md).error(), Error::exist);  // still other's
}

TEST_F(AdoptTest, RefusesOverTheMaximumAndAMismatchedDomain) {
    md.max_pages = nr_pages - 1;
    EXPECT_EQ(core::adopt_built_domain(ctx, md, d, v).error(), Error::nomem);
    md.max_pages = nr_pages;
    md.id = 9;
    EXPECT_EQ(core::adopt_built_domain(ctx, md, d, v).error(), Error::inval);
    EXPECT_EQ(md.tot_pages, 0u);
}

TEST_F(AdoptTest, ReleaseGivesEveryFrameBack) {
    ASSERT_TRUE(core::adopt_built_domain(ctx, md, d, v).is_ok());
    size_t live = m.mem.live();
    EXPECT_EQ(live, nr_pages + 1);
    core::drop_root(ctx, &v.kernel_root);
    core::drop_root(ctx, &v.user_root);
    ASSERT_TRUE(core::release_domain(ctx, md, m).is_ok());
    EXPECT_EQ(m.mem.live(), 0u);
    EXPECT_TRUE(m.mem.errors.empty());
    EXPECT_EQ(md.tot_pages, 0u);
}

}  // namespace
