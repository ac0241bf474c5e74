// Errors are values: fallible functions return Result<T>, never throw.
// Error codes are the ABI's (hypercall-abi/include/pvisor/errno.h), so a
// hypercall handler returns -static_cast<int>(error) without translation.
#pragma once

#include <stdint.h>

#include <pvisor/errno.h>

#include "kstd/utility.h"

namespace kstd {

enum class Error : int32_t {
    perm = PV_EPERM,
    noent = PV_ENOENT,
    srch = PV_ESRCH,
    intr = PV_EINTR,
    io = PV_EIO,
    too_big = PV_E2BIG,
    again = PV_EAGAIN,
    nomem = PV_ENOMEM,
    access = PV_EACCES,
    fault = PV_EFAULT,
    busy = PV_EBUSY,
    exist = PV_EEXIST,
    inval = PV_EINVAL,
    nospc = PV_ENOSPC,
    range = PV_ERANGE,
    nosys = PV_ENOSYS,
    already = PV_EALREADY,
};

// Short name for logs and test output, e.g. "EINVAL".
const char* error_name(Error e);

// The value a hypercall returns for this error.
constexpr int64_t to_hypercall_ret(Error e) { return -static_cast<int64_t>(e); }

template <typename T>
class [[nodiscard]] Result {
public:
    Result(const T& v) : ok_(true) { new (&storage_) T(v); }
    Result(T&& v) : ok_(true) { new (&storage_) T(kstd::move(v)); }
    Result(Error e) : ok_(false), error_(e) {}
    Result(const Result& o) : ok_(o.ok_), error_(o.error_) {
        if (ok_) new (&storage_) T(o.value());
    }
    Result(Result&& o) : ok_(o.ok_), error_(o.error_) {
        if (ok_) new (&storage_) T(kstd::move(o.value()));
    }
    Result& operator=(const Result&) = delete;
    ~Result() {
        if (ok_) value().~T();
    }

    bool is_ok() const { return ok_; }
    bool is_error() const { return !ok_; }
    explicit operator bool() const { return ok_; }
    Error error() const { return error_; }

    T& value() { return *reinterpret_cast<T*>(&storage_); }
    const T& value() const { return *reinterpret_cast<const T*>(&storage_); }
    T release_value() { return kstd::move(value()); }
    T value_or(T fallback) const { return ok_ ? value() : fallback; }

private:
    bool ok_;
    Error error_ = Error::inval;
    alignas(T) unsigned char storage_[sizeof(T)];
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() : ok_(true) {}
    Result(Error e) : ok_(false), error_(e) {}
    bool is_ok() const { return ok_; }
    bool is_error() const { return !ok_; }
    explicit operator bool() const { return ok_; }
    Error error() const { return error_; }
    void release_value() {}

private:
    bool ok_;
    Error error_ = Error::inval;
};

inline Result<void> ok() { return {}; }

}  // namespace kstd

// TRY(expr): evaluate a Result; on error return the error from the caller,
// otherwise yield the value. A GNU statement expression, as in SerenityOS.
#define TRY(expr)                                          \
    ({                                                     \
        auto _try_result = (expr);                         \
        if (_try_result.is_error()) return _try_result.error(); \
        _try_result.release_value();                       \
    })
