#include "lab/containment/group_memory.hpp"

#include <charconv>
#include <cstdio>
#include <string_view>

#include <fcntl.h>
#include <unistd.h>

namespace lab {

std::string read_proc_file(const std::filesystem::path& file) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "";
    std::string text;
    char chunk[4096];
    for (ssize_t n; (n = ::read(fd, chunk, sizeof chunk)) != 0;) {
        if (n < 0) {
            text.clear();  // gone while we read: as if it had never been there
            break;
        }
        text.append(chunk, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return text;
}

namespace {

// Field 5 of /proc/PID/stat, counted after the command name, which sits in parentheses and may
// itself hold spaces and parentheses (so the last ')' ends it).
pid_t process_group_of(const std::filesystem::path& process) {
    const std::string stat = read_proc_file(process / "stat");
    const auto end_of_name = stat.rfind(')');
    int group = -1;
    if (end_of_name == std::string::npos ||
        std::sscanf(stat.c_str() + end_of_name + 1, " %*s %*d %d", &group) != 1)
        return -1;
    return group;
}

// "VmHWM:     5120 kB" of /proc/PID/status, "Pss:  1234 kB" of smaps_rollup: one field of a
// process's file, in KiB; -1 without it (a kernel thread, or a process that has just exited).
long field_kib(const std::filesystem::path& file, std::string_view field) {
    const std::string text = "\n" + read_proc_file(file);
    const auto at = text.find("\n" + std::string(field));
    long kib = -1;
    if (at == std::string::npos ||
        std::sscanf(text.c_str() + at + 1 + field.size(), "%ld", &kib) != 1)
        return -1;
    return kib;
}

// The sum of one field over the live processes whose process group is `group`; -1 if none.
long group_sum_kib(pid_t group, const char* file, std::string_view field) {
    long total = 0;
    bool any = false;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename();
        pid_t pid = 0;
        auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), pid);
        if (error != std::errc() || end != name.data() + name.size()) continue;  // not a process
        if (process_group_of(entry.path()) != group) continue;
        if (long kib = field_kib(entry.path() / file, field); kib >= 0) {
            total += kib;
            any = true;
        }
    }
    return any ? total : -1;
}

}  // namespace

long group_peak_rss_kib(pid_t group) { return group_sum_kib(group, "status", "VmHWM:"); }

long group_pss_kib(pid_t group) { return group_sum_kib(group, "smaps_rollup", "Pss:"); }

}  // namespace lab
