#include "pvk/process.h"

#include <kstd/utility.h>

#include "pvk/boot_info.h"
#include "pvk/elf_loader.h"
#include "pvk/heap.h"
#include "pvk/kprintf.h"
#include "pvk/platform.h"
#include "pvk/syscall.h"
#include "pvk/trap_frame.h"
#include "pvk/user_programs.h"

namespace pvk {
namespace {

constinit uint32_t g_next_pid = 1;

void report_fault(const Process& p, const ExitReason& r) {
    kprintf("pvk: %s (pid %u) killed: %s (vector %u) at rip %#lx, error code %#lx, fault address %#lx\n", p.name,
            p.pid, vector_name(r.vector), r.vector, p.ctx.rip, r.error_code, r.fault_address);
}

}  // namespace

kstd::Result<ProgramResult> run_program(const char* name, uint64_t arg) {
    const UserProgramBlob* blob = find_user_program(name);
    if (blob == nullptr) return kstd::Error::noent;
    uint64_t entry = TRY(load_user_elf(blob->data, blob->size));

    auto* p = static_cast<Process*>(kmalloc(sizeof(Process)));
    if (p == nullptr) return kstd::Error::nomem;
    new (p) Process{};
    p->pid = g_next_pid++;
    p->name = blob->name;
    p->ctx.rip = entry;
    // The stack starts at the top of the user region; crt0 aligns it.
    p->ctx.rsp = boot_info().user_va + boot_info().user_size;
    p->ctx.rflags = user_initial_rflags;
    p->ctx.rdi = arg;
    platform::set_user_fs_base(0);

    ProgramResult result{};
    result.pid = p->pid;
    while (!p->exited) {
        ExitReason r = platform::run_user(p->ctx);
        if (r.kind == ExitReason::Kind::syscall) {
            ++p->syscalls;
            handle_syscall(*p);
            continue;
        }
        report_fault(*p, r);
        result.killed = true;
        result.fault = r;
        break;
    }
    result.exit_status = p->exit_status;
    result.syscalls = p->syscalls;
    kfree(p);
    return result;
}

}  // namespace pvk
