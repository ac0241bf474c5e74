// libFuzzer target for the kernel-image path: elf_parse on arbitrary bytes
// (an image comes from a boot module now and from dom0 later), and for
// images that parse, build_domain into a small fake machine memory. Checks:
//   - what elf_parse accepts keeps its promises (segments inside the file,
//     in the upper half above the hypervisor, not overlapping, the entry in
//     an executable segment, a page-aligned range that covers them);
//   - a build that fails gives back every frame; one that succeeds owns
//     exactly the domain's pages and the shared page, its page tables map
//     only the domain's frames and never a page-table page, the user root
//     maps only what the kernel root maps at the same address, the
//     hypercall page is mapped executable, and unbuild_domain frees
//     everything.
// The last input byte also picks the domain size and, sometimes, an
// allocation that fails.
#include <stddef.h>
#include <stdint.h>

#include <pvisor/abi.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <vector>

#include "../unit/fake_build_memory.h"
#include "core/builder.h"
#include "core/elf.h"
#include "core/guest_access.h"

namespace {

void check(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
}

void check_parsed(const core::ElfImage& e, size_t file_size) {
    check(e.segment_count >= 1 && e.segment_count <= core::ElfImage::max_segments, "segment count");
    check(e.virt_start % core::page_size == 0 && e.virt_end % core::page_size == 0 && e.virt_start < e.virt_end,
          "virtual range");
    bool entry_ok = false;
    for (size_t i = 0; i < e.segment_count; ++i) {
        const core::ElfSegment& s = e.segments[i];
        check(s.mem_size > 0 && s.file_size <= s.mem_size, "segment sizes");
        check(s.file_offset <= file_size && s.file_size <= file_size - s.file_offset, "segment outside the file");
        uint64_t last = s.vaddr + s.mem_size - 1;
        check(last >= s.vaddr, "segment wraps");
        check(s.vaddr >= PV_HYPERVISOR_VIRT_END && core::guest_range_ok(s.vaddr, s.mem_size),
              "segment outside the upper half above the hypervisor");
        check(s.vaddr >= e.virt_start && last < e.virt_end, "segment outside the virtual range");
        for (size_t j = 0; j < i; ++j) {
            const core::ElfSegment& o = e.segments[j];
            check(s.vaddr > o.vaddr + o.mem_size - 1 || o.vaddr > last, "segments overlap");
        }
        if (s.executable && e.entry >= s.vaddr && e.entry <= last) entry_ok = true;
    }
    check(entry_ok, "entry outside an executable segment");
    check(e.guest_os[sizeof e.guest_os - 1] == '\0', "guest_os not terminated");
}

void try_build(const uint8_t* data, size_t size) {
    uint8_t knob = data[size - 1];
    const uint64_t nr_pages = 24 + (knob % 48);
    const uint64_t user_pages = 1 + (knob >> 6);
    fake::FakeBuildMemory mem(nr_pages + 4);
    if (knob % 5 == 0) mem.fail_from = knob % (nr_pages + 2);

    uint64_t slots[16];
    for (int i = 0; i < 16; ++i) slots[i] = 0x8000000000000063ull | (uint64_t{0x100000u + static_cast<unsigned>(i)} << 12);
    core::BuildRequest req{};
    req.image = kstd::span<const uint8_t>(data, size);
    req.name = "fuzz";
    req.cmdline = "x";
    req.domid = 1;
    req.nr_pages = nr_pages;
    req.user_pages = user_pages;
    req.hypervisor_slots = slots;
    std::vector<core::Mfn> frames(nr_pages);
    core::Domain d;
    core::Vcpu v;
    core::GuestRegs regs;
    auto r = core::build_domain(req, mem, d, v, frames.data(), &regs);
    check(mem.errors.empty(), "the builder misused its memory");
    if (r.is_error()) {
        check(mem.live() == 0, "a failed build kept frames");
        check(d.shared == nullptr && d.nr_pages == 0, "a failed build filled the domain");
        return;
    }
    check(mem.live() == nr_pages + 1, "a build owns its pages and the shared page");

    std::set<uint64_t> owned, pt;
    for (core::Mfn f : frames) owned.insert(f.raw);
    owned.insert(d.shared_info_mfn.raw);
    check(owned.size() == nr_pages + 1, "frames handed out twice");
    core::ElfImage elf;
    check(core::elf_parse(req.image, &elf).is_ok(), "the image parsed once and not twice");
    auto layout = core::plan_layout(elf, nr_pages, user_pages);
    check(layout.is_ok(), "built without a layout");
    const core::BuildLayout& l = layout.value();
    for (uint64_t p = l.pt_pfn; p < l.pt_pfn + l.pt_pages; ++p) pt.insert(frames[p].raw);

    fake::Walk kw = fake::walk_tables(mem, v.kernel_root);
    check(kw.errors.empty(), "kernel tables malformed");
    check(kw.tables.size() + 2 <= l.pt_pages, "more tables than planned");
    for (uint64_t t : kw.tables) check(pt.count(t) == 1, "a table outside the page-table pages");
    for (const auto& [va, e] : kw.leaves) {
        uint64_t target = (e & fake::pte::addr) >> core::page_shift;
        check(owned.count(target) == 1, "a mapping of a frame the domain does not own");
        // Page-table pages are mapped read-only in the physmap (SPEC
        // section 4), never writable: a frame is a table or writable.
        check(pt.count(target) == 0 || (e & fake::pte::rw) == 0, "a page-table page is mapped writable");
        check(core::guest_range_ok(va, core::page_size), "a mapping in the hypervisor's range");
    }
    auto hp = kw.leaves.find(elf.hypercall_page);
    check(hp != kw.leaves.end() && (hp->second & fake::pte::nx) == 0, "the hypercall page is not executable");
    fake::Walk uw = fake::walk_tables(mem, v.user_root);
    check(uw.errors.empty(), "user tables malformed");
    for (const auto& [va, e] : uw.leaves) {
        auto it = kw.leaves.find(va);
        check(it != kw.leaves.end() && it->second == e, "the user root maps what the kernel root does not");
        check(va >= core::guest_user_va && va < core::guest_user_va + user_pages * core::page_size,
              "the user root maps outside the user region");
    }
    check(uw.leaves.size() == user_pages, "the user region is not all mapped");
    check(regs.rip == elf.entry && regs.rsp % 16 == 0, "initial registers");

    core::unbuild_domain(mem, d);
    check(mem.live() == 0 && mem.errors.empty(), "unbuild left frames behind");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    core::ElfImage elf;
    auto r = core::elf_parse(kstd::span<const uint8_t>(data, size), &elf);
    if (r.is_error()) return 0;
    check_parsed(elf, size);
    try_build(data, size);
    return 0;
}
