// The micro-guest test framework, in the style of Xen's XTF. A test is one
// source file defining
//
//     const char test_title[] = "what it checks";
//     void test_main() { ... test_pass(); }
//
// linked with pvk_pv_lib (or pvk_native_lib). The framework boots the
// kernel, calls test_main(), prints exactly one line
//
//     pvk-test: <title>: PASS
//     pvk-test: <title>: FAIL: <reason>
//     pvk-test: <title>: SKIP: <reason>
//     pvk-test: <title>: ERROR: <reason>
//
// and powers off (the line carries the result). The helpers record a
// result and return; the most severe one wins (ERROR > FAIL > SKIP >
// PASS), and within a severity the first reason. An unexpected exception
// or panic gives ERROR and a crash shutdown.
#pragma once

#include "pvk/fault.h"
#include "pvk/kprintf.h"

extern const char test_title[];
void test_main();

void test_pass();
void test_fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void test_skip(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void test_error(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
