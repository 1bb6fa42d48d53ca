#pragma once
// Small helpers the tests share: a scratch folder, and running `lab` as a user would.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <csignal>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>

#include "lab/results/csv.hpp"
#include "lab/containment/group_memory.hpp"  // read_proc_file: also /proc of a process that may be exiting

namespace test {

struct ScratchDir {
    std::filesystem::path path;
    ScratchDir() {
        path = std::filesystem::temp_directory_path() /
               ("lab-test-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(path);
    }
    ~ScratchDir() { std::filesystem::remove_all(path); }
    std::filesystem::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
        return path / name;
    }
};

struct Outcome {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

// A file, whole ("" if it cannot be read: also a /proc file of a process that has just gone).
inline std::string read_file(const std::filesystem::path& file) {
    return lab::read_proc_file(file);
}

// Every row of a CSV text, as `lab report` reads requests.csv (lab/results/csv.hpp).
inline std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
    std::istringstream in(text);
    lab::CsvReader reader(in, text.size());
    std::vector<std::vector<std::string>> rows;
    for (std::vector<std::string> row; reader.next(row);) rows.push_back(row);
    return rows;
}

// Runs `command` through the shell and waits for it to finish.
inline Outcome run_shell(const std::string& command_line) {
    Outcome o;
    std::string command = command_line + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    char chunk[4096];
    while (std::size_t n = std::fread(chunk, 1, sizeof chunk, pipe)) o.output.append(chunk, n);
    int status = pclose(pipe);
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return o;
}

// Runs `lab ARGS` through the shell and waits for it to finish.
inline Outcome run_lab(const std::string& args) {
    return run_shell(std::string(LAB_BINARY) + " " + args);
}

// Calls work(i, worker) for each i of 0 .. n-1, two at a time (the machine's two cores): worker 0
// on this thread, worker 1 on a thread beside it, each taking the next i as it is free. Only for
// work that times nothing: a run that times a server goes alone.
template <class Work>
void two_at_a_time(std::size_t n, Work work) {
    std::atomic<std::size_t> next{0};
    auto take_the_next = [&](int worker) {
        for (std::size_t i = next++; i < n; i = next++) work(i, worker);
    };
    std::thread beside(take_the_next, 1);
    take_the_next(0);
    beside.join();
}

// `lab ARGS` for each of `runs`, two at a time (refusals, usage errors), each outcome at its
// run's place.
inline std::vector<Outcome> run_lab_two_at_a_time(const std::vector<std::string>& runs) {
    std::vector<Outcome> outcomes(runs.size());
    two_at_a_time(runs.size(), [&](std::size_t i, int) { outcomes[i] = run_lab(runs[i]); });
    return outcomes;
}

// A student's app of the tests' data (tests/data/apps/NAME).
inline std::string app_file(const std::string& name) {
    return std::string(LAB_TEST_DATA) + "/apps/" + name;
}

// Runs `lab ARGS` as on a full disk: no file it writes may grow past `bytes` (RLIMIT_FSIZE, which
// binds root too; SIGXFSZ ignored, so a write that would pass it fails with EFBIG instead).
inline Outcome run_lab_on_full_disk(const std::string& args, rlim_t bytes) {
    rlimit before{};
    getrlimit(RLIMIT_FSIZE, &before);
    auto handler = std::signal(SIGXFSZ, SIG_IGN);  // (an ignored signal stays ignored across exec)
    rlimit full{bytes, before.rlim_max};
    setrlimit(RLIMIT_FSIZE, &full);
    Outcome o = run_lab(args);
    setrlimit(RLIMIT_FSIZE, &before);
    std::signal(SIGXFSZ, handler);
    return o;
}

// The names of the entries of `folder`, hidden ones too ("" for none).
inline std::string entries_of(const std::filesystem::path& folder) {
    std::string names;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(folder, ec))
        names += e.path().filename().string() + " ";
    return names;
}

// The newest run folder `lab run` wrote below `out/scenario` (the only one, after one run): the
// folders are named by their start time, so the newest sorts last.
inline std::filesystem::path newest_run(const std::filesystem::path& out,
                                        const std::string& scenario) {
    std::filesystem::path newest;
    for (const auto& entry : std::filesystem::directory_iterator(out / scenario))
        if (newest.empty() || entry.path() > newest) newest = entry.path();
    return newest;
}

