// The domain builder: layout arithmetic, what ends up in every frame of the
// new domain, the page tables walked as the MMU would, and that every
// failure gives back every frame.
#include "core/builder.h"

#include <gtest/gtest.h>
#include <pvisor/elfnote.h>
#include <pvisor/hypercall_numbers.h>
#include <pvisor/start_info.h>
#include <pvisor/version.h>

#include <cstring>
#include <optional>
#include <set>
#include <initializer_list>
#include <string>
#include <vector>

#include "elf_writer.h"
#include "fake_build_memory.h"

using core::BuildLayout;
using core::ElfImage;
using core::Mfn;
using fake::FakeBuildMemory;
using kstd::Error;
namespace pte = fake::pte;

namespace {

constexpr uint64_t kbase = 0xffffffff80000000ull;
constexpr uint64_t page = 4096;
constexpr uint64_t table_entry_flags = pte::p | pte::rw | pte::us;

std::vector<uint8_t> pattern(size_t n, uint8_t mul, uint8_t add) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * mul + add);
    return v;
}

// The standard test kernel at `base` (page-aligned unless `skew`):
//   +0x0000 text    2 pages  R X   (the hypercall page is its second page)
//   +0x2000 rodata  1 page   R
//   +0x3000 (gap)
//   +0x4000 data     0x800 bytes of file, 0x2800 in memory  R W
// so virt_end is base + 0x7000: seven kernel pages.
elfw::ElfWriter standard_writer(uint64_t base = kbase, uint64_t skew = 0) {
    elfw::ElfWriter w;
    w.add(base + skew, pattern(2 * page - skew, 7, 1), elfw::pf_r | elfw::pf_x);
    w.add(base + 0x2000, pattern(page, 3, 5), elfw::pf_r);
    w.add(base + 0x4000, pattern(0x800, 11, 9), elfw::pf_r | elfw::pf_w, 0x2800);
    w.entry = base + skew + 0x10;
    w.add_pvisor_notes(PVISOR_ABI_VERSION, base + 0x1000);
    return w;
}

std::vector<uint8_t> standard_image(uint64_t base = kbase, uint64_t skew = 0) {
    return standard_writer(base, skew).build();
}

ElfImage parse(const std::vector<uint8_t>& image) {
    ElfImage elf;
    auto r = core::elf_parse(kstd::span<const uint8_t>(image.data(), image.size()), &elf);
    EXPECT_TRUE(r.is_ok());
    return elf;
}

uint64_t hv_slot(int i) { return 0x8000000000000000ull | ((0x100000ull + static_cast<uint64_t>(i)) << 12) | 0x63; }

// One build: its inputs, the memory, and what came out.
struct Built {
    explicit Built(size_t frames) : mem(frames) {
        for (int i = 0; i < 16; ++i) slots[i] = hv_slot(i);
        std::memset(&regs, 0x77, sizeof regs);
    }

    std::optional<Error> build(const std::vector<uint8_t>& img, uint64_t nr_pages, uint64_t user_pages,
                               const char* name_ = "guest", const char* cmdline = "console=hvc0 quiet",
                               bool privileged = false, pv_domid_t domid = 3) {
        image = img;
        frames.assign(nr_pages, Mfn());
        req = {};
        req.image = kstd::span<const uint8_t>(image.data(), image.size());
        req.name = name_;
        req.cmdline = cmdline;
        req.domid = domid;
        req.privileged = privileged;
        req.nr_pages = nr_pages;
        req.user_pages = user_pages;
        req.hypervisor_slots = slots;
        auto r = core::build_domain(req, mem, d, v, frames.data(), &regs);
        if (r.is_error()) return r.error();
        return std::nullopt;
    }

    uint8_t* frame(uint64_t pfn) { return static_cast<uint8_t*>(mem.map(frames.at(pfn))); }
    const pv_start_info& start_info(const BuildLayout& l) {
        return *reinterpret_cast<const pv_start_info*>(frame(l.start_info_pfn));
    }

    FakeBuildMemory mem;
    uint64_t slots[16];
    std::vector<uint8_t> image;
    std::vector<Mfn> frames;
    core::BuildRequest req{};
    core::Domain d;
    core::Vcpu v;
    core::GuestRegs regs;
};

bool all_zero(const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (p[i] != 0) return false;
    return true;
}

