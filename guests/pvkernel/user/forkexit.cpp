// The fork+exit benchmark (lmbench lat_proc fork-style): `arg` times,
// fork a child that exits at once and wait for it.
#include "pvk_user/syscall.h"

using namespace pvk_user;

int user_main(uint64_t iterations) {
    uint64_t start = cycles();
    for (uint64_t i = 0; i < iterations; ++i) {
        int64_t pid = sys_fork();
        if (pid < 0) return 1;
        if (pid == 0) sys_exit(0);
        if (sys_wait(pid) != 0) return 2;
    }
    bench_report("fork_exit", cycles() - start, iterations);
    return 0;
}
