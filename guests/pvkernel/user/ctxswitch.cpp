// The process context-switch benchmark (lmbench lat_ctx-style, with yield
// in place of a pipe): parent and child ping-pong with `arg` yields each;
// every yield switches address space. Reported per switch.
#include "pvk_user/syscall.h"

using namespace pvk_user;

int user_main(uint64_t iterations) {
    int64_t pid = sys_fork();
    if (pid < 0) return 1;
    if (pid == 0) {
        for (uint64_t i = 0; i < iterations + 1; ++i) sys_yield();
        sys_exit(0);
    }
    sys_yield();  // both running: warm
    uint64_t start = cycles();
    for (uint64_t i = 0; i < iterations; ++i) sys_yield();
    uint64_t total = cycles() - start;
    if (sys_wait(pid) != 0) return 2;
    bench_report("context_switch", total, 2 * iterations);
    return 0;
}
