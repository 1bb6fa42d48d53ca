#pragma once
// Many connections need many file descriptors: raise this process's soft limit to its hard one.
#include <sys/resource.h>

namespace lab {

inline void raise_open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

}  // namespace lab