// The value of the attribute `name` in an HTML tag or page (its first ` name="..."`), "" if none.
inline std::string html_attribute(const std::string& html, const std::string& name) {
    std::smatch m;
    return std::regex_search(html, m, std::regex(" " + name + "=\"([^\"]*)\"")) ? m[1].str() : "";
}

// Reads `from` line by line into `said` until a line matches `pattern`: its first group, or ""
// if the output ended first (e.g. the URL a command prints before it waits).
inline std::string read_until(FILE* from, const std::string& pattern, std::string& said) {
    const std::regex wanted(pattern);
    char line[1024];
    while (std::fgets(line, sizeof line, from)) {
        said += line;
        std::smatch m;
        const std::string text = line;
        if (std::regex_search(text, m, wanted)) return m[1];
    }
    return "";
}

// Whether this process may ask Linux to keep idle CPUs awake (lab/awake_cpus.hpp): it opens the
// device as the lab does, since permissions alone miss a container's device rules.
inline bool may_keep_cpus_awake() {
    FILE* device = std::fopen("/dev/cpu_dma_latency", "wb");
    if (device) std::fclose(device);
    return device != nullptr;
}

// The longest line of `text`, in characters as a terminal shows them (UTF-8 code points).
inline std::size_t longest_line(const std::string& text) {
    std::size_t longest = 0, current = 0;
    for (char ch : text) {
        if (ch == '\n') current = 0;
        else if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80)
            longest = std::max(longest, ++current);
    }
    return longest;
}

// The widest room a loop had between one handler and the next, from the server's own stamps of
// `records` (RequestRecords of one loop): wider than LoopMonitor::room_us means they did not reach
// the loop together (a request sent late by a client thread the machine held back) or the
// machine held the server between two handlers. Either way the machine split a stretch the model
// says is one, and a floor on that stretch is not judged.
template <class Records>
std::int64_t widest_room_us(const Records& records) {
    std::vector<std::pair<std::int64_t, std::int64_t>> held;  // (start, end) of each handler
    for (const auto& r : records)
        if (r.has_server_stamps()) held.emplace_back(r.server_start_us, r.server_end_us);
    std::sort(held.begin(), held.end());
    std::int64_t widest = 0;
    for (std::size_t i = 1; i < held.size(); ++i)
        widest = std::max(widest, held[i].first - held[i - 1].second);
    return widest;
}

}  // namespace test

#include <csignal>
#include <set>
#include <sstream>
#include <vector>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

namespace test {

// The processes below `root`, by walking the parent links in /proc.
inline std::set<pid_t> descendants(pid_t root) {
    std::set<pid_t> found{root};
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
            std::string name = entry.path().filename();
            if (name.find_first_not_of("0123456789") != std::string::npos) continue;
            std::string text = lab::read_proc_file(entry.path() / "stat");
            auto close = text.rfind(')');
            if (close == std::string::npos || close + 2 >= text.size()) continue;
            char state = 0;
            int ppid = 0;
            if (std::sscanf(text.c_str() + close + 2, "%c %d", &state, &ppid) != 2 || state == 'Z')
                continue;
            pid_t pid = std::stoi(name);
            if (found.count(ppid) && found.insert(pid).second) grew = true;
        }
    }
    found.erase(root);
    return found;
}

// The folders in /tmp whose names start with `prefix` (the lab's services: "lab-redis-", ...).
inline std::set<std::filesystem::path> temporary_folders(const std::string& prefix) {
    std::set<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator("/tmp"))
        if (entry.path().filename().string().rfind(prefix, 0) == 0) found.insert(entry.path());
    return found;
}

// The one folder of `now` that `before` did not have, or an empty path.
inline std::filesystem::path new_folder(const std::set<std::filesystem::path>& before,
                                        const std::set<std::filesystem::path>& now) {
    for (const auto& f : now)
        if (!before.count(f)) return f;
    return {};
}

