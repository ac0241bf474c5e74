#include "pvk/process.h"

#include <pvk/syscall_abi.h>

#include <kstd/utility.h>

#include "pvk/address_space.h"
#include "pvk/elf_loader.h"
#include "pvk/heap.h"
#include "pvk/kprintf.h"
#include "pvk/layout.h"
#include "pvk/platform.h"
#include "pvk/syscall.h"
#include "pvk/trap_frame.h"
#include "pvk/user_programs.h"

namespace pvk {
namespace {

constexpr size_t max_processes = 64;
constexpr uint64_t pf_write = 1u << 1;  // #PF error code (Intel SDM Vol. 3A, 4.7)

constinit Process* g_table[max_processes] = {};
constinit size_t g_current = 0;     // index into g_table of the running process
constinit bool g_reschedule = false;
constinit uint32_t g_next_pid = 1;
constinit uint64_t g_loaded_fs_base = 0;
// An ended process's address space, freed once another one is loaded.
constinit AddressSpace* g_retired = nullptr;

void report_fault(const Process& p, const ExitReason& r) {
    kprintf("pvk: %s (pid %u) killed: %s (vector %u) at rip %#lx, error code %#lx, fault address %#lx\n", p.name,
            p.pid, vector_name(r.vector), r.vector, p.ctx.rip, r.error_code, r.fault_address);
}

Process* find(uint32_t pid) {
    for (Process* p : g_table)
        if (p != nullptr && p->pid == pid) return p;
    return nullptr;
}

kstd::Result<size_t> free_slot() {
    for (size_t i = 0; i < max_processes; ++i)
        if (g_table[i] == nullptr) return i;
    return kstd::Error::again;
}

void free_process(Process* p) {
    for (Process*& slot : g_table)
        if (slot == p) slot = nullptr;
    kfree(p);
}

void retire_space(Process& p) {
    if (p.as == nullptr) return;
    if (AddressSpace::active() == p.as) {
        if (g_retired != nullptr) AddressSpace::destroy(g_retired);
        g_retired = p.as;
    } else {
        AddressSpace::destroy(p.as);
    }
    p.as = nullptr;
}

// p has ended: free its memory, hand its status to a waiting parent, and
// free it unless someone may still ask for its status.
void end(Process& p, int64_t status) {
    p.exit_status = status;
    p.state = Process::State::zombie;
    g_reschedule = true;
    retire_space(p);
    for (Process* c : g_table) {
        if (c == nullptr || c->parent != p.pid) continue;
        if (c->state == Process::State::zombie) free_process(c);
        else c->parent = orphan_parent;
    }
    if (p.parent == orphan_parent) {
        free_process(&p);
        return;
    }
    Process* parent = find(p.parent);
    if (parent != nullptr && parent->state == Process::State::waiting && parent->wait_for == p.pid) {
        parent->ctx.rax = static_cast<uint64_t>(status);
        parent->state = Process::State::runnable;
        free_process(&p);
    }
}

Process* pick_next() {
    for (size_t k = 1; k <= max_processes; ++k) {
        size_t i = (g_current + k) % max_processes;
        if (g_table[i] != nullptr && g_table[i]->state == Process::State::runnable) {
            g_current = i;
            return g_table[i];
        }
    }
    return nullptr;
}

void switch_to(Process& p) {
    AddressSpace::activate(p.as);
    if (g_retired != nullptr) {
        AddressSpace::destroy(g_retired);
        g_retired = nullptr;
    }
    if (p.fs_base != g_loaded_fs_base) {
        platform::set_user_fs_base(p.fs_base);
        g_loaded_fs_base = p.fs_base;
    }
}

void handle_exit(Process& p, const ExitReason& r) {
    if (r.kind == ExitReason::Kind::syscall) {
        ++p.syscalls;
        handle_syscall(p);
        return;
    }
    if (r.vector == vec_pf) {
        auto fixed = p.as->fault(r.fault_address, (r.error_code & pf_write) != 0);
        if (fixed.is_ok()) return;
        if (fixed.error() == kstd::Error::nomem) kprintf("pvk: %s (pid %u): out of memory\n", p.name, p.pid);
    }
    report_fault(p, r);
    p.killed = true;
    p.fault = r;
    end(p, killed_status);
}

}  // namespace

kstd::Result<uint32_t> spawn(const char* name, uint64_t arg) {
    const UserProgramBlob* blob = find_user_program(name);
    if (blob == nullptr) return kstd::Error::noent;
    size_t slot = TRY(free_slot());
    AddressSpace* as = TRY(AddressSpace::create());
    auto image = load_user_elf(*as, blob->data, blob->size);
    auto committed = image.is_ok() ? as->commit() : kstd::Result<void>(image.error());
    auto* p = committed.is_ok() ? static_cast<Process*>(kmalloc(sizeof(Process))) : nullptr;
    if (p == nullptr) {
        AddressSpace::destroy(as);
        return committed.is_ok() ? kstd::Error::nomem : committed.error();
    }
    new (p) Process{};
    p->pid = g_next_pid++;
    p->name = blob->name;
    p->as = as;
    p->ctx.rip = image.value().entry;
    // The stack starts at the top of user memory (demand-zero); crt0 aligns it.
    p->ctx.rsp = PVK_USER_TOP;
    p->ctx.rflags = user_initial_rflags;
    p->ctx.rdi = arg;
    g_table[slot] = p;
    return p->pid;
}

void run_all() {
    for (;;) {
        Process* p = g_table[g_current];
        if (g_reschedule || p == nullptr || p->state != Process::State::runnable) p = pick_next();
        g_reschedule = false;
        if (p == nullptr) break;
        switch_to(*p);
        handle_exit(*p, platform::run_user(p->ctx));
    }
    AddressSpace::activate(nullptr);
    if (g_retired != nullptr) AddressSpace::destroy(g_retired);
    g_retired = nullptr;
}

kstd::Result<ProgramResult> reap(uint32_t pid) {
    Process* p = find(pid);
    if (p == nullptr || p->parent != 0) return kstd::Error::srch;
    if (p->state != Process::State::zombie) return kstd::Error::busy;
    ProgramResult r{p->pid, p->killed, p->exit_status, p->fault, p->syscalls};
    free_process(p);
    return r;
}

kstd::Result<ProgramResult> run_program(const char* name, uint64_t arg) {
    uint32_t pid = TRY(spawn(name, arg));
    run_all();
    return reap(pid);
}

uint32_t process_count() {
    uint32_t n = 0;
    for (Process* p : g_table) n += p != nullptr;
    return n;
}

int64_t process_fork(Process& p) {
    auto slot = free_slot();
    if (slot.is_error()) return -PVK_EAGAIN;
    auto* c = static_cast<Process*>(kmalloc(sizeof(Process)));
    if (c == nullptr) return -PVK_ENOMEM;
    auto as = p.as->fork();
    if (as.is_error()) {
        kfree(c);
        return -PVK_ENOMEM;
    }
    *c = p;
    c->pid = g_next_pid++;
    c->parent = p.pid;
    c->as = as.value();
    c->syscalls = 0;
    c->ctx.rax = 0;  // fork returns 0 in the child
    g_table[slot.value()] = c;
    return c->pid;
}

int64_t process_wait(Process& p, uint32_t pid) {
    Process* c = find(pid);
    if (c == nullptr || c->parent != p.pid) return -PVK_ECHILD;
    if (c->state == Process::State::zombie) {
        int64_t status = c->exit_status;
        free_process(c);
        return status;
    }
    p.state = Process::State::waiting;
    p.wait_for = pid;
    g_reschedule = true;
    return 0;
}

void process_exit(Process& p, int64_t status) { end(p, status); }

void process_yield(Process& p) {
    for (Process* q : g_table) {
        if (q != nullptr && q != &p && q->state == Process::State::runnable) {
            g_reschedule = true;
            return;
        }
    }
    platform::yield();  // nothing else here: let other domains run
}

void process_set_fs_base(Process& p, uint64_t base) {
    p.fs_base = base;
    platform::set_user_fs_base(base);
    g_loaded_fs_base = base;
}

}  // namespace pvk
