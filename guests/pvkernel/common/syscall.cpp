#include "pvk/syscall.h"

#include <pvk/syscall_abi.h>

#include <kstd/utility.h>

#include "pvk/address_space.h"
#include "pvk/platform.h"
#include "pvk/process.h"
#include "pvk/user_access.h"

namespace pvk {
namespace {

// Decoded arguments: the Linux register order.
struct SyscallArgs {
    uint64_t nr, a0, a1, a2, a3, a4;
};

SyscallArgs decode(const UserContext& c) { return {c.rax, c.rdi, c.rsi, c.rdx, c.r10, c.r8}; }

int64_t sys_write(uint64_t fd, uint64_t buf, uint64_t len) {
    if (fd != 1 && fd != 2) return -PVK_EBADF;
    if (!user_range_ok(buf, len)) return -PVK_EFAULT;
    // Bounce through a kernel buffer: the console gets a stable copy.
    char chunk[256];
    for (uint64_t done = 0; done < len;) {
        size_t n = static_cast<size_t>(kstd::min<uint64_t>(len - done, sizeof chunk));
        if (!copy_from_user(chunk, buf + done, n)) return -PVK_EFAULT;
        platform::console_write(chunk, n);
        done += n;
    }
    return static_cast<int64_t>(len);
}

int64_t sys_set_fs_base(Process& p, uint64_t base) {
    // Only user addresses: the base must not reach into the kernel.
    if (!user_range_ok(base, 0)) return -PVK_EINVAL;
    process_set_fs_base(p, base);
    return 0;
}

int64_t sys_brk(Process& p, uint64_t addr) {
    auto r = p.as->set_brk(addr);
    if (r.is_ok()) return static_cast<int64_t>(r.value());
    return r.error() == kstd::Error::inval ? -PVK_EINVAL : -PVK_ENOMEM;
}

}  // namespace

void handle_syscall(Process& p) {
    SyscallArgs a = decode(p.ctx);
    int64_t ret;
    switch (a.nr) {
    case PVK_SYS_null: ret = 0; break;
    case PVK_SYS_write: ret = sys_write(a.a0, a.a1, a.a2); break;
    case PVK_SYS_exit:
        // May free p: nothing of it is touched after.
        process_exit(p, static_cast<int64_t>(a.a0));
        return;
    case PVK_SYS_getpid: ret = p.pid; break;
    case PVK_SYS_yield:
        process_yield(p);
        ret = 0;
        break;
    case PVK_SYS_set_fs_base: ret = sys_set_fs_base(p, a.a0); break;
    case PVK_SYS_fork: ret = process_fork(p); break;
    case PVK_SYS_wait: ret = process_wait(p, static_cast<uint32_t>(a.a0)); break;
    case PVK_SYS_brk: ret = sys_brk(p, a.a0); break;
    default: ret = -PVK_ENOSYS; break;
    }
    p.ctx.rax = static_cast<uint64_t>(ret);
}

}  // namespace pvk
