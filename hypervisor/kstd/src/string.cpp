#include "kstd/string.h"

#include "kstd/result.h"

namespace kstd {

size_t strlen(const char* s) {
    size_t n = 0;
    while (s[n] != '\0') ++n;
    return n;
}

int strcmp(const char* a, const char* b) {
    while (*a != '\0' && *a == *b) {
        ++a;
        ++b;
    }
    return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
}

bool string_view::operator==(string_view o) const {
    if (size_ != o.size_) return false;
    for (size_t i = 0; i < size_; ++i)
        if (data_[i] != o.data_[i]) return false;
    return true;
}

bool string_view::starts_with(string_view prefix) const {
    return prefix.size() <= size_ && substr(0, prefix.size()) == prefix;
}

const char* error_name(Error e) {
    switch (e) {
    case Error::perm: return "EPERM";
    case Error::noent: return "ENOENT";
    case Error::srch: return "ESRCH";
    case Error::intr: return "EINTR";
    case Error::io: return "EIO";
    case Error::too_big: return "E2BIG";
    case Error::again: return "EAGAIN";
    case Error::nomem: return "ENOMEM";
    case Error::access: return "EACCES";
    case Error::fault: return "EFAULT";
    case Error::busy: return "EBUSY";
    case Error::exist: return "EEXIST";
    case Error::inval: return "EINVAL";
    case Error::nospc: return "ENOSPC";
    case Error::range: return "ERANGE";
    case Error::nosys: return "ENOSYS";
    case Error::already: return "EALREADY";
    }
    return "E?";
}

}  // namespace kstd
