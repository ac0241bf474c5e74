// The platform interface (pvk/platform.h) on pvisor: hypercalls.
#include "pvk/platform.h"

#include <pvisor/console.h>
#include <pvisor/domctl.h>
#include <pvisor/hypercall_stubs.h>
#include <pvisor/sched.h>
#include <pvisor/segment.h>
#include <pvisor/version.h>

#include <kstd/utility.h>

#include "pv.h"
#include "pvk/bench.h"
#include "pvk/cpu.h"
#include "pvk/fault.h"

namespace pvk::platform {

void console_write(const char* s, size_t n) {
    while (n > 0) {
        size_t chunk = kstd::min<size_t>(n, PV_CONSOLEIO_MAX);
        // The hypervisor only reads the buffer; the stub's type is not const.
        int64_t rc = pv_console_io(PV_CONSOLEIO_write, chunk, const_cast<char*>(s));
        if (rc <= 0) return;  // nowhere else to report it
        s += rc;
        n -= static_cast<size_t>(rc);
    }
}

size_t console_read(char* buf, size_t n) {
    int64_t rc = pv_console_io(PV_CONSOLEIO_read, kstd::min<size_t>(n, PV_CONSOLEIO_MAX), buf);
    return rc > 0 ? static_cast<size_t>(rc) : 0;
}

void shutdown(ShutdownReason reason) {
    uint64_t code = PV_SHUTDOWN_poweroff;
    if (reason == ShutdownReason::reboot) code = PV_SHUTDOWN_reboot;
    if (reason == ShutdownReason::crash) code = PV_SHUTDOWN_crash;
    for (;;) {
        pv_sched_op(PV_SCHEDOP_shutdown, code);
        // Shutdown does not return; if it ever does, do not spin hot.
        pv_sched_op(PV_SCHEDOP_yield, 0);
    }
}

void yield() { pv_sched_op(PV_SCHEDOP_yield, 0); }

bool domain_ended(uint32_t domid) {
    pv_domctl_sched sched{};
    return pv_domctl(PV_DOMCTL_get_sched, domid, reinterpret_cast<uint64_t>(&sched)) == -PV_ESRCH;
}

uint64_t uptime_ns() {
    const volatile pv_vcpu_time_info& t = pv::shared_info().vcpu[0].time;
    for (;;) {
        uint32_t version = t.version;
        // Pairs with the hypervisor's updates: read the fields between two
        // reads of an even, unchanged version (shared_info.h).
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        uint64_t tsc_timestamp = t.tsc_timestamp, system_time = t.system_time;
        uint32_t mul = t.tsc_to_system_mul;
        int8_t shift = t.tsc_shift;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if ((version & 1) != 0 || version != t.version) continue;
        uint64_t delta = pvk_cycles() - tsc_timestamp;
        delta = shift >= 0 ? delta << shift : delta >> -shift;
        return system_time + static_cast<uint64_t>((static_cast<unsigned __int128>(delta) * mul) >> 32);
    }
}

ExitReason run_user(UserContext& ctx) {
    pvk_pv_enter_user(&ctx);
    return exit_reason_of(ctx);
}

void set_user_fs_base(uint64_t base) { pv_set_segment_base(PV_SEGBASE_fs, base); }

void bench_null_call(uint64_t iterations) {
    pv_version(PV_VERSIONOP_version, nullptr);  // warm up
    uint64_t start = pvk_cycles();
    for (uint64_t i = 0; i < iterations; ++i) pv_version(PV_VERSIONOP_version, nullptr);
    bench_report("null_hypercall", pvk_cycles() - start, iterations, "cycles");
}

uint64_t last_fault_address() { return pv::shared_info().vcpu[0].fault_address; }

}  // namespace pvk::platform
