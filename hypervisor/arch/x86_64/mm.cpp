#include "mm.h"

#include "core/frame_table.h"
#include "core/log.h"
#include "core/mm_adopt.h"
#include "core/mm_services.h"
#include "core/mmuext.h"
#include "core/panic.h"
#include "core/pte_emulate.h"
#include "cpu.h"
#include "guest_access.h"
#include "kstd/lazy.h"
#include "kstd/utility.h"
#include "memory.h"
#include "paging.h"
#include "percpu.h"

namespace arch {
namespace {

void load_live_root(const core::Vcpu& v) {
    core::Mfn root = v.mode == core::VcpuMode::kernel ? v.kernel_root : v.user_root;
    write_cr3(core::to_maddr(root).raw);
}

// Every frame of the frame table is RAM, which the direct map covers, so
// the core may compute a frame's address instead of calling map_table.
class DirectMapFrames final : public core::FrameAccess {
public:
    DirectMapFrames() : FrameAccess(directmap<uint64_t>(core::Maddr(0))) {}
    uint64_t* map_table(core::Mfn f) override { return directmap<uint64_t>(core::to_maddr(f)); }
};

class AllocatorPool final : public core::FramePool {
public:
    kstd::Result<core::Mfn> alloc() override { return hv_frames().alloc(); }
    void free(core::Mfn f) override { (void)hv_frames().free(f); }
};

class LocalTlb final : public core::TlbHooks {
public:
    // One CPU: only this CPU's TLB can hold the domain's translations.
    // Guest entries are never global (core/pte.h), so a CR3 reload drops
    // them all; reloading the current vCPU's live root (not the value in
    // CR3) also retires a root that was just replaced.
    void flush_domain(pv_domid_t owner) override {
        core::Vcpu* cur = this_cpu().current;
        if (cur != nullptr && cur->domain != nullptr && cur->domain->id == owner) load_live_root(*cur);
        else write_cr3(read_cr3());
    }
};

class Services final : public core::MmServices {
public:
    Services(core::FrameTable ft)
        : MmServices(ctx_), frames_(ft), ctx_{frames_, access_, tlb_, hv_pml4_slots(), nullptr} {}

    core::FramePool& pool() override { return pool_; }

    // core::MmServices::reload_kernel_root makes the full flush inline, as
    // the load of the live (kernel) root: keep them alike.
    void flush(core::Vcpu& v, const core::FlushRequest& req) override {
        using R = core::FlushRequest;
        if ((req.what & (R::local_all | R::domain_all)) != 0) {
            load_live_root(v);
            return;
        }
        if ((req.what & (R::local_page | R::domain_page)) != 0) invlpg(req.va);
    }

private:
    core::FrameTable frames_;
    DirectMapFrames access_;
    AllocatorPool pool_;
    LocalTlb tlb_;
    core::MmContext ctx_;
};

kstd::Lazy<Services> g_services;

uint64_t highest_usable_frame(const core::BootInfo& boot) {
    uint64_t end = 0;
    for (size_t i = 0; i < boot.region_count; ++i) {
        const core::MemoryRegion& r = boot.regions[i];
        if (r.type == core::MemoryType::usable && r.base + r.length > end) end = r.base + r.length;
    }
    return end >> core::page_shift;
}

}  // namespace

void mm_init(const core::BootInfo& boot) {
    uint64_t frames = highest_usable_frame(boot);
    uint64_t bytes = frames * sizeof(core::FrameInfo);
    // 16 bytes per frame: the two slots (2 TiB of table) cover 512 TiB.
    if (frames == 0 || bytes > 0x0000020000000000ull) core::panic("frame table: %lu frames", frames);
    size_t pages = static_cast<size_t>(kstd::align_up(bytes, core::page_size) / core::page_size);
    kstd::Result<core::Mfn> first = hv_frames().alloc_contiguous(pages, 1);
    if (first.is_error()) core::panic("no memory for the frame table (%zu pages)", pages);
    if (map_hypervisor_range(HV_FRAME_TABLE_BASE, core::to_maddr(first.value()), bytes).is_error())
        core::panic("cannot map the frame table");
    auto* storage = reinterpret_cast<core::FrameInfo*>(HV_FRAME_TABLE_BASE);
    // SAFETY: just mapped, `frames` entries; FrameInfo is trivially
    // constructible from its member initialisers.
    for (uint64_t i = 0; i < frames; ++i) new (&storage[i]) core::FrameInfo();
    auto ft = core::FrameTable::create(kstd::span<core::FrameInfo>(storage, frames));
    if (ft.is_error()) core::panic("frame table: %s", kstd::error_name(ft.error()));
    core::FrameTable table = ft.release_value();
    // Every frame the allocator does not hold free now is the hypervisor's
    // (or not RAM): no guest may ever reference it. Frames the hypervisor
    // takes later (stacks, tables) stay unowned, which no guest may
    // reference either (FrameTable::get_page).
    uint64_t hv = 0;
    for (uint64_t i = 0; i < frames; ++i) {
        if (hv_frames().is_free(core::Mfn(i))) continue;
        (void)table.assign_hypervisor(core::Mfn(i));
        ++hv;
    }
    g_services.emplace(table);
    core::mm_set_services(&g_services.get());
    core::print("pvisor: frame table: %lu frames (%zu KiB), %lu the hypervisor's\n", frames, (pages * core::page_size) >> 10,
                hv);
}

kstd::Result<void> mm_adopt_domain(core::Domain& d) {
    return core::mm_locked([&](core::MmServices& s) -> kstd::Result<void> {
        core::MmDomain md;
        md.id = d.id;
        md.max_pages = d.nr_pages;
        TRY(core::adopt_built_domain(s.context(), md, d, *d.vcpus[0]));
        d.mm = md;
        return kstd::ok();
    });
}

void mm_release_domain(core::Domain& d) {
    core::mm_locked([&](core::MmServices& s) {
        for (uint32_t i = 0; i < d.vcpu_count; ++i) {
            core::drop_root(s.context(), &d.vcpus[i]->kernel_root);
            core::drop_root(s.context(), &d.vcpus[i]->user_root);
        }
        kstd::Result<void> r = core::release_domain(s.context(), d.mm, s.pool());
        // Cannot happen while the frame table's invariants hold; keeping
        // the frames is the safe failure.
        if (r.is_error()) LOG_ERROR("d%u: frames still referenced at destroy (%s); leaked\n", d.id, kstd::error_name(r.error()));
    });
    d.nr_pages = 0;
    d.shared = nullptr;
    d.shared_info_mfn = core::Mfn();
    for (uint32_t i = 0; i < d.vcpu_count; ++i) d.vcpus[i]->info = nullptr;
}

bool mm_emulate_pt_write_slow(core::Vcpu& v, TrapFrame& f, uint64_t cr2) {
    if (!core::mm_available()) return false;
    uint8_t insn[15];
    size_t len = 0;
    // Byte by byte up to the first unreadable one: an instruction may end
    // just before an unmapped page.
    while (len < sizeof insn && guest_access().copy_from(&insn[len], core::Gva(f.rip + len), 1).is_ok()) ++len;
    kstd::Result<void> r = core::mm_locked([&](core::MmServices& s) {
        return core::emulate_trapped_pte_write(s.context(), v.domain->mm, v.kernel_root, f, cr2, insn, len);
    });
    return r.is_ok();
}

}  // namespace arch