// The kernel image as the guest should see it from virt_start: segments'
// file bytes, zeros elsewhere, and the hypercall page.
std::vector<uint8_t> expected_kernel(const std::vector<uint8_t>& image, const ElfImage& elf) {
    std::vector<uint8_t> k(elf.virt_end - elf.virt_start, 0);
    for (size_t i = 0; i < elf.segment_count; ++i) {
        const core::ElfSegment& s = elf.segments[i];
        std::memcpy(k.data() + (s.vaddr - elf.virt_start), image.data() + s.file_offset, s.file_size);
    }
    uint8_t* hp = k.data() + (elf.hypercall_page - elf.virt_start);
    std::memset(hp, 0xcc, page);
    for (uint32_t n = 0; n < PV_HYPERCALL_COUNT; ++n) {
        uint8_t* e = hp + n * PV_HYPERCALL_ENTRY_SIZE;
        const uint8_t stub[] = {0xb8, static_cast<uint8_t>(n), 0, 0, 0, 0x0f, 0x05};  // mov $n, %eax; syscall
        std::memcpy(e, stub, sizeof stub);
        if (n == PV_HYPERCALL_iret) {
            e[7] = 0x0f;  // ud2: iret never returns
            e[8] = 0x0b;
        } else {
            e[7] = 0xc3;  // ret
        }
    }
    return k;
}

