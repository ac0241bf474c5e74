#include "domains.h"

#include <pvisor/start_info.h>

#include "core/builder.h"
#include "core/domain_config.h"
#include "core/log.h"
#include "kstd/format.h"
#include "kstd/utility.h"
#include "hv_objects.h"
#include "memory.h"
#include "mm.h"
#include "paging.h"
#include "sched.h"
#include "rtc.h"
#include "tsc.h"
#include "vcpu_context.h"

namespace arch {
namespace {

class HvBuildMemory final : public core::BuildMemory {
public:
    kstd::Result<core::Mfn> alloc_frame() override { return hv_frames().alloc(); }
    void free_frame(core::Mfn f) override { (void)hv_frames().free(f); }
    void* map(core::Mfn f) override { return directmap<void>(core::to_maddr(f)); }
};

HvBuildMemory g_build_memory;

template <typename T>
T* heap_new() {
    kstd::Result<void*> p = hv_heap().alloc(sizeof(T), alignof(T) < 16 ? 16 : alignof(T));
    if (p.is_error()) return nullptr;
    return new (p.value()) T();
}

// The wall clock at system time zero, under the shared page's version
// protocol (odd while it changes).
void publish_wallclock(pv_shared_info& s) {
    uint64_t sec;
    uint32_t nsec;
    wallclock_at_zero(&sec, &nsec);
    volatile uint32_t& version = s.wc_version;
    version = version + 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    s.wc_sec = static_cast<uint32_t>(sec);
    s.wc_sec_hi = static_cast<uint32_t>(sec >> 32);
    s.wc_nsec = nsec;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    version = version + 1;
}

bool build_one(const core::BootModule& m, uint32_t index) {
    core::Diagnostics diags;
    core::DomainBootConfig cfg;
    parse_module_string(m.string, index, &cfg, &diags);
    for (size_t i = 0; i < diags.count(); ++i) LOG_WARN("%s\n", diags[i]);

    const void* image = directmap_ensure(m.start, m.end - m.start);
    if (image == nullptr || m.end <= m.start) {
        LOG_ERROR("module %u: cannot map its image\n", index);
        return false;
    }
    uint64_t nr_pages = cfg.mem_bytes / core::page_size;
    auto* hd = heap_new<HvDomain>();
    auto* hv = heap_new<HvVcpu>();
    // vCPUs beyond the first start down; vcpu_op brings them up.
    HvVcpu* extra[core::Domain::max_vcpus] = {};
    bool extra_ok = true;
    for (uint32_t i = 1; i < cfg.vcpus; ++i) extra_ok = (extra[i] = heap_new<HvVcpu>()) != nullptr && extra_ok;
    kstd::Result<void*> fl = hv_heap().alloc(nr_pages * sizeof(core::Mfn), 16);
    // The port table, allocated whole up front (evtchn_ports=, 1024 by default).
    kstd::Result<void*> ports = hv_heap().alloc(cfg.evtchn_ports * sizeof(core::Port), 16);
    core::Domain* d = hd != nullptr ? &hd->dom : nullptr;
    core::Vcpu* v = hv != nullptr ? &hv->vcpu : nullptr;
    // Everything taken for a domain that is not built goes back.
    auto discard = [&]() {
        if (v != nullptr && v->stack_top != 0) stack_free({v->stack_bottom, v->stack_top});
        for (HvVcpu* e : extra)
            if (e != nullptr) (void)hv_heap().free(e);
        if (ports.is_ok()) (void)hv_heap().free(ports.value());
        if (fl.is_ok()) (void)hv_heap().free(fl.value());
        if (hv != nullptr) (void)hv_heap().free(hv);
        if (hd != nullptr) (void)hv_heap().free(hd);
        return false;
    };
    if (hd == nullptr || hv == nullptr || !extra_ok || fl.is_error() || ports.is_error()) {
        LOG_ERROR("module %u (%s): no hypervisor memory for its bookkeeping\n", index, cfg.name);
        return discard();
    }
    char cmdline[PV_START_INFO_CMDLINE_MAX];
    kstd::format(cmdline, sizeof cmdline, "%.*s", static_cast<int>(cfg.cmdline.size()), cfg.cmdline.data());

    core::BuildRequest req{};
    req.image = kstd::span<const uint8_t>(static_cast<const uint8_t*>(image), m.end - m.start);
    req.name = cfg.name;
    req.cmdline = cmdline;
    req.domid = index;
    req.privileged = index == 0;
    req.nr_pages = nr_pages;
    req.user_pages = cfg.user_bytes / core::page_size;
    req.nr_vcpus = cfg.vcpus;
    req.hypervisor_slots = hv_pml4_slots();
    core::GuestRegs regs;
    auto built = core::build_domain(req, g_build_memory, *d, *v, static_cast<core::Mfn*>(fl.value()), &regs);
    if (built.is_error()) {
        LOG_ERROR("module %u (%s): cannot build a domain from it: %s\n", index, cfg.name, kstd::error_name(built.error()));
        return discard();
    }
    // From here the frame table owns the domain's frames; they go back
    // with mm_release_domain (domain_memory_release), not unbuild_domain.
    if (auto adopted = mm_adopt_domain(*d); adopted.is_error()) {
        LOG_ERROR("module %u (%s): its initial page tables do not validate: %s\n", index, cfg.name,
                  kstd::error_name(adopted.error()));
        core::unbuild_domain(g_build_memory, *d);
        return discard();
    }
    for (uint32_t i = 1; i < cfg.vcpus; ++i) {
        core::Vcpu& ev = extra[i]->vcpu;
        ev.domain = d;
        ev.id = i;
        ev.state = core::VcpuState::down;
        ev.info = &d->shared->vcpu[i];
        d->vcpus[i] = &ev;
    }
    d->vcpu_count = cfg.vcpus;
    hd->ports = static_cast<core::Port*>(ports.value());
    if (hd->evtchn.init(*d, kstd::span<core::Port>(hd->ports, cfg.evtchn_ports), &event_sink()).is_error() ||
        vcpu_stack_init(*v, regs).is_error() || sched_add_domain(d).is_error()) {
        LOG_ERROR("module %u (%s): no room to run it\n", index, cfg.name);
        domain_memory_release(*d);
        return discard();
    }
    (void)hypercall_hooks().set_sched_params(*d, cfg.weight, cfg.cap);  // checked when parsed
    for (uint32_t i = 0; i < d->vcpu_count; ++i) publish_vcpu_time(d->vcpus[i]->info->time);
    publish_wallclock(*d->shared);
    core::print("pvisor: domain %u (%s): %lu MiB, %u vCPU%s, entry %#lx%s\n", d->id, d->name, cfg.mem_bytes >> 20,
                d->vcpu_count, d->vcpu_count == 1 ? "" : "s", regs.rip, d->privileged ? ", privileged" : "");
    sched_unpause(d);
    return true;
}

}  // namespace

size_t create_boot_domains(const core::BootInfo& boot) {
    size_t built = 0;
    for (size_t i = 0; i < boot.module_count; ++i)
        if (build_one(boot.modules[i], static_cast<uint32_t>(i))) ++built;
    return built;
}

void domain_memory_release(core::Domain& d) {
    if (d.nr_pages != 0) mm_release_domain(d);
}

}  // namespace arch
