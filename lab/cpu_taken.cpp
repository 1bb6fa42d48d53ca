#include "lab/cpu_taken.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "lab/clock.hpp"

namespace lab {
namespace {

// The first `most` bytes of a /proc file (each of these is one short line or a few).
std::string head_of(const std::string& path, std::size_t most) {
    std::ifstream in(path, std::ios::binary);
    std::string text(most, '\0');
    in.read(text.data(), static_cast<std::streamsize>(most));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

// /proc/stat's first line: "cpu  user nice system idle iowait irq softirq steal guest guest_nice".
// Interrupt time is left out: loopback traffic's softirqs are the lab's own requests, charged
// to no process, and would read as someone else's. Niced processes count: Linux's autogroups
// share the CPU between sessions whatever their processes' nice, so a build at nice 19 in another
// session takes its fair part of the cores.
void read_machine(CpuSample& s) {
    std::istringstream line(head_of("/proc/stat", 512));
    std::string cpu;
    std::int64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                 steal = 0;
    if (!(line >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq) ||
        cpu != "cpu")
        return;
    if (!(line >> steal)) steal = 0;  // (kernels before 2.6.11)
    s.machine_ticks = user + nice + system;
    s.steal_ticks = steal;
}

struct ProcessTicks {
    long parent = 0;
    std::int64_t ticks = 0;  // its own user and system time, and its reaped children's
};

// /proc/PID/stat after its name (which may hold spaces and parentheses): state, ppid, ... then
// utime stime cutime cstime as fields 14 to 17.
bool read_process(const std::string& pid, ProcessTicks& p) {
    std::string text = head_of("/proc/" + pid + "/stat", 1024);
    auto close = text.rfind(')');
    if (close == std::string::npos) return false;
    std::istringstream rest(text.substr(close + 1));
    // fields[0] is the state (field 3), fields[11..14] are 14..17
    const std::vector<std::string> fields{std::istream_iterator<std::string>(rest), {}};
    if (fields.size() < 15) return false;
    p.parent = std::atol(fields[1].c_str());
    for (int k = 11; k <= 14; ++k) p.ticks += std::atoll(fields[k].c_str());
    return true;
}

// The lab's process and every live descendant: a descendant reaped since is in its parent's
// cutime/cstime, so each tick is counted once.
std::int64_t own_tree_ticks() {
    std::map<long, ProcessTicks> all;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        ProcessTicks p;
        if (read_process(name, p)) all[std::atol(name.c_str())] = p;
    }
    const long self = getpid();
    if (!all.count(self)) return -1;
    std::int64_t total = 0;
    for (const auto& [pid, p] : all) {
        // Whether `pid` is the lab or below it: up its parents, at most as many as there are.
        long up = pid;
        for (std::size_t steps = 0; up > 1 && up != self && steps < all.size(); ++steps) {
            auto found = all.find(up);
            up = found == all.end() ? 0 : found->second.parent;
        }
        if (up == self) total += p.ticks;
    }
    return total;
}

}  // namespace

CpuSample cpu_sample() {
    CpuSample s;
    s.at_us = monotonic_us();
    read_machine(s);
    s.own_ticks = own_tree_ticks();
    return s;
}

BatchCpu cpu_between(const CpuSample& before, const CpuSample& after) {
    static const double tick_s = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
    BatchCpu b;
    b.wall_s = static_cast<double>(after.at_us - before.at_us) / 1e6;
    auto seconds = [](std::int64_t a, std::int64_t z) {
        return a < 0 || z < 0 ? -1.0 : std::max<double>(0, static_cast<double>(z - a) * tick_s);
    };
    b.own_s = seconds(before.own_ticks, after.own_ticks);
    b.machine_s = seconds(before.machine_ticks, after.machine_ticks);
    b.steal_s = seconds(before.steal_ticks, after.steal_ticks);
    return b;
}

double BatchCpu::others_cores() const {
    if (!known()) return 0;
    return std::max(0.0, machine_s - own_s + steal_s) / wall_s;
}

}  // namespace lab