// Checks everything about a successful build: the frames' contents, the
// start-info page, the page tables of both roots, the domain and vCPU.
void verify(Built& b) {
    const ElfImage elf = parse(b.image);
    const uint64_t nr = b.req.nr_pages, user_pages = b.req.user_pages;
    auto planned = core::plan_layout(elf, nr, user_pages);
    ASSERT_TRUE(planned.is_ok());
    const BuildLayout l = planned.value();
    EXPECT_TRUE(b.mem.errors.empty()) << b.mem.errors.front();
    EXPECT_EQ(nr + 1, b.mem.live()) << "every page of the domain and the shared page";

    // The frames are distinct and the domain's.
    std::set<uint64_t> owned;
    for (Mfn f : b.frames) {
        EXPECT_TRUE(b.mem.allocated(f));
        owned.insert(f.raw);
    }
    ASSERT_EQ(nr, owned.size());
    EXPECT_TRUE(b.mem.allocated(b.d.shared_info_mfn));
    EXPECT_EQ(0u, owned.count(b.d.shared_info_mfn.raw));
    auto is_pt = [&](uint64_t pfn) { return pfn >= l.pt_pfn && pfn < l.pt_pfn + l.pt_pages; };
    std::set<uint64_t> pt_mfns;
    for (uint64_t p = l.pt_pfn; p < l.pt_pfn + l.pt_pages; ++p) pt_mfns.insert(b.frames[p].raw);

    // start-info.
    const pv_start_info& si = b.start_info(l);
    EXPECT_EQ(0, std::memcmp(si.magic, PV_START_INFO_MAGIC, 8));
    EXPECT_EQ(PVISOR_ABI_VERSION, si.abi_version);
    EXPECT_EQ(b.req.privileged ? PV_SIF_PRIVILEGED | PV_SIF_INITDOMAIN : 0u, si.flags);
    EXPECT_EQ(b.req.domid, si.domid);
    EXPECT_EQ(1u, si.nr_vcpus);
    EXPECT_EQ(nr, si.nr_pages);
    EXPECT_EQ(l.shared_info_va, si.shared_info_va);
    EXPECT_EQ(elf.virt_end, l.start_info_va) << "start-info right after the image";
    EXPECT_EQ(l.frame_list_va, si.frame_list_va);
    EXPECT_EQ(core::guest_physmap_va, si.physmap_va);
    EXPECT_EQ(b.frames[l.pt_pfn].raw, si.kernel_root_mfn);
    EXPECT_EQ(b.frames[l.pt_pfn + 1].raw, si.user_root_mfn);
    EXPECT_EQ(l.first_free_pfn, si.first_free_pfn);
    EXPECT_EQ(l.pt_pfn, si.pt_pfn_start);
    EXPECT_EQ(l.pt_pages, si.pt_pfn_count);
    EXPECT_EQ(core::guest_user_va, si.user_va);
    EXPECT_EQ(user_pages, si.user_pages);
    EXPECT_EQ(0u, si.module_va);
    EXPECT_EQ(0u, si.module_size);
    EXPECT_EQ(l.stack_top_va, si.stack_top_va);
    for (uint64_t r : si.reserved) EXPECT_EQ(0u, r);
    EXPECT_EQ(std::string(b.req.name).substr(0, PV_START_INFO_NAME_MAX - 1), si.name);
    std::string cmdline = b.req.cmdline != nullptr ? b.req.cmdline : "";
    EXPECT_EQ(cmdline.substr(0, PV_START_INFO_CMDLINE_MAX - 1), si.cmdline);
    EXPECT_TRUE(all_zero(b.frame(l.start_info_pfn) + sizeof si, page - sizeof si));

    // Every frame: the image where it is loaded, the frame list, the
    // tables, and zeros everywhere else.
    std::vector<uint8_t> kernel = expected_kernel(b.image, elf);
    ASSERT_EQ(l.kernel_pages * page, kernel.size());
    for (uint64_t p = 0; p < l.kernel_pages; ++p)
        EXPECT_EQ(0, std::memcmp(b.frame(p), kernel.data() + p * page, page)) << "kernel pfn " << p;
    for (uint64_t p = 0; p < nr; ++p) {
        auto* fl = reinterpret_cast<const uint64_t*>(b.frame(l.frame_list_pfn + p / 512));
        EXPECT_EQ(b.frames[p].raw, fl[p % 512]) << "frame list entry " << p;
    }
    uint64_t fl_used = nr * 8;
    EXPECT_TRUE(all_zero(b.frame(l.frame_list_pfn + fl_used / page) + fl_used % page,
                         (page - fl_used % page) % page));
    for (uint64_t p = l.stack_pfn; p < nr; ++p) {
        if (is_pt(p)) continue;
        EXPECT_TRUE(all_zero(b.frame(p), page)) << "pfn " << p;
    }
    pv_shared_info want_shared{};
    want_shared.vcpu[0].upcall_mask = 1;
    EXPECT_EQ(0, std::memcmp(b.mem.map(b.d.shared_info_mfn), &want_shared, sizeof want_shared));
    EXPECT_TRUE(all_zero(static_cast<uint8_t*>(b.mem.map(b.d.shared_info_mfn)) + sizeof want_shared,
                         page - sizeof want_shared));

    // The kernel root, leaf by leaf.
    const Mfn kroot = b.frames[l.pt_pfn], uroot = b.frames[l.pt_pfn + 1];
    std::map<uint64_t, uint64_t> want;
    const uint64_t data = pte::p | pte::rw | pte::us | pte::nx;
    for (uint64_t p = 0; p < l.kernel_pages; ++p) {
        uint64_t va = elf.virt_start + p * page;
        bool w = false, x = false;
        for (size_t i = 0; i < elf.segment_count; ++i) {
            const core::ElfSegment& s = elf.segments[i];
            if (va < s.vaddr + s.mem_size && s.vaddr < va + page) {
                w |= s.writable;
                x |= s.executable;
            }
        }
        want[va] = core::to_maddr(b.frames[p]).raw | pte::p | pte::us | (w ? pte::rw : 0) | (x ? 0 : pte::nx);
    }
    want[l.start_info_va] = core::to_maddr(b.frames[l.start_info_pfn]).raw | data;
    for (uint64_t i = 0; i < l.frame_list_pages; ++i)
        want[l.frame_list_va + i * page] = core::to_maddr(b.frames[l.frame_list_pfn + i]).raw | data;
    for (uint64_t i = 0; i < l.stack_pages; ++i)
        want[l.stack_top_va - (l.stack_pages - i) * page] = core::to_maddr(b.frames[l.stack_pfn + i]).raw | data;
    want[l.shared_info_va] = core::to_maddr(b.d.shared_info_mfn).raw | data;
    // The page-table pages too, read-only.
    for (uint64_t p = 0; p < nr; ++p)
        want[core::guest_physmap_va + p * page] =
            core::to_maddr(b.frames[p]).raw | (is_pt(p) ? pte::p | pte::us | pte::nx : data);
    std::map<uint64_t, uint64_t> want_user;
    for (uint64_t i = 0; i < user_pages; ++i)
        want_user[core::guest_user_va + i * page] =
            core::to_maddr(b.frames[l.user_pfn + i]).raw | pte::p | pte::rw | pte::us;
    want.insert(want_user.begin(), want_user.end());

    fake::Walk kw = fake::walk_tables(b.mem, kroot);
    EXPECT_TRUE(kw.errors.empty()) << kw.errors.front();
    EXPECT_EQ(want.size(), kw.leaves.size());
    for (const auto& [va, e] : want) {
        auto it = kw.leaves.find(va);
        if (it == kw.leaves.end()) {
            ADD_FAILURE() << std::hex << "va " << va << " is not mapped";
            continue;
        }
        EXPECT_EQ(e, it->second) << std::hex << "va " << va;
    }
    for (const auto& [va, e] : kw.leaves)
        if (want.count(va) == 0) ADD_FAILURE() << std::hex << "stray mapping of va " << va << ": " << e;
    // The hypercall page can be called.
    ASSERT_EQ(1u, kw.leaves.count(elf.hypercall_page));
    EXPECT_EQ(0u, kw.leaves.at(elf.hypercall_page) & pte::nx) << "the hypercall page is not executable";
    // The guard page below the stack is not mapped.
    EXPECT_EQ(0u, kw.leaves.count(l.stack_top_va - (l.stack_pages + 1) * page));

    // Tables live in the page-table pages, which only the physmap maps,
    // read-only, and there were enough of them.
    for (uint64_t t : kw.tables) EXPECT_EQ(1u, pt_mfns.count(t)) << "table outside the page-table range";
    EXPECT_EQ(0u, kw.tables.count(kroot.raw));
    EXPECT_EQ(0u, kw.tables.count(uroot.raw));
    EXPECT_LE(kw.tables.size() + 2, l.pt_pages);
    for (const auto& [va, e] : kw.leaves)
        if (pt_mfns.count((e & pte::addr) >> 12) != 0) {
            EXPECT_EQ(0u, e & pte::rw) << std::hex << "a page table is mapped writable at " << va;
            EXPECT_TRUE(va >= core::guest_physmap_va && va < core::guest_physmap_va + nr * page)
                << std::hex << "a page table is mapped outside the physmap at " << va;
        }
    // Tables not used are still zero.
    for (uint64_t p = l.pt_pfn + 2; p < l.pt_pfn + l.pt_pages; ++p)
        if (kw.tables.count(b.frames[p].raw) == 0) EXPECT_TRUE(all_zero(b.frame(p), page)) << "pt pfn " << p;
    // Non-leaf entries: present, writable, user, executable; the leaves decide.
    for (uint64_t e : kw.links) EXPECT_EQ(table_entry_flags, e & ~pte::addr) << std::hex << e;
    auto* k = static_cast<const uint64_t*>(b.mem.map(kroot));
    auto* u = static_cast<const uint64_t*>(b.mem.map(uroot));
    for (int i = 0; i < 16; ++i) {
        EXPECT_EQ(b.slots[i], k[256 + i]) << "hypervisor slot " << i;
        EXPECT_EQ(b.slots[i], u[256 + i]) << "hypervisor slot " << i;
    }

    // The user root: the user region (through the kernel root's own L3) and
    // the hypervisor's slots, nothing else.
    EXPECT_NE(0u, u[0]);
    EXPECT_EQ(k[0], u[0]) << "both roots share the user region's L3";
    for (int i = 1; i < 512; ++i)
        if (i < 256 || i >= 272) EXPECT_EQ(0u, u[i]) << "user pml4 " << i;
    fake::Walk uw = fake::walk_tables(b.mem, uroot);
    EXPECT_TRUE(uw.errors.empty());
    EXPECT_EQ(want_user, uw.leaves);

    // The domain, its vCPU and its first registers.
    EXPECT_EQ(b.req.domid, b.d.id);
    EXPECT_EQ(std::string(b.req.name).substr(0, core::Domain::name_size - 1), b.d.name);
    EXPECT_EQ(b.req.privileged, b.d.privileged);
    EXPECT_EQ(b.frames.data(), b.d.frame_list);
    EXPECT_EQ(nr, b.d.nr_pages);
    EXPECT_EQ(b.mem.map(b.d.shared_info_mfn), b.d.shared);
    EXPECT_EQ(&b.d, b.v.domain);
    EXPECT_EQ(0u, b.v.id);
    EXPECT_EQ(core::VcpuMode::kernel, b.v.mode);
    EXPECT_EQ(kroot, b.v.kernel_root);
    EXPECT_EQ(uroot, b.v.user_root);
    EXPECT_EQ(&b.d.shared->vcpu[0], b.v.info);
    EXPECT_EQ(&b.v, b.d.vcpus[0]);
    EXPECT_EQ(1u, b.d.vcpu_count);
    EXPECT_TRUE(b.v.events_masked());

    core::GuestRegs want_regs{};
    want_regs.rip = elf.entry;
    want_regs.rsp = l.stack_top_va;
    want_regs.rsi = l.start_info_va;
    want_regs.rflags = core::rflags::if_ | core::rflags::reserved1;
    want_regs.cs = PV_GUEST_CS;
    want_regs.ss = PV_GUEST_SS;
    EXPECT_EQ(0, std::memcmp(&want_regs, &b.regs, sizeof want_regs)) << "rip, rsp, rsi set, the rest zero";
    EXPECT_EQ(0u, b.regs.rsp % 16);
}

