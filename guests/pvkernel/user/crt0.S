/* User program start: the kernel enters _start with rsp at the top of the
 * user region and the argument in rdi. Call user_main(arg), exit with its value. */
#include "pvk/syscall_abi.h"

        .section .text.start, "ax"
        .global _start
_start:
        xor     %ebp, %ebp
        and     $-16, %rsp
        call    user_main
        movslq  %eax, %rdi
        mov     $PVK_SYS_exit, %eax
        syscall
        ud2
