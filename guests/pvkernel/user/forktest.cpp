// fork with copy-on-write: parent and child each write the same global,
// heap and stack variables and must see only their own writes, before and
// after the other has run. Exits 0 on success, else the failed check's
// number; the child's status (42) comes back through wait.
#include "pvk_user/syscall.h"

using namespace pvk_user;

namespace {

constinit volatile uint64_t g_shared = 1;
constexpr int64_t child_status = 42;

int child(volatile uint64_t* heap, volatile uint64_t& local) {
    if (g_shared != 1 || *heap != 100 || local != 1000) return 10;
    g_shared = 2;
    *heap = 200;
    local = 2000;
    sys_yield();  // the parent writes its copies now
    if (g_shared != 2 || *heap != 200 || local != 2000) return 11;
    return static_cast<int>(child_status);
}

}  // namespace

int user_main(uint64_t) {
    auto* heap = reinterpret_cast<volatile uint64_t*>(sbrk(4096));
    if (heap == nullptr) return 1;
    *heap = 100;
    volatile uint64_t local = 1000;

    int64_t pid = sys_fork();
    if (pid < 0) return 2;
    if (pid == 0) sys_exit(child(heap, local));

    g_shared = 3;
    *heap = 300;
    local = 3000;
    sys_yield();  // the child checks and writes its copies
    if (g_shared != 3 || *heap != 300 || local != 3000) return 3;
    int64_t status = sys_wait(pid);
    if (status != child_status) {
        printf("forktest: child %ld ended with %ld\n", pid, status);
        return 4;
    }
    if (sys_wait(pid) >= 0) return 5;  // already reaped
    printf("forktest: parent and child each saw only their own writes\n");
    return 0;
}
