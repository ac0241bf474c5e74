// version: what the hypervisor is and offers.
#include <pvisor/version.h>

#include "core/hypercall.h"
#include "kstd/string.h"

namespace core {
namespace {

// Out of line so that the two trivial queries stay cheap: version is the
// null hypercall of the benchmarks.
[[gnu::noinline]] HypercallResult copy_build_string(HypercallContext& ctx, uint64_t arg) {
        const char* s = ctx.hooks.build_string();
        size_t len = kstd::strlen(s);
        if (len + 1 > PV_VERSION_BUILD_MAX) len = PV_VERSION_BUILD_MAX - 1;
        char buf[PV_VERSION_BUILD_MAX];
        for (size_t i = 0; i < len; ++i) buf[i] = s[i];
        buf[len] = '\0';
        if (!guest_range_ok(arg, len + 1) || ctx.mem.copy_to(Gva(arg), buf, len + 1).is_error())
            return hc_error(kstd::Error::fault);
        return static_cast<HypercallResult>(len);
}

}  // namespace

HypercallResult hc_version(HypercallContext& ctx, uint64_t cmd, uint64_t arg) {
    switch (cmd) {
    case PV_VERSIONOP_version: return PVISOR_ABI_VERSION;
    case PV_VERSIONOP_features: return PV_FEATURE_HYPERCALL_PAGE | PV_FEATURE_SPLIT_ROOTS;
    case PV_VERSIONOP_build: return copy_build_string(ctx, arg);
    }
    return hc_error(kstd::Error::nosys);
}

}  // namespace core
