#pragma once
// How much memory a server used, counted from outside, over every process in its process group:
// the peak resident memory (VmHWM) added up, as `top` would, and the proportional set size (PSS),
// as the kernel accounts it: a page shared by k processes counts 1/k in each, so forked workers
// that share their pages are not counted W times. A server of W worker processes (the lab's
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

// The sum of Pss (/proc/PID/smaps_rollup) over the same processes, now, in KiB; -1 if none.
long group_pss_kib(pid_t group);

}  // namespace lab
