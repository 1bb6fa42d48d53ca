#pragma once
// One object in memory that a process shares with the children it forks afterwards
// (MAP_SHARED): what the workers of multi-process count together (the CPU ledger, the loop's
// worst). If the kernel refuses the mapping, an ordinary object: still right within one process.
#include <atomic>
#include <cstdint>
#include <new>

#include <sys/mman.h>

namespace lab {

template <class T>
T* new_shared_across_fork() {
    void* memory =
        mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return new T;
    return new (memory) T;
}

// Raises a shared "most so far" to `value` if higher, however many threads and processes race to.
inline void raise_to(std::atomic<std::int64_t>& max, std::int64_t value) {
    for (auto seen = max.load(); value > seen && !max.compare_exchange_weak(seen, value);) {}
}

}  // namespace lab
