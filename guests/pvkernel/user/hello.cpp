// The first demo program: talks to the kernel through each system call.
#include "pvk_user/syscall.h"

using namespace pvk_user;

namespace {

// Thread-local-style data reached through FS, to check set_fs_base.
struct Tls {
    Tls* self;
    uint64_t magic;
};
constinit Tls g_tls = {};

uint64_t read_fs_magic() {
    uint64_t v;
    // SAFETY: FS points at g_tls (set below); reads its magic field.
    asm volatile("mov %%fs:8, %0" : "=r"(v));
    return v;
}

}  // namespace

int user_main(uint64_t) {
    static const char greeting[] = "hello: hello from user mode\n";
    if (sys_write(1, greeting, sizeof greeting - 1) != sizeof greeting - 1) return 1;
    int64_t pid = sys_getpid();
    printf("hello: my pid is %ld\n", pid);
    if (sys_yield() != 0) return 2;
    if (sys_null() != 0) return 3;
    if (syscall0(1000) != -PVK_ENOSYS) return 4;
    if (sys_write(1, reinterpret_cast<const void*>(0xffffffff80100000), 8) != -PVK_EFAULT) return 5;

    g_tls = Tls{&g_tls, 0x7e57c0de};
    if (sys_set_fs_base(&g_tls) != 0) return 6;
    if (read_fs_magic() != 0x7e57c0de) return 7;
    printf("hello: system calls, bad-pointer checks and FS base work\n");
    return 0;
}