// Whether this build runs under AddressSanitizer: its shadow memory and quarantine are in every
// process's resident memory, so a bound on the lab's own memory is checked in the builds users
// run; and its runtime needs file descriptors of its own, so a test that takes them all away
// tests the sanitizer there, not the lab.
#ifdef __SANITIZE_ADDRESS__
inline constexpr bool under_address_sanitizer = true;
#else
inline constexpr bool under_address_sanitizer = false;
#endif

// "PID (name) STATE", the head of /proc/PID/stat; "" once the process is gone.
inline std::string stat_head(pid_t pid) {
    std::string text = lab::read_proc_file("/proc/" + std::to_string(pid) + "/stat");
    auto close = text.rfind(')');
    return close == std::string::npos || close + 2 >= text.size() ? "" : text.substr(0, close + 3);
}

inline bool alive(pid_t pid) {
    const std::string head = stat_head(pid);
    return !head.empty() && head.back() != 'Z';
}

// "PID (name) STATE, ..." of `pids` as /proc says now: which ones a failed check found running.
inline std::string described(const std::set<pid_t>& pids) {
    std::string said;
    for (pid_t pid : pids) {
        const std::string head = stat_head(pid);
        said +=
            (said.empty() ? "" : ", ") + (head.empty() ? std::to_string(pid) + " (gone)" : head);
    }
    return said;
}

// The processes a test app wrote to `file` as "KIND PID PIDNS" (its /proc/self/ns/pid), of `kind`
// ("": all but "port"), by the pids this test sees: a process inside the lab's PID namespace for
// an app knows itself by another number, which /proc/P/status's NSpid line gives last. Read while
// they run (once gone, a process has no number here).
inline std::set<pid_t> recorded_pids(const std::filesystem::path& file, const std::string& kind) {
    std::set<pid_t> found;
    std::istringstream lines(read_file(file));
    for (std::string line, what, ns; std::getline(lines, line);) {
        pid_t pid = 0;
        std::istringstream fields(line);
        if (!(fields >> what >> pid) || what == "port" || (!kind.empty() && what != kind)) continue;
        fields >> ns;
        for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
            std::error_code no;
            if (std::filesystem::read_symlink(entry.path() / "ns/pid", no).string() != ns) continue;
            std::istringstream status(lab::read_proc_file(entry.path() / "status"));
            std::string word, last;
            for (std::string l; std::getline(status, l);)
                if (l.rfind("NSpid:", 0) == 0)
                    for (std::istringstream ids(l); ids >> word;) last = word;
            if (last == std::to_string(pid)) found.insert(std::stoi(entry.path().filename()));
        }
    }
    return found;
}

// Those of `pids` still alive once `grace` has passed (or none are left, whichever is first).
inline std::set<pid_t> survivors(const std::set<pid_t>& pids,
                                 std::chrono::milliseconds grace = std::chrono::seconds(5));

// Starts `lab ARGS...` as a child process of the test, its output (stdout and stderr) to the file
// `output` (default: discarded).
inline pid_t spawn_lab(std::vector<std::string> args,
                       const std::filesystem::path& output = "/dev/null") {
    args.insert(args.begin(), LAB_BINARY);
    pid_t pid = fork();
    if (pid == 0) {
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        std::freopen(output.c_str(), "w", stdout);
        dup2(STDOUT_FILENO, STDERR_FILENO);
        execv(argv[0], argv.data());
        _exit(127);
    }
    return pid;
}

