// Storage for a global object that is constructed explicitly at boot. The
// hypervisor runs no static constructors (the linker script refuses them),
// so globals with non-trivial construction live in a Lazy and are
// emplace()d by the code that owns their initialisation.
#pragma once

#include "kstd/utility.h"

namespace kstd {

template <typename T>
class Lazy {
public:
    constexpr Lazy() = default;
    Lazy(const Lazy&) = delete;
    Lazy& operator=(const Lazy&) = delete;

    template <typename... Args>
    T& emplace(Args&&... args) {
        T* p = new (storage_) T(kstd::forward<Args>(args)...);
        constructed_ = true;
        return *p;
    }
    bool constructed() const { return constructed_; }
    // SAFETY (both): callers use the object only after emplace(); the
    // storage is suitably aligned for T.
    T& get() { return *reinterpret_cast<T*>(storage_); }
    const T& get() const { return *reinterpret_cast<const T*>(storage_); }
    T* operator->() { return &get(); }
    const T* operator->() const { return &get(); }

private:
    alignas(T) unsigned char storage_[sizeof(T)] = {};
    bool constructed_ = false;
};

}  // namespace kstd
