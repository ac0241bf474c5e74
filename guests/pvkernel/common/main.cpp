// The demo: a banner, two user programs one after the other, their
// results, and (with `bench` on the command line) the benchmarks. Not part
// of pvk_*_lib: micro-guest tests bring their own kernel_main.
#include "pvk/bench.h"
#include "pvk/boot_info.h"
#include "pvk/cmdline.h"
#include "pvk/demo_events.h"
#include "pvk/heap.h"
#include "pvk/kernel.h"
#include "pvk/kprintf.h"
#include "pvk/panic.h"
#include "pvk/platform.h"
#include "pvk/process.h"

namespace {

// The primes program counts the primes below its argument: 168 below 1000.
constexpr uint64_t primes_limit = 1000;
constexpr int64_t primes_expected = 168;

void print_banner() {
    const pvk::BootInfo& bi = pvk::boot_info();
    pvk::kprintf("pvkernel (%s): domain \"%s\" id %u%s\n", bi.platform, bi.name, bi.domid,
                 bi.privileged ? ", privileged" : "");
    pvk::HeapStats hs = pvk::heap_stats();
    pvk::kprintf("pvk: memory %lu KiB, heap %zu KiB, user region %#lx-%#lx\n", bi.memory_bytes >> 10, hs.total >> 10,
                 bi.user_va, bi.user_va + bi.user_size);
    if (bi.tsc_hz != 0) pvk::kprintf("pvk: tsc %lu.%03lu MHz\n", bi.tsc_hz / 1000000, bi.tsc_hz / 1000 % 1000);
    pvk::kprintf("pvk: command line: \"%s\"\n", bi.cmdline);
}

// Runs a program and prints what became of it; true if it exited with
// `expected`.
bool run(const char* name, uint64_t arg, int64_t expected) {
    auto r = pvk::run_program(name, arg);
    if (r.is_error()) {
        pvk::kprintf("pvk: cannot run %s: %s\n", name, kstd::error_name(r.error()));
        return false;
    }
    const pvk::ProgramResult& res = r.value();
    if (res.killed) return false;
    pvk::kprintf("pvk: %s (pid %u) exited with status %ld after %lu system calls\n", name, res.pid, res.exit_status,
                 res.syscalls);
    return res.exit_status == expected;
}

}  // namespace

void kernel_main() {
    print_banner();
    // `bench` runs the demo and every benchmark; `bench=syscall`,
    // `bench=exception` or `bench=null_call` runs that benchmark alone, so
    // the bench runner can count each one's hypercalls and bounces.
    bool all = !pvk::cmdline_has("bench") || pvk::cmdline_is("bench", "");
    bool ok = true;
    if (all) {
        ok = run("hello", 0, 0);
        ok = run("primes", primes_limit, primes_expected) && ok;
    }
    pvk::demo_events();
    if (pvk::cmdline_has("bench")) {
        uint64_t iterations = pvk::cmdline_u64("bench_iterations", 10000);
        if (all || pvk::cmdline_is("bench", "syscall")) ok = run("bench", iterations, 0) && ok;
        if (all || pvk::cmdline_is("bench", "exception")) pvk::bench_kernel_exception(iterations);
        if (all || pvk::cmdline_is("bench", "null_call")) pvk::platform::bench_null_call(iterations);
    }

    pvk::kprintf("pvk: uptime %lu us\n", pvk::platform::uptime_ns() / 1000);
    if (!ok) pvk::panic("demo failed");
    pvk::kprintf("pvk: demo done, powering off\n");
}
