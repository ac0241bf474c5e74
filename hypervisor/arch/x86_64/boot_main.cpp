// The boot path after boot.S: console, boot information, memory, the final
// address space, CPU tables, and the boot report. Runs once, on the boot
// CPU, with interrupts off.
#include <pvisor/version.h>

#include "acpi.h"
#include "core/boot_info.h"
#include "core/cmdline.h"
#include "core/frame_allocator.h"
#include "core/heap.h"
#include "core/log.h"
#include "core/panic.h"
#include "cpu.h"
#include "cpu_info.h"
#include "crash.h"
#include "domains.h"
#include "gdt.h"
#include "idt.h"
#include "kstd/lazy.h"
#include "lapic.h"
#include "memory.h"
#include "mm.h"
#include "paging.h"
#include "percpu.h"
#include "pic.h"
#include "rtc.h"
#include "sched.h"
#include "serial.h"
#include "shutdown.h"
#include "stacks.h"
#include "tsc.h"

extern "C" char __bss_end[], __boot_stack_bottom[], __boot_stack_top[];
extern "C" [[noreturn]] void switch_stack_and_call(uint64_t top, void (*fn)());

namespace arch {
namespace {

constexpr uint64_t mib = 1ull << 20;
constexpr size_t main_stack_pages = 16;
constexpr size_t heap_frames = 1024;  // 4 MiB

core::BootInfo g_boot;
core::HvOptions g_options;
kstd::Lazy<core::FrameAllocator> g_frames;
kstd::Lazy<core::Heap> g_heap;

// IST stacks live in the image's bss: they must work before the frame
// allocator exists, and a double fault must never depend on it.
alignas(16) uint8_t g_ist_stacks[3][HV_IST_STACK_SIZE];

// Boot information is at physical addresses; before paging_init only the
// first GiB is mapped (boot.S), and directmap_ensure knows that.
class DirectMapReader final : public core::PhysReader {
public:
    const void* map(uint64_t phys, size_t len) const override { return directmap_ensure(phys, len); }
};

void serial_sink(const char* text) { serial_write(text); }

void install_cpu_tables() {
    uint64_t tops[3];
    for (int i = 0; i < 3; ++i) {
        auto bottom = reinterpret_cast<uint64_t>(g_ist_stacks[i]);
        tops[i] = bottom + HV_IST_STACK_SIZE;
        stacks_register({bottom, tops[i]});
    }
    gdt_init(tops);
    idt_init();
    // A PV guest kernel runs in ring 3 and still uses int3 and into.
    idt_set_user_callable(3, true);
    idt_set_user_callable(4, true);
    percpu_init();
}

void report_memory_map() {
    core::print("pvisor: memory map (%zu entries):\n", g_boot.region_count);
    for (size_t i = 0; i < g_boot.region_count; ++i) {
        const core::MemoryRegion& e = g_boot.regions[i];
        core::print("pvisor:   [%016lx-%016lx] %s\n", e.base, e.base + e.length - 1, core::memory_type_name(e.type));
    }
    uint64_t usable = core::usable_bytes(g_boot);
    core::print("pvisor: usable memory: %lu MiB (%lu KiB)\n", usable / mib, usable >> 10);
    for (size_t i = 0; i < g_boot.module_count; ++i) {
        const core::BootModule& m = g_boot.modules[i];
        core::print("pvisor: module %zu: [%08lx-%08lx] \"%s\"\n", i, m.start, m.end, m.string);
    }
}

// The frame allocator: every usable frame except the first MiB, the image,
// the boot structures, the modules, and its own bitmap.
void init_frames() {
    core::PhysRange usable[core::BootInfo::max_regions];
    auto usable_count = core::usable_ranges(g_boot, kstd::span<core::PhysRange>(usable));
    if (usable_count.is_error()) core::panic("memory map: %s", kstd::error_name(usable_count.error()));

    core::PhysRange reserved[4 + core::BootInfo::max_boot_ranges + core::BootInfo::max_modules];
    size_t n = 0;
    reserved[n++] = {0, mib};
    // The image runs from its load address to the end of bss; the low
    // linker symbols are out of reach of RIP-relative code, so derive it.
    reserved[n++] = {HV_PHYS_LOAD, reinterpret_cast<uint64_t>(__bss_end) - HV_IMAGE_OFFSET - HV_PHYS_LOAD};
    for (size_t i = 0; i < g_boot.boot_range_count; ++i) reserved[n++] = g_boot.boot_ranges[i];
    for (size_t i = 0; i < g_boot.module_count; ++i)
        reserved[n++] = {g_boot.modules[i].start, g_boot.modules[i].end - g_boot.modules[i].start};

    kstd::span<const core::PhysRange> usable_span(usable, usable_count.value());
    size_t words = core::FrameAllocator::bitmap_words_for(usable_span);
    auto placement = core::FrameAllocator::find_placement(usable_span, kstd::span<const core::PhysRange>(reserved, n),
                                                          words * sizeof(uint64_t));
    if (placement.is_error()) core::panic("no room for the frame bitmap (%zu bytes)", words * sizeof(uint64_t));
    reserved[n++] = {placement.value(), words * sizeof(uint64_t)};
    void* storage = directmap_ensure(placement.value(), words * sizeof(uint64_t));
    if (storage == nullptr) core::panic("frame bitmap at %#lx is outside the boot mapping", placement.value());

    auto frames = core::FrameAllocator::create(usable_span, kstd::span<const core::PhysRange>(reserved, n),
                                               static_cast<uint64_t*>(storage), words);
    if (frames.is_error()) core::panic("frame allocator: %s", kstd::error_name(frames.error()));
    g_frames.emplace(frames.release_value());
}

void init_paging() {
    // The direct map covers RAM, firmware tables and the first MiB; MMIO is
    // mapped on demand with the right cache attributes.
    core::PhysRange direct[core::BootInfo::max_regions + 1];
    size_t n = 0;
    direct[n++] = {0, mib};
    for (size_t i = 0; i < g_boot.region_count; ++i) {
        const core::MemoryRegion& e = g_boot.regions[i];
        if (e.type == core::MemoryType::usable || e.type == core::MemoryType::acpi_reclaimable ||
            e.type == core::MemoryType::acpi_nvs)
            direct[n++] = {e.base, e.length};
    }
    auto r = paging_init(g_frames.get(), kstd::span<const core::PhysRange>(direct, n));
    if (r.is_error()) core::panic("paging_init: %s", kstd::error_name(r.error()));
    cpu_enable_protections();
}

void report_time() {
    uint64_t hz = tsc_calibrate();
    core::print("pvisor: tsc: %lu.%03lu MHz (calibrated against the PIT)\n", hz / 1000000, (hz / 1000) % 1000);
}

void init_heap() {
    auto first = g_frames->alloc_contiguous(heap_frames, 1);
    if (first.is_error()) core::panic("no memory for the hypervisor heap");
    auto heap = core::Heap::create(directmap<void>(core::to_maddr(first.value())), heap_frames * core::page_size);
    if (heap.is_error()) core::panic("heap: %s", kstd::error_name(heap.error()));
    g_heap.emplace(heap.release_value());
}

[[noreturn]] void boot_continue() {
    if (!cpu_info_report()) core::panic("this CPU lacks a feature pvisor requires");
    report_time();
    if (rtc_init()) {
        uint64_t sec;
        uint32_t nsec;
        wallclock_at_zero(&sec, &nsec);
        core::print("pvisor: wall clock at system time zero: %lu.%09u s since the epoch\n", sec, nsec);
    } else {
        LOG_WARN("cannot read the real-time clock: guests' wall clock reads zero\n");
    }
    acpi_init(g_boot.rsdp_size != 0 ? g_boot.rsdp : nullptr, g_boot.rsdp_size);
    init_heap();
    mm_init(g_boot);

    ImageLayout img = image_layout();
    core::print("pvisor: image: text %lu KiB (r-x), rodata %lu KiB (r--), data+bss %lu KiB (rw-)\n",
                (img.text_end - img.text_start) >> 10, (img.rodata_end - img.rodata_start) >> 10,
                (img.bss_end - img.data_start) >> 10);
    core::print("pvisor: frames: %zu free of %zu; heap: %zu KiB free\n", g_frames->free_frames(),
                g_frames->total_frames(), g_heap->bytes_free() >> 10);
    LOG_DEBUG("root page table at %#lx, acpi power-off %s\n", hv_root().raw,
              acpi_can_power_off() ? "available" : "unavailable");

    if (g_options.crash != core::CrashKind::none) {
        crash_on_purpose(g_options.crash);
        machine_stop(core::ExitStatus::test_failed);
    }

    if (lapic_init())
        core::print("pvisor: local APIC timer: %lu.%03lu MHz\n", lapic_timer_hz() / 1000000, lapic_timer_hz() / 1000 % 1000);
    else
        LOG_WARN("no local APIC: domains are not preempted and guest timers do not fire\n");
    sched_init();
    core::print("pvisor: boot complete\n");
    if (create_boot_domains(g_boot) == 0) {
        core::print("pvisor: shutting down: nothing left to run (poweroff)\n");
        machine_stop(core::ExitStatus::ok);
    }
    sched_run();
}

}  // namespace

core::FrameAllocator& hv_frames() { return g_frames.get(); }
core::Heap& hv_heap() { return g_heap.get(); }

}  // namespace arch

