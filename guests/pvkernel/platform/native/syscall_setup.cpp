// SYSCALL/SYSRET (Intel SDM Vol. 2B, SYSCALL; Vol. 4, IA32_STAR/LSTAR/FMASK).
#include "native.h"
#include "selectors.h"
#include "x86.h"

namespace pvk::native {

void syscall_init() {
    wrmsr(msr::efer, rdmsr(msr::efer) | efer::sce);
    // SYSCALL: CS = STAR[47:32], SS = +8. SYSRET: CS = STAR[63:48] + 16,
    // SS = STAR[63:48] + 8, both with RPL 3.
    wrmsr(msr::star, (uint64_t{SEL_USER_CODE32 & ~3} << 48) | (uint64_t{SEL_KERNEL_CODE} << 32));
    wrmsr(msr::lstar, reinterpret_cast<uint64_t>(pvk_native_syscall_entry));
    // Cleared on entry: TF, IF, DF, IOPL, NT, AC (as Linux).
    wrmsr(msr::fmask, 0x47700);
}

}  // namespace pvk::native
