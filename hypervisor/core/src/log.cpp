#include "core/log.h"

#include "kstd/format.h"

namespace core {
namespace {

LogSink g_sink = nullptr;

void emit(const char* prefix, const char* fmt, va_list ap) {
    if (g_sink == nullptr) return;
    // Lines longer than this are truncated; the hypervisor has no heap to
    // spare on a log line and a truncated line is still useful.
    char buf[512];
    size_t off = 0;
    if (prefix != nullptr) off = kstd::format(buf, sizeof buf, "%s", prefix);
    kstd::vformat(buf + off, sizeof buf - off, fmt, ap);
    g_sink(buf);
}

}  // namespace

LogLevel g_log_level = LogLevel::info;

void log_set_sink(LogSink sink) { g_sink = sink; }
void log_set_level(LogLevel level) { g_log_level = level; }
LogLevel log_level() { return g_log_level; }

const char* log_level_name(LogLevel level) {
    switch (level) {
    case LogLevel::error: return "error";
    case LogLevel::warn: return "warn";
    case LogLevel::info: return "info";
    case LogLevel::debug: return "debug";
    }
    return "?";
}

void logv(LogLevel level, const char* fmt, va_list ap) {
    if (!log_enabled(level)) return;
    const char* prefix = level == LogLevel::error ? "pvisor: error: "
                         : level == LogLevel::warn ? "pvisor: warning: "
                         : level == LogLevel::debug ? "pvisor: debug: "
                                                    : "pvisor: ";
    emit(prefix, fmt, ap);
}

void log(LogLevel level, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    logv(level, fmt, ap);
    va_end(ap);
}

void print(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    emit(nullptr, fmt, ap);
    va_end(ap);
}

}  // namespace core