// The number of distinct tables a build must use at least: what the walk
// counts must never exceed what plan_layout reserved.
void expect_builds(uint64_t base, uint64_t skew, uint64_t nr, uint64_t user) {
    SCOPED_TRACE(::testing::Message() << std::hex << "base " << base << " skew " << skew << std::dec << " nr_pages "
                                      << nr << " user_pages " << user);
    Built b(nr + 8);
    auto e = b.build(standard_image(base, skew), nr, user);
    ASSERT_FALSE(e.has_value()) << kstd::error_name(*e);
    verify(b);
}

}  // namespace

// --- plan_layout -----------------------------------------------------------

TEST(PlanLayout, StandardImage) {
    ElfImage elf = parse(standard_image());
    ASSERT_EQ(kbase, elf.virt_start);
    ASSERT_EQ(kbase + 0x7000, elf.virt_end);
    auto r = core::plan_layout(elf, 64, 4);
    ASSERT_TRUE(r.is_ok());
    const BuildLayout& l = r.value();
    EXPECT_EQ(7u, l.kernel_pages);
    EXPECT_EQ(7u, l.start_info_pfn);
    EXPECT_EQ(8u, l.frame_list_pfn);
    EXPECT_EQ(1u, l.frame_list_pages);
    EXPECT_EQ(9u, l.stack_pfn);
    EXPECT_EQ(8u, l.stack_pages);
    EXPECT_EQ(17u, l.pt_pfn);
    // Two roots, and an L3, L2 and L1 for each of the kernel region, the
    // physmap and the user region.
    EXPECT_EQ(11u, l.pt_pages);
    EXPECT_EQ(28u, l.user_pfn);
    EXPECT_EQ(32u, l.first_free_pfn);
    EXPECT_EQ(kbase + 0x7000, l.start_info_va);
    EXPECT_EQ(kbase + 0x8000, l.frame_list_va);
    EXPECT_EQ(kbase + 0x12000, l.stack_top_va) << "frame list, a guard page, eight stack pages";
    EXPECT_EQ(kbase + 0x12000, l.shared_info_va);
}

