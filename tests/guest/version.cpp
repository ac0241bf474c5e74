// The version hypercall: the ABI version, the feature bits and the build
// string (copied NUL-terminated, nothing written past it), -PV_EFAULT for a
// buffer that is bad or read-only, -PV_ENOSYS for unknown commands.
#include <pvisor/version.h>

#include <kstd/string.h>

#include "gt.h"
#include "pv.h"
#include "pvk/boot_info.h"
#include "pvk/kprintf.h"

const char test_title[] = "version";

namespace {

constinit char g_build[PV_VERSION_BUILD_MAX + 16] = {};
const char g_rodata_buf[PV_VERSION_BUILD_MAX] = "read-only";

}  // namespace

void test_main() {
    gt::check_rc(pv_version(PV_VERSIONOP_version, nullptr), PVISOR_ABI_VERSION, "version");
    gt::check_rc(pv_version(PV_VERSIONOP_version, reinterpret_cast<void*>(gt::hv_direct_map)), PVISOR_ABI_VERSION,
                 "version ignores arg");
    gt::check_eq(pvk::pv::start_info().abi_version, PVISOR_ABI_VERSION, "start_info abi_version");
    int64_t features = pv_version(PV_VERSIONOP_features, nullptr);
    gt::check_rc(features, PV_FEATURE_HYPERCALL_PAGE | PV_FEATURE_SPLIT_ROOTS, "features");

    for (char& c : g_build) c = '\x55';
    int64_t len = pv_version(PV_VERSIONOP_build, g_build);
    if (gt::check(len > 0 && len < static_cast<int64_t>(PV_VERSION_BUILD_MAX), "build returned %ld", len)) {
        auto n = static_cast<size_t>(len);
        gt::check_eq(static_cast<uint8_t>(g_build[n]), 0, "build string terminator");
        gt::check_eq(static_cast<uint8_t>(g_build[n + 1]), 0x55, "byte after the terminator");
        gt::check_eq(kstd::strlen(g_build), n, "build string length");
        gt::check(__builtin_memcmp(g_build, "pvisor ", 7) == 0, "build string \"%s\" does not start with \"pvisor \"",
                  g_build);
        pvk::kprintf("version: abi %#lx, features %#lx, build \"%s\"\n", pv_version(PV_VERSIONOP_version, nullptr),
                     features, g_build);
    }

    const pvk::BootInfo& bi = pvk::boot_info();
    uint64_t user_end = bi.user_va + bi.user_size;
    const uint64_t bad[] = {gt::unmapped_va(), gt::non_canonical, gt::hv_direct_map, gt::hv_first, user_end - 4,
                            ~uint64_t{0} - 3};
    for (uint64_t b : bad)
        gt::check_rc(pv_version(PV_VERSIONOP_build, reinterpret_cast<void*>(b)), -PV_EFAULT, "build into %#lx", b);
    // Read-only memory: the hypervisor's write faults (CR0.WP), and nothing
    // is written.
    gt::check_rc(pv_version(PV_VERSIONOP_build, const_cast<char*>(g_rodata_buf)), -PV_EFAULT, "build into rodata");
    gt::check(kstd::strcmp(g_rodata_buf, "read-only") == 0, "rodata changed: \"%s\"", g_rodata_buf);
    gt::check_rc(pv_version(PV_VERSIONOP_build, reinterpret_cast<void*>(&test_main)), -PV_EFAULT,
                 "build into kernel text");

    gt::check_rc(pv_version(3, g_build), -PV_ENOSYS, "command 3");
    gt::check_rc(pv_version(uint64_t{1} << 32, g_build), -PV_ENOSYS, "command 2^32");
    gt::check_rc(pv_version((uint64_t{1} << 32) | PV_VERSIONOP_build, g_build), -PV_ENOSYS, "command build + 2^32");
    test_pass();
}
