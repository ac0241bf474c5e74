#include "core/builder.h"

#include <pvisor/elfnote.h>
#include <pvisor/hypercall_numbers.h>
#include <pvisor/start_info.h>
#include <pvisor/version.h>

#include "kstd/format.h"

namespace core {
namespace {

using kstd::Error;

// Page-table entry bits (Intel SDM Vol. 3A, 4.5).
constexpr uint64_t pte_p = 1, pte_rw = 2, pte_us = 4, pte_nx = 1ull << 63;
constexpr uint64_t pte_addr = 0x000ffffffffff000ull;
constexpr uint64_t table_flags = pte_p | pte_rw | pte_us;  // leaves decide

uint64_t div_up(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// Distinct L3, L2 and L1 tables that map [va, va + pages * 4 KiB).
uint64_t tables_for(uint64_t va, uint64_t pages) {
    uint64_t last = va + pages * page_size - 1;
    return ((last >> 39) - (va >> 39) + 1) + ((last >> 30) - (va >> 30) + 1) + ((last >> 21) - (va >> 21) + 1);
}

bool overlaps(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len) { return a < b + b_len && b < a + a_len; }

// Writes page tables into the domain's own page-table pages, handing them
// out in order from the layout's page-table range.
class TableWriter {
public:
    TableWriter(BuildMemory& mem, const Mfn* frames, uint64_t first_pfn, uint64_t count)
        : mem_(mem), frames_(frames), next_(first_pfn), end_(first_pfn + count) {}

    kstd::Result<Mfn> new_table() {
        if (next_ == end_) return Error::nomem;  // plan_layout counted wrong
        Mfn f = frames_[next_++];
        return f;
    }

    uint64_t* table(Mfn f) { return static_cast<uint64_t*>(mem_.map(f)); }

    kstd::Result<void> map(Mfn root, uint64_t va, Mfn target, uint64_t flags) {
        uint64_t* t = table(root);
        for (int level = 4; level > 1; --level) {
            uint64_t& e = t[(va >> (12 + 9 * (level - 1))) & 511];
            if ((e & pte_p) == 0) {
                Mfn n = TRY(new_table());
                e = to_maddr(n).raw | table_flags;
            }
            t = table(Mfn((e & pte_addr) >> page_shift));
        }
        t[(va >> 12) & 511] = to_maddr(target).raw | flags;
        return kstd::ok();
    }

    uint64_t used(uint64_t first_pfn) const { return next_ - first_pfn; }

private:
    BuildMemory& mem_;
    const Mfn* frames_;
    uint64_t next_, end_;
};

void zero_frame(BuildMemory& mem, Mfn f) {
    auto* p = static_cast<uint64_t*>(mem.map(f));
    for (size_t i = 0; i < page_size / 8; ++i) p[i] = 0;
}

// The hypercall page: entry n is "mov $n, %eax; syscall; ret", the iret
// entry has ud2 instead of ret (it never returns), the rest is int3.
void fill_hypercall_page(uint8_t* page) {
    for (size_t i = 0; i < page_size; ++i) page[i] = 0xcc;
    for (uint32_t n = 0; n < PV_HYPERCALL_COUNT; ++n) {
        uint8_t* e = page + n * PV_HYPERCALL_ENTRY_SIZE;
        e[0] = 0xb8;
        for (int b = 0; b < 4; ++b) e[1 + b] = static_cast<uint8_t>(n >> (8 * b));
        e[5] = 0x0f;
        e[6] = 0x05;
        if (n == PV_HYPERCALL_iret) {
            e[7] = 0x0f;
            e[8] = 0x0b;
        } else {
            e[7] = 0xc3;
        }
    }
}

void copy_string(char* dst, size_t size, const char* src) { kstd::format(dst, size, "%s", src != nullptr ? src : ""); }

}  // namespace

kstd::Result<BuildLayout> plan_layout(const ElfImage& elf, uint64_t nr_pages, uint64_t user_pages) {
    BuildLayout l{};
    l.kernel_pages = (elf.virt_end - elf.virt_start) / page_size;
    l.start_info_pfn = l.kernel_pages;
    l.frame_list_pfn = l.start_info_pfn + 1;
    l.frame_list_pages = div_up(nr_pages * sizeof(uint64_t), page_size);
    l.stack_pfn = l.frame_list_pfn + l.frame_list_pages;
    l.stack_pages = guest_boot_stack_pages;
    l.pt_pfn = l.stack_pfn + l.stack_pages;

    // Virtual: image, start-info, frame list, an unmapped guard page, the
    // stack, the shared page.
    l.start_info_va = elf.virt_end;
    l.frame_list_va = l.start_info_va + page_size;
    uint64_t stack_bottom = l.frame_list_va + (l.frame_list_pages + 1) * page_size;
    l.stack_top_va = stack_bottom + l.stack_pages * page_size;
    l.shared_info_va = l.stack_top_va;
    uint64_t kernel_region_pages = (l.shared_info_va + page_size - elf.virt_start) / page_size;
    if (l.shared_info_va + page_size < elf.virt_start) return Error::inval;  // wrapped past the top

    uint64_t physmap_len = nr_pages * page_size, user_len = user_pages * page_size;
    uint64_t kernel_len = kernel_region_pages * page_size;
    if (overlaps(elf.virt_start, kernel_len, guest_physmap_va, physmap_len) ||
        overlaps(elf.virt_start, kernel_len, guest_user_va, user_len) || (user_pages == 0))
        return Error::inval;

    l.pt_pages = 2 + tables_for(elf.virt_start, kernel_region_pages) + tables_for(guest_physmap_va, nr_pages) +
                 tables_for(guest_user_va, user_pages);
    l.user_pfn = l.pt_pfn + l.pt_pages;
    l.first_free_pfn = l.user_pfn + user_pages;
    if (l.first_free_pfn > nr_pages) return Error::nomem;
    return l;
}

kstd::Result<void> build_domain(const BuildRequest& req, BuildMemory& mem, Domain& d, Vcpu& vcpu0, Mfn* frame_list,
                                GuestRegs* regs_out) {
    // Decode: the image and the layout, before taking any memory.
    ElfImage elf;
    TRY(elf_parse(req.image, &elf));
    if (!elf.has_abi_version || (elf.abi_version >> 16) != PVISOR_ABI_VERSION_MAJOR) return Error::inval;
    if (!elf.has_hypercall_page || (elf.hypercall_page % page_size) != 0) return Error::inval;
    // The page must lie in an executable segment: the guest calls into it.
    bool hypercall_page_executable = false;
    for (size_t i = 0; i < elf.segment_count; ++i) {
        const ElfSegment& seg = elf.segments[i];
        if (seg.executable && elf.hypercall_page >= seg.vaddr && elf.hypercall_page + page_size <= seg.vaddr + seg.mem_size)
            hypercall_page_executable = true;
    }
    if (!hypercall_page_executable) return Error::inval;
    BuildLayout l = TRY(plan_layout(elf, req.nr_pages, req.user_pages));

    // Take the memory; every frame is zeroed so nothing of an earlier owner
    // leaks into this domain.
    uint64_t taken = 0;
    Mfn shared_mfn;
    auto give_back = [&]() {
        for (uint64_t i = 0; i < taken; ++i) mem.free_frame(frame_list[i]);
        if (shared_mfn.raw != 0) mem.free_frame(shared_mfn);
    };
    for (; taken < req.nr_pages; ++taken) {
        kstd::Result<Mfn> f = mem.alloc_frame();
        if (f.is_error()) {
            give_back();
            return Error::nomem;
        }
        frame_list[taken] = f.value();
        zero_frame(mem, f.value());
    }
    kstd::Result<Mfn> s = mem.alloc_frame();
    if (s.is_error()) {
        give_back();
        return Error::nomem;
    }
    shared_mfn = s.value();
    zero_frame(mem, shared_mfn);

    // The kernel image.
    for (size_t i = 0; i < elf.segment_count; ++i) {
        const ElfSegment& seg = elf.segments[i];
        for (uint64_t off = 0; off < seg.file_size; ++off) {
            uint64_t va = seg.vaddr + off;
            auto* page = static_cast<uint8_t*>(mem.map(frame_list[(va - elf.virt_start) / page_size]));
            page[va % page_size] = req.image[seg.file_offset + off];
        }
    }
    fill_hypercall_page(static_cast<uint8_t*>(mem.map(frame_list[(elf.hypercall_page - elf.virt_start) / page_size])));

    // Page tables.
    TableWriter tw(mem, frame_list, l.pt_pfn, l.pt_pages);
    Mfn kroot = TRY(tw.new_table()), uroot = TRY(tw.new_table());
    kstd::Result<void> r = [&]() -> kstd::Result<void> {
        for (uint64_t p = 0; p < l.kernel_pages; ++p) {
            uint64_t va = elf.virt_start + p * page_size;
            uint64_t flags = pte_p | pte_us | pte_nx;
            for (size_t i = 0; i < elf.segment_count; ++i) {
                const ElfSegment& seg = elf.segments[i];
                if (va + page_size > seg.vaddr && va < seg.vaddr + seg.mem_size) {
                    if (seg.writable) flags |= pte_rw;
                    if (seg.executable) flags &= ~pte_nx;
                }
            }
            TRY(tw.map(kroot, va, frame_list[p], flags));
        }
        const uint64_t data = pte_p | pte_rw | pte_us | pte_nx;
        TRY(tw.map(kroot, l.start_info_va, frame_list[l.start_info_pfn], data));
        for (uint64_t i = 0; i < l.frame_list_pages; ++i)
            TRY(tw.map(kroot, l.frame_list_va + i * page_size, frame_list[l.frame_list_pfn + i], data));
        for (uint64_t i = 0; i < l.stack_pages; ++i)
            TRY(tw.map(kroot, l.stack_top_va - (l.stack_pages - i) * page_size, frame_list[l.stack_pfn + i], data));
        TRY(tw.map(kroot, l.shared_info_va, shared_mfn, data));
        // The page-table pages read-only: the guest reads its tables there
        // and changes them through the hypervisor (a frame is never both
        // a table and mapped writable).
        for (uint64_t p = 0; p < req.nr_pages; ++p) {
            bool pt = p >= l.pt_pfn && p < l.pt_pfn + l.pt_pages;
            TRY(tw.map(kroot, guest_physmap_va + p * page_size, frame_list[p], pt ? pte_p | pte_us | pte_nx : data));
        }
        for (uint64_t i = 0; i < req.user_pages; ++i)
            TRY(tw.map(kroot, guest_user_va + i * page_size, frame_list[l.user_pfn + i], pte_p | pte_rw | pte_us));
        return kstd::ok();
    }();
    if (r.is_error()) {
        give_back();
        return r.error();
    }
    // The user root shares the user region's tables and maps nothing else.
    uint64_t* k = tw.table(kroot);
    uint64_t* u = tw.table(uroot);
    u[0] = k[0];
    for (int i = 0; i < 16; ++i) k[256 + i] = u[256 + i] = req.hypervisor_slots[i];

    // The guest-visible frame list and start-info.
    for (uint64_t p = 0; p < req.nr_pages; ++p) {
        auto* fl = static_cast<uint64_t*>(mem.map(frame_list[l.frame_list_pfn + p / 512]));
        fl[p % 512] = frame_list[p].raw;
    }
    auto* si = static_cast<pv_start_info*>(mem.map(frame_list[l.start_info_pfn]));
    for (int i = 0; i < 8; ++i) si->magic[i] = PV_START_INFO_MAGIC[i];
    si->abi_version = PVISOR_ABI_VERSION;
    si->flags = req.privileged ? (PV_SIF_PRIVILEGED | PV_SIF_INITDOMAIN) : 0;
    si->domid = req.domid;
    si->nr_vcpus = req.nr_vcpus;
    si->nr_pages = req.nr_pages;
    si->shared_info_va = l.shared_info_va;
    si->frame_list_va = l.frame_list_va;
    si->physmap_va = guest_physmap_va;
    si->kernel_root_mfn = kroot.raw;
    si->user_root_mfn = uroot.raw;
    si->first_free_pfn = l.first_free_pfn;
    si->pt_pfn_start = l.pt_pfn;
    si->pt_pfn_count = l.pt_pages;
    si->user_va = guest_user_va;
    si->user_pages = req.user_pages;
    si->stack_top_va = l.stack_top_va;
    copy_string(si->name, sizeof si->name, req.name);
    copy_string(si->cmdline, sizeof si->cmdline, req.cmdline);

    // The domain and its first vCPU.
    d.id = req.domid;
    copy_string(d.name, sizeof d.name, req.name);
    d.privileged = req.privileged;
    d.frame_list = frame_list;
    d.nr_pages = req.nr_pages;
    d.shared_info_mfn = shared_mfn;
    d.shared = static_cast<pv_shared_info*>(mem.map(shared_mfn));
    for (uint32_t i = 0; i < req.nr_vcpus && i < PV_MAX_VCPUS; ++i) d.shared->vcpu[i].upcall_mask = 1;
    vcpu0.domain = &d;
    vcpu0.id = 0;
    vcpu0.mode = VcpuMode::kernel;
    vcpu0.kernel_root = kroot;
    vcpu0.user_root = uroot;
    vcpu0.info = &d.shared->vcpu[0];
    vcpu0.initialised = true;
    d.vcpus[0] = &vcpu0;
    d.vcpu_count = 1;

    *regs_out = GuestRegs{};
    regs_out->rip = elf.entry;
    regs_out->rsp = l.stack_top_va;
    regs_out->rsi = l.start_info_va;
    regs_out->rflags = rflags::if_ | rflags::reserved1;
    regs_out->cs = PV_GUEST_CS;
    regs_out->ss = PV_GUEST_SS;
    return kstd::ok();
}

void unbuild_domain(BuildMemory& mem, Domain& d) {
    for (uint64_t p = 0; p < d.nr_pages; ++p) mem.free_frame(d.frame_list[p]);
    if (d.shared_info_mfn.raw != 0) mem.free_frame(d.shared_info_mfn);
    d.nr_pages = 0;
    d.shared = nullptr;
    d.shared_info_mfn = Mfn();
    for (uint32_t i = 0; i < d.vcpu_count; ++i)
        if (d.vcpus[i] != nullptr) d.vcpus[i]->info = nullptr;
}

}  // namespace core