TEST(PlanLayout, FrameListGrowsWithMemory) {
    ElfImage elf = parse(standard_image());
    EXPECT_EQ(1u, core::plan_layout(elf, 512, 4).value().frame_list_pages);
    EXPECT_EQ(2u, core::plan_layout(elf, 513, 4).value().frame_list_pages);
    EXPECT_EQ(3u, core::plan_layout(elf, 1025, 4).value().frame_list_pages);
    auto l = core::plan_layout(elf, 1025, 4).value();
    EXPECT_EQ(l.frame_list_va + 4 * page, l.stack_top_va - 8 * page) << "three pages and a guard";
}

TEST(PlanLayout, PageTablesForRegionsCrossingBoundaries) {
    // A kernel crossing 1 GiB needs two L2s and two L1s, a physmap of 1025
    // pages three L1s, and a user region of 0x201 pages two L1s.
    ElfImage elf = parse(standard_image(0xffffffffbfffc000ull));
    auto l = core::plan_layout(elf, 1025, 0x201).value();
    EXPECT_EQ(2u + (1 + 2 + 2) + (1 + 1 + 3) + (1 + 1 + 2), l.pt_pages);
}

TEST(PlanLayout, TooLittleMemory) {
    ElfImage elf = parse(standard_image());
    auto ok = core::plan_layout(elf, 32, 4);
    ASSERT_TRUE(ok.is_ok());
    EXPECT_EQ(32u, ok.value().first_free_pfn) << "exactly full";
    auto r = core::plan_layout(elf, 31, 4);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(Error::nomem, r.error());
    EXPECT_EQ(Error::nomem, core::plan_layout(elf, 1, 4).error());
    EXPECT_EQ(Error::nomem, core::plan_layout(elf, 64, 60).error());
}

TEST(PlanLayout, EmptyUserRegionIsRefused) {
    ElfImage elf = parse(standard_image());
    EXPECT_EQ(Error::inval, core::plan_layout(elf, 64, 0).error());
}

TEST(PlanLayout, KernelRegionMustMissThePhysmap) {
    // The kernel region is the image plus 12 pages of start-info, frame
    // list, guard, stack and shared page (for 64 pages of memory).
    ElfImage elf = parse(standard_image());
    const uint64_t region = (7 + 12) * page, physmap_end = core::guest_physmap_va + 64 * page;
    auto at = [&](uint64_t start) {
        ElfImage e = elf;
        e.virt_start = start;
        e.virt_end = start + 7 * page;
        return core::plan_layout(e, 64, 4);
    };
    EXPECT_TRUE(at(core::guest_physmap_va - region).is_ok()) << "ends where the physmap starts";
    EXPECT_EQ(Error::inval, at(core::guest_physmap_va - region + page).error());
    EXPECT_EQ(Error::inval, at(core::guest_physmap_va).error());
    EXPECT_EQ(Error::inval, at(physmap_end - page).error());
    EXPECT_TRUE(at(physmap_end).is_ok());
}

TEST(PlanLayout, KernelRegionMustMissTheUserRegion) {
    // elf_parse never yields a lower-half kernel, but plan_layout does not
    // rely on it.
    ElfImage elf = parse(standard_image());
    auto at = [&](uint64_t start) {
        ElfImage e = elf;
        e.virt_start = start;
        e.virt_end = start + 7 * page;
        return core::plan_layout(e, 64, 4);
    };
    EXPECT_EQ(Error::inval, at(core::guest_user_va - page).error());
    EXPECT_EQ(Error::inval, at(core::guest_user_va + 3 * page).error());
    EXPECT_TRUE(at(core::guest_user_va + 4 * page).is_ok());
    EXPECT_TRUE(at(core::guest_user_va - 19 * page).is_ok());
}

