#include "pvk/bench.h"

#include "pvk/cpu.h"
#include "pvk/fault.h"
#include "pvk/kprintf.h"
#include "pvk/panic.h"

namespace pvk {

void bench_report(const char* name, uint64_t total, uint64_t iterations, const char* unit) {
    if (iterations == 0) iterations = 1;
    uint64_t hundredths = total * 100 / iterations;
    kprintf("pvk-bench: %s %lu.%02lu %s\n", name, hundredths / 100, hundredths % 100, unit);
}

void bench_kernel_exception(uint64_t iterations) {
    uint64_t fixed_before = fixed_fault_count();
    uint64_t start = pvk_cycles();
    for (uint64_t i = 0; i < iterations; ++i) {
        // SAFETY: ud2 raises #UD; the exception table resumes at 2:.
        asm volatile("1: ud2\n2:\n\t" PVK_EXTABLE("1b", "2b") ::: "memory");
    }
    uint64_t cycles = pvk_cycles() - start;
    PVK_ASSERT(fixed_fault_count() - fixed_before == iterations);
    bench_report("kernel_ud2_roundtrip", cycles, iterations, "cycles");
}

void bench_kernel_page_fault(uint64_t iterations) {
    // Below the user region and never mapped by either platform's boot
    // tables (the benchmarks run with no process loaded).
    constexpr uint64_t unmapped = 0x1000;
    uint64_t fixed_before = fixed_fault_count();
    uint64_t start = pvk_cycles();
    for (uint64_t i = 0; i < iterations; ++i) {
        uint64_t v;
        // SAFETY: reads an unmapped address: #PF, resumed at 2: by the
        // exception table; v is then garbage and unused.
        asm volatile("1: mov (%1), %0\n2:\n\t" PVK_EXTABLE("1b", "2b") : "=r"(v) : "r"(unmapped) : "memory");
    }
    uint64_t cycles = pvk_cycles() - start;
    PVK_ASSERT(fixed_fault_count() - fixed_before == iterations);
    PVK_ASSERT(last_fixed_fault().vector == vec_pf && last_fixed_fault().fault_address == unmapped);
    bench_report("kernel_pf_roundtrip", cycles, iterations, "cycles");
}

}  // namespace pvk
