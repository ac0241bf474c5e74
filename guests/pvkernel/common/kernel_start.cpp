// Where the platform's boot code hands over to common code.
#include "pvk/boot_info.h"
#include "pvk/heap.h"
#include "pvk/kernel.h"
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
    pvk::heap_init(info.heap_base, info.heap_size);
    kernel_main();
    pvk::platform::shutdown(pvk::ShutdownReason::poweroff);
}