TEST(PlanLayout, KernelRegionMustNotWrap) {
    ElfImage elf = parse(standard_image());
    elf.virt_start = 0xffffffffffff0000ull;
    elf.virt_end = 0xfffffffffffff000ull;
    EXPECT_EQ(Error::inval, core::plan_layout(elf, 64, 4).error());
    elf.virt_start = 0xfffffffffff00000ull;
    elf.virt_end = elf.virt_start + 7 * page;
    EXPECT_TRUE(core::plan_layout(elf, 64, 4).is_ok());
}

// --- build_domain ----------------------------------------------------------

TEST(BuildDomain, StandardImage) {
    Built b(80);
    auto e = b.build(standard_image(), 64, 4);
    ASSERT_FALSE(e.has_value()) << kstd::error_name(*e);
    verify(b);
}

TEST(BuildDomain, SegmentPermissions) {
    Built b(80);
    ASSERT_FALSE(b.build(standard_image(), 64, 4).has_value());
    fake::Walk w = fake::walk_tables(b.mem, b.v.kernel_root);
    auto flags = [&](uint64_t va) { return w.leaves.at(va) & ~pte::addr; };
    const uint64_t rx = pte::p | pte::us, r = pte::p | pte::us | pte::nx, rw = pte::p | pte::us | pte::rw | pte::nx;
    EXPECT_EQ(rx, flags(kbase)) << "text: read, execute, user";
    EXPECT_EQ(rx, flags(kbase + 0x1000)) << "the hypercall page is text";
    EXPECT_EQ(r, flags(kbase + 0x2000)) << "rodata";
    EXPECT_EQ(r, flags(kbase + 0x3000)) << "the gap between segments";
    EXPECT_EQ(rw, flags(kbase + 0x4000)) << "data";
    EXPECT_EQ(rw, flags(kbase + 0x5000)) << "bss";
    EXPECT_EQ(rw, flags(kbase + 0x6000)) << "the end of bss";
}

TEST(BuildDomain, LoadsSegmentsAndClearsBss) {
    Built b(80);
    ASSERT_FALSE(b.build(standard_image(), 64, 4).has_value());
    EXPECT_EQ(0, std::memcmp(b.frame(0), pattern(page, 7, 1).data(), page)) << "text, pfn 0";
    EXPECT_EQ(0, std::memcmp(b.frame(2), pattern(page, 3, 5).data(), page)) << "rodata, pfn 2";
    EXPECT_TRUE(all_zero(b.frame(3), page)) << "the gap";
    EXPECT_EQ(0, std::memcmp(b.frame(4), pattern(0x800, 11, 9).data(), 0x800)) << "data, pfn 4";
    EXPECT_TRUE(all_zero(b.frame(4) + 0x800, page - 0x800)) << "bss after the data";
    EXPECT_TRUE(all_zero(b.frame(5), page));
    EXPECT_TRUE(all_zero(b.frame(6), page));
}

TEST(BuildDomain, HypercallPage) {
    Built b(80);
    ASSERT_FALSE(b.build(standard_image(), 64, 4).has_value());
    const uint8_t* hp = b.frame(1);
    for (uint32_t n = 0; n < PV_HYPERCALL_COUNT; ++n) {
        const uint8_t* e = hp + n * PV_HYPERCALL_ENTRY_SIZE;
        EXPECT_EQ(0xb8, e[0]) << "mov $n, %eax";
        uint32_t imm;
        std::memcpy(&imm, e + 1, 4);
        EXPECT_EQ(n, imm);
        EXPECT_EQ(0x0f, e[5]) << "syscall";
        EXPECT_EQ(0x05, e[6]);
        if (n == PV_HYPERCALL_iret) {
            EXPECT_EQ(0x0f, e[7]) << "ud2";
            EXPECT_EQ(0x0b, e[8]);
        } else {
            EXPECT_EQ(0xc3, e[7]) << "ret";
        }
    }
    for (uint64_t i = PV_HYPERCALL_COUNT * PV_HYPERCALL_ENTRY_SIZE; i < page; ++i)
        ASSERT_EQ(0xcc, hp[i]) << "int3 fill at " << i;
}

TEST(BuildDomain, PrivilegedDomainAndStrings) {
    Built b(80);
    std::string long_name(40, 'n'), long_cmdline(2000, 'c');
    ASSERT_FALSE(b.build(standard_image(), 64, 4, long_name.c_str(), long_cmdline.c_str(), true, 0).has_value());
    verify(b);
    auto l = core::plan_layout(parse(b.image), 64, 4).value();
    EXPECT_EQ(PV_SIF_PRIVILEGED | PV_SIF_INITDOMAIN, b.start_info(l).flags);
    EXPECT_EQ(PV_START_INFO_NAME_MAX - 1, std::strlen(b.start_info(l).name));
    EXPECT_EQ(PV_START_INFO_CMDLINE_MAX - 1, std::strlen(b.start_info(l).cmdline));
    EXPECT_TRUE(b.d.privileged);
}

TEST(BuildDomain, NoCommandLine) {
    Built b(80);
    ASSERT_FALSE(b.build(standard_image(), 64, 4, "x", nullptr).has_value());
    verify(b);
}

