// Native boot: set up the CPU (GDT/TSS, IDT, paging, SYSCALL), the PIC
// and the timer, read the multiboot information and hand over to common
// code.
#include <kstd/format.h>
#include <kstd/utility.h>

#include "native.h"
#include "pvk/boot_info.h"
#include "pvk/platform.h"
#include "x86.h"

extern "C" char __bss_end[];

namespace pvk::native {
namespace {

// Multiboot Specification 0.6.96, 3.3: the start of the information
// structure.
struct [[gnu::packed]] MultibootInfo {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;  // KiB, flags bit 0
    uint32_t boot_device;
    uint32_t cmdline;               // flags bit 2
};
constexpr uint32_t mb1_magic = 0x2badb002;
constexpr uint32_t mbi_mem = 1u << 0, mbi_cmdline = 1u << 2;

constinit char g_cmdline[1024] = {};

// 0 if the loader reported nothing.
uint64_t memory_top(const MultibootInfo* mbi) {
    if (mbi == nullptr || (mbi->flags & mbi_mem) == 0) return 0;
    return (uint64_t{mbi->mem_upper} + 1024) * 1024;  // mem_upper counts from 1 MiB
}

void copy_cmdline(const MultibootInfo* mbi) {
    if (mbi == nullptr || (mbi->flags & mbi_cmdline) == 0 || mbi->cmdline >= low_phys_limit) return;
    kstd::format(g_cmdline, sizeof g_cmdline, "%s", phys_to_virt<const char>(mbi->cmdline));
}

}  // namespace
}  // namespace pvk::native

extern "C" [[noreturn]] void pvk_native_boot_main(uint32_t magic, uint32_t mbi_phys) {
    using namespace pvk::native;
    serial_init();
    gdt_init(reinterpret_cast<uint64_t>(pvk_native_entry_stack_top),
             reinterpret_cast<uint64_t>(pvk_native_df_stack_top));
    idt_init();
    pic_disable();
    // Read the multiboot information (low memory) before the boot
    // tables, which map it, give way to ours, which map it too.
    const MultibootInfo* mbi =
        magic == mb1_magic && mbi_phys < low_phys_limit ? phys_to_virt<const MultibootInfo>(mbi_phys) : nullptr;
    uint64_t ram_top = memory_top(mbi);
    copy_cmdline(mbi);
    paging_init();
    syscall_init();
    acpi_init();

    pvk::BootInfo bi{};
    bi.platform = "native";
    bi.name = "native";
    bi.domid = 0;
    bi.privileged = true;
    bi.memory_bytes = ram_top;
    bi.cmdline = g_cmdline;
    // The heap: the rest of the first GiB (what the kernel maps) above
    // the image.
    uint64_t heap_start = kstd::align_up<uint64_t>(virt_to_phys(__bss_end), PVK_PAGE_SIZE);
    uint64_t heap_end = kstd::min(ram_top, low_phys_limit);
    if (heap_end > heap_start) {
        bi.heap_base = reinterpret_cast<uint64_t>(phys_to_virt<uint8_t>(heap_start));
        bi.heap_size = heap_end - heap_start;
    }
    bi.user_va = user_region_va();
    bi.user_size = user_region_size();
    bi.tsc_hz = pit_calibrate_tsc_hz();
    pvk::platform::note_boot_tsc(bi.tsc_hz);
    pvk_kernel_start(bi);
}
