// Where the platform's boot code hands over to common code.
#include <kstd/utility.h>

#include "pvk/boot_info.h"
#include "pvk/frames.h"
#include "pvk/heap.h"
#include "pvk/mmu.h"
#include "pvk/kernel.h"
#include "pvk/layout.h"
#include "pvk/platform.h"

namespace pvk {
namespace {

constinit BootInfo g_boot_info{};

}  // namespace

const BootInfo& boot_info() { return g_boot_info; }

}  // namespace pvk

extern "C" void pvk_kernel_start(const pvk::BootInfo& info) {
    pvk::g_boot_info = info;
    if (pvk::g_boot_info.cmdline == nullptr) pvk::g_boot_info.cmdline = "";
    // A quarter of free memory (at least 2 MiB when there is that much)
    // for the heap, the rest as whole pages for processes.
    uint64_t heap = kstd::max(info.heap_size / 4, kstd::min<uint64_t>(info.heap_size, 2ull << 20));
    heap = kstd::align_up<uint64_t>(heap, PVK_PAGE_SIZE);
    if (heap > info.heap_size) heap = info.heap_size;
    pvk::heap_init(info.heap_base, heap);
    pvk::platform::mmu::init();
    pvk::frames::init(info.heap_base + heap, (info.heap_size - heap) / PVK_PAGE_SIZE);
    kernel_main();
    pvk::platform::shutdown(pvk::ShutdownReason::poweroff);
}
