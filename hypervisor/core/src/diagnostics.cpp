#include "core/diagnostics.h"

#include <stdarg.h>

#include "kstd/format.h"

namespace core {

void Diagnostics::add(const char* fmt, ...) {
    if (count_ == capacity) {
        ++dropped_;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    kstd::vformat(messages_[count_], message_size, fmt, ap);
    va_end(ap);
    ++count_;
}

}  // namespace core
