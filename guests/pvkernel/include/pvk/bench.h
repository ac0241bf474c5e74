// Benchmarks. Each prints one `pvk-bench: <name> <value> <unit>` line;
// run both builds under -icount shift=0,sleep=off and compare.
#pragma once

#include <stdint.h>

namespace pvk {

// Prints "pvk-bench: <name> <total/iterations with 2 decimals> <unit>".
void bench_report(const char* name, uint64_t total, uint64_t iterations, const char* unit);

// Kernel-side: ud2 in kernel mode resumed through the exception table.
void bench_kernel_exception(uint64_t iterations);
// Kernel-side: a read of an unmapped address, the #PF resumed through the
// exception table (on pv, the hypervisor's page-fault bounce).
void bench_kernel_page_fault(uint64_t iterations);

}  // namespace pvk
