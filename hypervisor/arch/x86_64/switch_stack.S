/* switch_stack_and_call(top, fn): continue boot on a new stack. fn never
 * returns; a zero frame pointer ends backtraces there. */
        .text
        .global switch_stack_and_call
switch_stack_and_call:
        mov     %rdi, %rsp
        xor     %ebp, %ebp
        call    *%rsi
        ud2
