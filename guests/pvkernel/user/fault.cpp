// Takes the exception its argument names, so tests can check that the
// kernel reports and kills a faulting program:
// 0 #UD, 1 #PF (kernel address), 2 #BP, 3 #DE, 4 #GP (cli), 5 #PF (write
// to an unmapped user address).
#include "pvk_user/syscall.h"

namespace {

void fault(uint64_t which) {
    uint64_t zero = 0, v;
    switch (which) {
    case 0:
        // SAFETY: raises #UD; the kernel ends the program.
        asm volatile("ud2");
        break;
    case 1:
        // SAFETY: reads a kernel address, which user mode cannot: #PF.
        asm volatile("mov (%1), %0" : "=r"(v) : "r"(0xffffffff80100000ull) : "memory");
        break;
    case 2:
        // SAFETY: a breakpoint trap (allowed from user mode), reported as #BP.
        asm volatile("int3");
        break;
    case 3:
        // SAFETY: divides by zero: #DE.
        asm volatile("xor %%edx, %%edx; mov $1, %%eax; div %0" : : "r"(zero) : "rax", "rdx");
        break;
    case 4:
        // SAFETY: a privileged instruction in ring 3: #GP.
        asm volatile("cli");
        break;
    case 5:
        // SAFETY: writes below the user region, which is unmapped: #PF.
        asm volatile("movq $1, (%0)" : : "r"(0x10000ull) : "memory");
        break;
    default: break;
    }
}

}  // namespace

int user_main(uint64_t which) {
    fault(which);
    return which <= 5 ? 2 : 1;  // 2: the exception did not happen
}
