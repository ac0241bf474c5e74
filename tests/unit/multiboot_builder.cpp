#include "multiboot_builder.h"

#include <cstring>
#include <stdexcept>

namespace testing_mb {

std::vector<uint8_t> le32(uint32_t v) {
    std::vector<uint8_t> out(4);
    std::memcpy(out.data(), &v, 4);
    return out;
}

std::vector<uint8_t> le64(uint64_t v) {
    std::vector<uint8_t> out(8);
    std::memcpy(out.data(), &v, 8);
    return out;
}

namespace {
void append(std::vector<uint8_t>& out, const std::vector<uint8_t>& more) { out.insert(out.end(), more.begin(), more.end()); }
}  // namespace

const void* FakeMemory::map(uint64_t phys, size_t len) const {
    if (phys < base_ || phys - base_ > bytes_.size() || len > bytes_.size() - (phys - base_)) return nullptr;
    if (page_granular && len > 0 && phys / 4096 != (phys + len - 1) / 4096) return nullptr;
    return bytes_.data() + (phys - base_);
}

uint64_t FakeMemory::put(const void* data, size_t len, size_t align) {
    next_ = (next_ + align - 1) / align * align;
    if (next_ + len > bytes_.size()) throw std::runtime_error("FakeMemory full");
    std::memcpy(bytes_.data() + next_, data, len);
    uint64_t phys = base_ + next_;
    next_ += len;
    return phys;
}

void FakeMemory::put_at(uint64_t phys, const void* data, size_t len) {
    if (phys < base_ || phys - base_ + len > bytes_.size()) throw std::runtime_error("put_at out of range");
    std::memcpy(bytes_.data() + (phys - base_), data, len);
}

uint64_t Mb1Builder::build(FakeMemory& mem) const {
    uint8_t info[116] = {};
    auto set32 = [&](size_t off, uint64_t v) {
        auto v32 = static_cast<uint32_t>(v);
        std::memcpy(info + off, &v32, 4);
    };
    set32(0, flags);
    set32(4, mem_lower);
    set32(8, mem_upper);
    if (!cmdline.empty()) set32(16, mem.put_string(cmdline));
    if (!loader_name.empty()) set32(64, mem.put_string(loader_name));
    if (!mmap.empty()) {
        std::vector<uint8_t> buf;
        for (const MmapEntry& e : mmap) {
            append(buf, le32(mmap_entry_size));
            append(buf, le64(e.base));
            append(buf, le64(e.length));
            append(buf, le32(e.type));
            buf.resize(buf.size() + (mmap_entry_size > 20 ? mmap_entry_size - 20 : 0), 0);
        }
        set32(44, buf.size());
        set32(48, mem.put(buf.data(), buf.size(), 4));
    }
    if (!modules.empty()) {
        std::vector<uint8_t> buf;
        for (const Mb1Module& m : modules) {
            append(buf, le32(m.start));
            append(buf, le32(m.end));
            append(buf, le32(static_cast<uint32_t>(mem.put_string(m.string))));
            append(buf, le32(0));
        }
        set32(20, modules.size());
        set32(24, mem.put(buf.data(), buf.size(), 4));
    }
    return mem.put(info, sizeof info, 8);
}

Mb2Builder& Mb2Builder::tag(uint32_t type, const std::vector<uint8_t>& payload) {
    append(tags_, le32(type));
    append(tags_, le32(static_cast<uint32_t>(8 + payload.size())));
    append(tags_, payload);
    tags_.resize((tags_.size() + 7) / 8 * 8, 0);
    return *this;
}

Mb2Builder& Mb2Builder::string_tag(uint32_t type, const std::string& s) {
    std::vector<uint8_t> payload(s.begin(), s.end());
    payload.push_back(0);
    return tag(type, payload);
}

Mb2Builder& Mb2Builder::module(uint32_t start, uint32_t end, const std::string& s) {
    std::vector<uint8_t> payload = le32(start);
    append(payload, le32(end));
    payload.insert(payload.end(), s.begin(), s.end());
    payload.push_back(0);
    return tag(3, payload);
}

Mb2Builder& Mb2Builder::mmap(const std::vector<MmapEntry>& entries, uint32_t entry_size) {
    std::vector<uint8_t> payload = le32(entry_size);
    append(payload, le32(0));
    for (const MmapEntry& e : entries) {
        // Written in full, then cut or padded to entry_size, so tests can
        // describe entries of any (also wrong) size.
        size_t at = payload.size();
        append(payload, le64(e.base));
        append(payload, le64(e.length));
        append(payload, le32(e.type));
        payload.resize(at + entry_size, 0);
    }
    return tag(6, payload);
}

Mb2Builder& Mb2Builder::basic_meminfo(uint32_t lower_kib, uint32_t upper_kib) {
    std::vector<uint8_t> payload = le32(lower_kib);
    append(payload, le32(upper_kib));
    return tag(4, payload);
}

Mb2Builder& Mb2Builder::end_tag() { return tag(0, {}); }

std::vector<uint8_t> Mb2Builder::bytes(bool with_end) const {
    std::vector<uint8_t> out = le32(0);
    append(out, le32(0));
    append(out, tags_);
    if (with_end) {
        append(out, le32(0));
        append(out, le32(8));
    }
    uint32_t total = static_cast<uint32_t>(out.size());
    std::memcpy(out.data(), &total, 4);
    return out;
}

uint64_t Mb2Builder::build(FakeMemory& mem, bool with_end) const {
    std::vector<uint8_t> b = bytes(with_end);
    return mem.put(b.data(), b.size(), 8);
}

}  // namespace testing_mb