TEST(BuildDomain, MinorVersionDifferenceIsAccepted) {
    elfw::ElfWriter w = standard_writer();
    w.notes.clear();
    w.add_pvisor_notes(PVISOR_ABI_VERSION + 7, kbase + 0x1000);
    Built b(80);
    EXPECT_FALSE(b.build(w.build(), 64, 4).has_value());
}

TEST(BuildDomain, PageTablesSufficeAcrossBoundaries) {
    // Kernel regions across 2 MiB, 1 GiB and 512 GiB boundaries, frame lists
    // of one to three pages, physmaps and user regions crossing 2 MiB.
    const uint64_t bases[] = {kbase, 0xffffffff801fe000ull, 0xffffffffbfffc000ull, 0xffffff7ffffff000ull,
                              0xffff880000000000ull};
    for (uint64_t base : bases) expect_builds(base, 0, 48, 4);
    expect_builds(kbase, 0x123, 48, 1);
    expect_builds(0xffffff7ffffff000ull, 0, 600, 0x200);
    expect_builds(0xffffffffbfffc000ull, 0x10, 1100, 3);
    expect_builds(kbase, 0, 600, 0x1ff);
}

TEST(BuildDomain, TwoDomainsShareNothing) {
    Built b(200);
    ASSERT_FALSE(b.build(standard_image(), 64, 4).has_value());
    std::set<uint64_t> first(reinterpret_cast<const uint64_t*>(b.frames.data()),
                             reinterpret_cast<const uint64_t*>(b.frames.data() + b.frames.size()));
    first.insert(b.d.shared_info_mfn.raw);
    std::vector<Mfn> frames2(64);
    core::Domain d2;
    core::Vcpu v2;
    core::GuestRegs regs2;
    ASSERT_TRUE(core::build_domain(b.req, b.mem, d2, v2, frames2.data(), &regs2).is_ok());
    for (Mfn f : frames2) EXPECT_EQ(0u, first.count(f.raw));
    fake::Walk w = fake::walk_tables(b.mem, v2.kernel_root);
    for (const auto& [va, e] : w.leaves) EXPECT_EQ(0u, first.count((e & pte::addr) >> 12)) << std::hex << va;
    core::unbuild_domain(b.mem, d2);
    verify(b);
}

// --- build_domain refusals -------------------------------------------------

namespace {

// A build that must fail with `e` before it takes any memory.
void expect_refused_early(const std::vector<uint8_t>& image, Error e, uint64_t nr = 64, uint64_t user = 4) {
    Built b(80);
    auto r = b.build(image, nr, user);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(e, *r) << kstd::error_name(*r);
    EXPECT_EQ(0u, b.mem.allocs);
    EXPECT_EQ(0u, b.d.nr_pages);
    EXPECT_EQ(nullptr, b.d.shared);
    EXPECT_EQ(nullptr, b.v.info);
    EXPECT_EQ(0x7777777777777777ull, b.regs.rip) << "registers untouched";
}

}  // namespace

TEST(BuildDomainRefusals, NotAnElf) {
    expect_refused_early(std::vector<uint8_t>(256, 0), Error::inval);
    expect_refused_early({}, Error::inval);
}

TEST(BuildDomainRefusals, MissingNotes) {
    elfw::ElfWriter w = standard_writer();
    w.notes.clear();
    expect_refused_early(w.build(), Error::inval);
    w.add_note(PV_ELFNOTE_NAME, PV_ELFNOTE_HYPERCALL_PAGE, elfw::le_bytes<uint64_t>(kbase + 0x1000));
    expect_refused_early(w.build(), Error::inval);  // no ABI version
    w.notes.clear();
    w.add_note(PV_ELFNOTE_NAME, PV_ELFNOTE_ABI_VERSION, elfw::le_bytes<uint32_t>(PVISOR_ABI_VERSION));
    expect_refused_early(w.build(), Error::inval);  // no hypercall page
    w.notes.clear();
    w.add_note("XEN", PV_ELFNOTE_ABI_VERSION, elfw::le_bytes<uint32_t>(PVISOR_ABI_VERSION));
    w.add_note("XEN", PV_ELFNOTE_HYPERCALL_PAGE, elfw::le_bytes<uint64_t>(kbase + 0x1000));
    expect_refused_early(w.build(), Error::inval);  // somebody else's notes
}

TEST(BuildDomainRefusals, WrongMajorVersion) {
    for (uint32_t v : std::initializer_list<uint32_t>{PVISOR_ABI_VERSION + 0x10000u, 0xffff0000u | PVISOR_ABI_VERSION_MINOR}) {
        elfw::ElfWriter w = standard_writer();
        w.notes.clear();
        w.add_pvisor_notes(v, kbase + 0x1000);
        expect_refused_early(w.build(), Error::inval);
    }
}

