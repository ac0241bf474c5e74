// Leveled logging for the hypervisor. Portable: the arch layer installs a
// sink (the serial port); host tests install one that captures lines.
#pragma once

#include <stdarg.h>

namespace core {

enum class LogLevel : int { error = 0, warn = 1, info = 2, debug = 3 };

using LogSink = void (*)(const char* text);

void log_set_sink(LogSink sink);
void log_set_level(LogLevel level);
LogLevel log_level();
extern LogLevel g_log_level;
inline bool log_enabled(LogLevel level) { return static_cast<int>(level) <= static_cast<int>(g_log_level); }
const char* log_level_name(LogLevel level);

// Writes "(pvisor) <message>\n"-free text as given; callers end lines.
void logv(LogLevel level, const char* fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void log(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// Raw output that ignores the level (boot report, crash dumps).
void print(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace core

#define LOG_ERROR(...) ::core::log(::core::LogLevel::error, __VA_ARGS__)
#define LOG_WARN(...) ::core::log(::core::LogLevel::warn, __VA_ARGS__)
#define LOG_INFO(...) ::core::log(::core::LogLevel::info, __VA_ARGS__)
#define LOG_DEBUG(...)                                                   \
    do {                                                                 \
        if (::core::log_enabled(::core::LogLevel::debug))                \
            ::core::log(::core::LogLevel::debug, __VA_ARGS__);           \
    } while (0)
