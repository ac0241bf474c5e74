// The demo: a banner, two user programs one after the other, their
// results, and (with `bench` on the command line) the benchmarks. Not part
// of pvk_*_lib: micro-guest tests bring their own kernel_main.
#include "pvk/balloon.h"
#include "pvk/bench.h"
#include "pvk/bench_events.h"
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

// Gives pages back to the hypervisor and takes them back, checking the
// reservation each time; natively there is nothing to do.
bool demo_balloon() {
    constexpr uint64_t pages = 256;
    auto before = pvk::balloon::reservation();
    if (before.is_error()) return true;
    if (auto r = pvk::balloon::free_to_hypervisor(pages); r.is_error()) {
        pvk::kprintf("pvk: balloon: cannot give pages back: %s\n", kstd::error_name(r.error()));
        return false;
    }
    uint64_t during = pvk::balloon::reservation().value_or(0);
    uint64_t back = pvk::balloon::reclaim(pages).value_or(0);
    uint64_t after = pvk::balloon::reservation().value_or(0);
    pvk::kprintf("pvk: balloon: gave %lu pages to the hypervisor (reservation %lu -> %lu), took %lu back (%lu)\n",
                 pages, before.value(), during, back, after);
    return during == before.value() - pages && back == pages && after == before.value();
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
        // Processes with their own address spaces: copy-on-write fork,
        // demand-zero heap and stack, memory back to the hypervisor.
        ok = run("forktest", 0, 0) && ok;
        ok = run("memtouch", 64, 0) && ok;
        ok = demo_balloon() && ok;
    }
    pvk::demo_events();
    if (pvk::cmdline_has("bench")) {
        uint64_t iterations = pvk::cmdline_u64("bench_iterations", 10000);
        if (all || pvk::cmdline_is("bench", "syscall")) ok = run("bench", iterations, 0) && ok;
        if (all || pvk::cmdline_is("bench", "exception")) pvk::bench_kernel_exception(iterations);
        if (all || pvk::cmdline_is("bench", "null_call")) pvk::platform::bench_null_call(iterations);
        // Events: the two-party ones need a second domain on pvisor (a
        // module with the same bench= word), so `bench` alone skips them.
        if (pvk::cmdline_is("bench", "events")) pvk::bench_event_pingpong(iterations);
        if (pvk::cmdline_is("bench", "yield")) pvk::bench_domain_switch(iterations);
        if (all || pvk::cmdline_is("bench", "timer")) pvk::bench_timer(iterations);
        // Memory: lmbench-style figures in both builds, then the ways of
        // changing one entry (pv only) and the page-fault bounce.
        if (all || pvk::cmdline_is("bench", "page_fault")) ok = run("pagefault", iterations, 0) && ok;
        if (all || pvk::cmdline_is("bench", "ctx_switch")) ok = run("ctxswitch", iterations, 0) && ok;
        if (all || pvk::cmdline_is("bench", "fork_exit")) ok = run("forkexit", iterations, 0) && ok;
        if (all || pvk::cmdline_is("bench", "pte_update"))
            pvk::platform::bench_pte(pvk::platform::PteBench::hypercall, iterations);
        if (all || pvk::cmdline_is("bench", "pte_batch"))
            pvk::platform::bench_pte(pvk::platform::PteBench::batch, iterations);
        if (all || pvk::cmdline_is("bench", "pte_trap"))
            pvk::platform::bench_pte(pvk::platform::PteBench::trapped, iterations);
        if (all || pvk::cmdline_is("bench", "pf_bounce")) pvk::bench_kernel_page_fault(iterations);
    }

    pvk::kprintf("pvk: uptime %lu us\n", pvk::platform::uptime_ns() / 1000);
    if (!ok) pvk::panic("demo failed");
    pvk::kprintf("pvk: demo done, powering off\n");
}
