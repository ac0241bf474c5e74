// A fixed-capacity list of short messages that a parser collects for its
// caller to print: the parsers run before logging is set up, and they must
// not drop a complaint silently or allocate to keep it.
#pragma once

#include <stddef.h>

namespace core {

class Diagnostics {
public:
    static constexpr size_t capacity = 8;
    static constexpr size_t message_size = 96;  // bytes, NUL included

    // printf-style; a message longer than message_size is truncated. When
    // the list is full the message is counted in dropped() instead.
    void add(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

    size_t count() const { return count_; }
    size_t dropped() const { return dropped_; }
    bool empty() const { return count_ == 0 && dropped_ == 0; }
    // The i-th message, or "" past count().
    const char* operator[](size_t i) const { return i < count_ ? messages_[i] : ""; }

private:
    char messages_[capacity][message_size] = {};
    size_t count_ = 0;
    size_t dropped_ = 0;
};

}  // namespace core