extern "C" [[noreturn]] void arch_boot_main(uint32_t magic, uint32_t info_phys) {
    using namespace arch;
    serial_init();
    core::log_set_sink(serial_sink);
    core::print("pvisor %s (abi %u.%u) booting\n", PVISOR_VERSION, PVISOR_ABI_VERSION_MAJOR,
                PVISOR_ABI_VERSION_MINOR);
    stacks_register({reinterpret_cast<uint64_t>(__boot_stack_bottom), reinterpret_cast<uint64_t>(__boot_stack_top)});
    install_cpu_tables();
    pic_disable();
    cpu_info_detect();

    DirectMapReader reader;
    auto parsed = core::parse_multiboot(magic, info_phys, reader, &g_boot);
    if (parsed.is_error())
        core::panic("cannot read the boot information (magic %#x): %s", magic, kstd::error_name(parsed.error()));

    core::Diagnostics diags;
    g_options = core::parse_cmdline(g_boot.cmdline, &diags);
    core::log_set_level(g_options.log_level);
    core::print("pvisor: command line: \"%s\"%s\n", g_boot.cmdline, g_boot.cmdline_truncated ? " (truncated)" : "");
    for (size_t i = 0; i < diags.count(); ++i) LOG_WARN("%s\n", diags[i]);
    core::print("pvisor: boot loader: %s (multiboot%u)\n", g_boot.loader_name[0] != '\0' ? g_boot.loader_name : "unknown",
                g_boot.protocol);
    LOG_DEBUG("log level %s\n", core::log_level_name(core::log_level()));
    report_memory_map();

    init_frames();
    init_paging();
    auto stack = stack_alloc(main_stack_pages);
    if (stack.is_error()) core::panic("no memory for the boot CPU's stack");
    switch_stack_and_call(stack.value().top, boot_continue);
}
