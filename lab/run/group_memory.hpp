#pragma once
// How much memory a server used, counted from outside: the peak resident memory (VmHWM) of
// every process in its process group, added up. A server of W worker processes (the lab's
// multi-process mode, uvicorn --workers, gunicorn) costs W times a worker, and only a count over
// all of them shows it; the server's own /stats knows one process.
#include <filesystem>
#include <string>

#include <sys/types.h>

namespace lab {

// A /proc file, whole, or "" when its process has gone meanwhile. (Reading the files of a process
// that exits mid-read fails with ESRCH, which std::ifstream turns into an exception.)
std::string read_proc_file(const std::filesystem::path& file);

// The sum of VmHWM over the live processes whose process group is `group`, in KiB (pages shared
// between them are counted in each, as `ps` and `top` count them); -1 if none could be read.
long group_peak_rss_kib(pid_t group);

}  // namespace lab
