// The system-call benchmark: `arg` null system calls, timed with RDTSC.
// Under -icount shift=0 the figure is guest instructions per round trip
// (user -> kernel -> user), directly comparable between pv and native.
#include "pvk_user/syscall.h"

using namespace pvk_user;

namespace {

void report(const char* name, uint64_t total, uint64_t iterations) {
    uint64_t hundredths = total * 100 / iterations;
    printf("pvk-bench: %s %lu.%02lu cycles\n", name, hundredths / 100, hundredths % 100);
}

}  // namespace

int user_main(uint64_t iterations) {
    if (iterations == 0) iterations = 1;
    sys_null();  // warm up

    uint64_t start = cycles();
    for (uint64_t i = 0; i < iterations; ++i) sys_null();
    report("null_syscall", cycles() - start, iterations);

    start = cycles();
    for (uint64_t i = 0; i < iterations; ++i) sys_getpid();
    report("getpid_syscall", cycles() - start, iterations);

    // The loop alone, to subtract.
    start = cycles();
    for (uint64_t i = 0; i < iterations; ++i) {
        // SAFETY: emits nothing; keeps the compiler from deleting the loop.
        asm volatile("" ::: "memory");
    }
    report("empty_loop", cycles() - start, iterations);
    return 0;
}
