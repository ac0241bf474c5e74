#include "kstd/format.h"

#include <stdint.h>

namespace kstd {
namespace {

// Appends to a bounded buffer while counting the full length.
class Sink {
public:
    Sink(char* buf, size_t size) : buf_(buf), size_(size) {}
    void put(char c) {
        if (len_ + 1 < size_) buf_[len_] = c;
        ++len_;
    }
    void pad(char c, int n) {
        for (; n > 0; --n) put(c);
    }
    size_t finish() {
        if (size_ > 0) buf_[len_ < size_ ? len_ : size_ - 1] = '\0';
        return len_;
    }

private:
    char* buf_;
    size_t size_;
    size_t len_ = 0;
};

struct Spec {
    bool left = false;
    bool zero = false;
    bool alt = false;
    int width = 0;
    int precision = -1;
};

void emit_number(Sink& out, uint64_t v, unsigned base, bool upper, bool negative, const Spec& spec) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v != 0);

    const char* prefix = "";
    if (negative) prefix = "-";
    else if (spec.alt && base == 16) prefix = upper ? "0X" : "0x";
    else if (spec.alt && base == 8) prefix = "0";
    int prefix_len = 0;
    while (prefix[prefix_len] != '\0') ++prefix_len;

    int pad = spec.width - n - prefix_len;
    if (!spec.left && !spec.zero) out.pad(' ', pad);
    for (int i = 0; i < prefix_len; ++i) out.put(prefix[i]);
    if (!spec.left && spec.zero) out.pad('0', pad);
    while (n > 0) out.put(tmp[--n]);
    if (spec.left) out.pad(' ', pad);
}

void emit_string(Sink& out, const char* s, const Spec& spec) {
    if (s == nullptr) s = "(null)";
    int n = 0;
    // The precision is checked first: with one, s need not be NUL-terminated.
    while ((spec.precision < 0 || n < spec.precision) && s[n] != '\0') ++n;
    if (!spec.left) out.pad(' ', spec.width - n);
    for (int i = 0; i < n; ++i) out.put(s[i]);
    if (spec.left) out.pad(' ', spec.width - n);
}

}  // namespace

size_t vformat(char* buf, size_t size, const char* fmt, va_list ap) {
    Sink out(buf, size);
    for (const char* p = fmt; *p != '\0'; ++p) {
        if (*p != '%') {
            out.put(*p);
            continue;
        }
        ++p;
        Spec spec;
        for (;; ++p) {
            if (*p == '-') spec.left = true;
            else if (*p == '0') spec.zero = true;
            else if (*p == '#') spec.alt = true;
            else break;
        }
        if (*p == '*') {
            spec.width = va_arg(ap, int);
            // As in C, a negative width argument means left-justified.
            if (spec.width < 0) {
                spec.left = true;
                spec.width = -spec.width;
            }
            ++p;
        } else {
            while (*p >= '0' && *p <= '9') spec.width = spec.width * 10 + (*p++ - '0');
        }
        if (*p == '.') {
            ++p;
            spec.precision = 0;
            if (*p == '*') {
                spec.precision = va_arg(ap, int);
                ++p;
            } else {
                while (*p >= '0' && *p <= '9') spec.precision = spec.precision * 10 + (*p++ - '0');
            }
        }
        int longness = 0;  // -2 hh, -1 h, 0 int, 1 long, 2 long long / size_t
        for (;; ++p) {
            if (*p == 'l') ++longness;
            else if (*p == 'h') --longness;
            else if (*p == 'z') longness = 2;
            else break;
        }

        auto fetch_unsigned = [&]() -> uint64_t {
            if (longness >= 1) return longness == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned long long);
            unsigned v = va_arg(ap, unsigned);
            if (longness == -1) return static_cast<unsigned short>(v);
            if (longness <= -2) return static_cast<unsigned char>(v);
            return v;
        };

        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v;
            if (longness >= 1) v = longness == 1 ? va_arg(ap, long) : va_arg(ap, long long);
            else if (longness == -1) v = static_cast<short>(va_arg(ap, int));
            else if (longness <= -2) v = static_cast<signed char>(va_arg(ap, int));
            else v = va_arg(ap, int);
            uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
            emit_number(out, mag, 10, false, v < 0, spec);
            break;
        }
        case 'u': emit_number(out, fetch_unsigned(), 10, false, false, spec); break;
        case 'x': emit_number(out, fetch_unsigned(), 16, false, false, spec); break;
        case 'X': emit_number(out, fetch_unsigned(), 16, true, false, spec); break;
        case 'o': emit_number(out, fetch_unsigned(), 8, false, false, spec); break;
        case 'p': {
            Spec ps = spec;
            ps.alt = true;
            emit_number(out, reinterpret_cast<uintptr_t>(va_arg(ap, void*)), 16, false, false, ps);
            break;
        }
        case 'c':
            if (!spec.left) out.pad(' ', spec.width - 1);
            out.put(static_cast<char>(va_arg(ap, int)));
            if (spec.left) out.pad(' ', spec.width - 1);
            break;
        case 's': emit_string(out, va_arg(ap, const char*), spec); break;
        case '%': out.put('%'); break;
        case '\0': return out.finish();
        default:
            // Unknown conversion: print it literally so the mistake is visible.
            out.put('%');
            out.put(*p);
            break;
        }
    }
    return out.finish();
}

size_t format(char* buf, size_t size, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

}  // namespace kstd