// `lab ARGS...` as a child that waits for Enter: the test writes its stdin (`to_stdin`) and reads
// its stderr as it comes (`said`, for read_until); stdout is discarded.
struct PipedLab {
    pid_t pid = -1;
    int to_stdin = -1;
    FILE* said = nullptr;
    // Reads what it says to its end (onto `text`) and waits for it: its exit code, -1 if killed.
    int finish(std::string& text) {
        read_until(said, "(?!)", text);
        fclose(said);
        int status = 0;
        waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
};
inline PipedLab spawn_lab_piped(std::vector<std::string> args) {
    args.insert(args.begin(), LAB_BINARY);
    int to_lab[2], from_lab[2];
    if (pipe(to_lab) != 0 || pipe(from_lab) != 0) return {};
    pid_t pid = fork();
    if (pid == 0) {
        dup2(to_lab[0], 0);
        dup2(from_lab[1], 2);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        for (int fd : {to_lab[0], to_lab[1], from_lab[0], from_lab[1], null}) close(fd);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(to_lab[0]);
    close(from_lab[1]);
    return {pid, to_lab[1], fdopen(from_lab[0], "r")};
}

// `lab ARGS...` run to its end: its exit code and output, its peak resident memory (the largest of
// it and the children it waited for: wait4's) and how long it took.
struct Measured {
    Outcome outcome;
    long max_rss_kib = 0;
    double seconds = 0;
};
inline Measured run_lab_measured(std::vector<std::string> args) {
    ScratchDir dir;
    auto began = std::chrono::steady_clock::now();
    pid_t lab = spawn_lab(std::move(args), dir.path / "output");
    int status = 0;
    rusage used{};
    wait4(lab, &status, 0, &used);
    Measured m;
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    m.max_rss_kib = used.ru_maxrss;
    m.outcome = {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(dir.path / "output")};
    return m;
}

// Waits until `pred` holds, checking every 10 ms, for at most `limit`.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    auto give_up = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > give_up) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

inline std::set<pid_t> survivors(const std::set<pid_t>& pids, std::chrono::milliseconds grace) {
    std::set<pid_t> still;
    eventually(
        [&] {
            still.clear();
            for (pid_t p : pids)
                if (alive(p)) still.insert(p);
            return still.empty();
        },
        grace);
    return still;
}

// Kills `lab` (a process this test spawned) with SIGKILL, then says what is left after 10 s of
// `started` and of its private `folder` ("" when nothing: the keeper's work, since the lab itself
// had no chance to clean up).
inline std::string killed_lab_leaves(pid_t lab, const std::set<pid_t>& started,
                                     const std::filesystem::path& folder) {
    kill(lab, SIGKILL);
    waitpid(lab, nullptr, 0);
    std::string left;
    for (pid_t p : survivors(started, std::chrono::seconds(10)))
        left += "process " + std::to_string(p) + " still runs; ";
    if (!eventually([&] { return !std::filesystem::exists(folder); }, std::chrono::seconds(10)))
        left += folder.string() + " is still there";
    return left;
}

// The processes that name `folder` in their command line or work in it (postgres and
// redis-server chdir to their data folder): what a private service left behind, if anything.
inline std::set<pid_t> processes_naming(const std::string& folder) {
    std::set<pid_t> found;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string cmdline = lab::read_proc_file(entry.path() / "cmdline");
        std::error_code ec;
        std::string cwd = std::filesystem::read_symlink(entry.path() / "cwd", ec).string();
        if (cmdline.find(folder) != std::string::npos || cwd.rfind(folder, 0) == 0)
            found.insert(std::stoi(name));
    }
    return found;
}

// Whether a client is connected to a port `pid` listens on: then whoever connected had read the
// port the server printed once ready. Read from /proc: the process's sockets, then the kernel's
// TCP tables (state 0A is LISTEN, 01 ESTABLISHED).
inline bool has_client(pid_t pid) {
    std::set<std::string> own;
    std::error_code ec;
    for (const auto& fd :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        std::string target = std::filesystem::read_symlink(fd.path(), ec).string();
        if (target.rfind("socket:[", 0) == 0) own.insert(target.substr(8, target.size() - 9));
    }
    struct Row {
        std::string port, state, inode;
    };
    std::vector<Row> rows;
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::istringstream lines(lab::read_proc_file(table));
        std::string line;
        std::getline(lines, line);  // the header
        while (std::getline(lines, line)) {
            std::istringstream f(line);
            std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
            if (!(f >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
                  timeout >> inode))
                continue;
            rows.push_back({local.substr(local.rfind(':') + 1), state, inode});
        }
    }
    std::set<std::string> listening;
    for (const auto& r : rows)
        if (r.state == "0A" && own.count(r.inode)) listening.insert(r.port);
    for (const auto& r : rows)
        if (r.state == "01" && listening.count(r.port)) return true;
    return false;
}

}  // namespace test