TEST(BuildDomainRefusals, BadHypercallPage) {
    for (uint64_t hp : std::initializer_list<uint64_t>{kbase + 0x1008, kbase + 0x800, kbase - page, kbase + 0x7000, kbase + 0x10000000, uint64_t{0}}) {
        SCOPED_TRACE(::testing::Message() << std::hex << hp);
        elfw::ElfWriter w = standard_writer();
        w.notes.clear();
        w.add_pvisor_notes(PVISOR_ABI_VERSION, hp);
        expect_refused_early(w.build(), Error::inval);
    }
}

TEST(BuildDomainRefusals, HypercallPageMustBeExecutable) {
    struct Case {
        const char* what;
        uint64_t page;
    };
    // The standard image: text [+0, +0x2000), rodata [+0x2000, +0x3000),
    // a gap, data [+0x4000, +0x6800).
    for (const Case& c : {Case{"rodata", kbase + 0x2000}, Case{"the gap", kbase + 0x3000},
                          Case{"data", kbase + 0x4000}, Case{"bss", kbase + 0x5000}}) {
        SCOPED_TRACE(c.what);
        elfw::ElfWriter w = standard_writer();
        w.notes.clear();
        w.add_pvisor_notes(PVISOR_ABI_VERSION, c.page);
        expect_refused_early(w.build(), Error::inval);
    }
    // Nor is a page past the top of the address space (its end wraps).
    elfw::ElfWriter top;
    top.add(0xffffffffffffe000ull, pattern(page, 1, 1), elfw::pf_r | elfw::pf_x);
    top.entry = 0xffffffffffffe000ull;
    top.add_pvisor_notes(PVISOR_ABI_VERSION, 0xfffffffffffff000ull);
    expect_refused_early(top.build(), Error::inval);
    // A text segment that covers only part of the page is not enough.
    elfw::ElfWriter w = standard_writer();
    w.segments[0].data.resize(0x1800);
    w.segments[0].memsz = 0x1800;
    expect_refused_early(w.build(), Error::inval);
}

TEST(BuildDomainRefusals, LayoutErrors) {
    expect_refused_early(standard_image(), Error::nomem, 31);
    expect_refused_early(standard_image(), Error::inval, 64, 0);
    // A kernel inside the physmap.
    expect_refused_early(standard_image(core::guest_physmap_va + 0x10000), Error::inval);
}

TEST(BuildDomainRefusals, OutOfMemoryAtEveryAllocation) {
    constexpr uint64_t nr = 40;
    for (size_t fail = 0; fail <= nr; ++fail) {
        SCOPED_TRACE(::testing::Message() << "allocation " << fail << " fails");
        Built b(nr + 8);
        b.mem.fail_from = fail;
        auto r = b.build(standard_image(), nr, 4);
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(Error::nomem, *r);
        EXPECT_EQ(fail, b.mem.allocs);
        EXPECT_EQ(b.mem.allocs, b.mem.frees) << "every frame taken is given back";
        EXPECT_TRUE(b.mem.errors.empty()) << b.mem.errors.front();
        EXPECT_EQ(0u, b.d.nr_pages);
        EXPECT_EQ(nullptr, b.d.shared);
        EXPECT_EQ(nullptr, b.v.info);
        EXPECT_EQ(0u, b.d.vcpu_count);
    }
    // And with exactly enough, it builds.
    Built b(nr + 8);
    b.mem.fail_from = nr + 1;
    ASSERT_FALSE(b.build(standard_image(), nr, 4).has_value());
}

TEST(BuildDomainRefusals, MachineMemoryExhausted) {
    Built b(50);  // the domain wants 64 + 1
    auto r = b.build(standard_image(), 64, 4);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(Error::nomem, *r);
    EXPECT_EQ(0u, b.mem.live());
    EXPECT_TRUE(b.mem.errors.empty());
}

// --- unbuild_domain --------------------------------------------------------

TEST(UnbuildDomain, FreesEverything) {
    Built b(80);
    ASSERT_FALSE(b.build(standard_image(), 64, 4).has_value());
    ASSERT_EQ(65u, b.mem.live());
    core::unbuild_domain(b.mem, b.d);
    EXPECT_EQ(0u, b.mem.live());
    EXPECT_EQ(b.mem.allocs, b.mem.frees);
    EXPECT_TRUE(b.mem.errors.empty()) << b.mem.errors.front();
    EXPECT_EQ(0u, b.d.nr_pages);
    EXPECT_EQ(nullptr, b.d.shared);
    EXPECT_EQ(0u, b.d.shared_info_mfn.raw);
    EXPECT_EQ(nullptr, b.v.info) << "no vCPU keeps a pointer into the freed shared page";
    // A second unbuild has nothing left to free.
    core::unbuild_domain(b.mem, b.d);
    EXPECT_TRUE(b.mem.errors.empty());
}
