// The kernel's main function: the demo (common/main.cpp) or the micro-guest
// test framework (common/test_framework.cpp). When it returns the machine
// powers off.
#pragma once

void kernel_main();
