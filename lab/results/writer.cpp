#include "lab/results/writer.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <sstream>

#include <boost/version.hpp>
#include <sys/utsname.h>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

#include "lab/clock.hpp"
#include "lab/results/csv.hpp"
#include "lab/results/schema.hpp"

namespace lab {
namespace fs = std::filesystem;

namespace {

std::string blank_if_absent(std::int64_t v) { return v < 0 ? "" : std::to_string(v); }

nlohmann::json machine(const RunResult& run) {
    utsname u{};
    uname(&u);
    return {{"system", u.sysname},
            {"release", u.release},
            {"machine", u.machine},
            {"cores", sysconf(_SC_NPROCESSORS_ONLN)},
            {"idle_cpus_kept_awake", run.cpus_kept_awake},
            {"lab_version", LAB_VERSION},
            {"compiler", __VERSION__},
            {"boost", BOOST_LIB_VERSION}};
}

// "cannot write PATH: No space left on device": what failed, and the system's reason.
std::runtime_error write_failed(const fs::path& path, int error) {
    return std::runtime_error("cannot write " + path.string() + ": " + std::strerror(error));
}

// Writes `text` as a new file: never over one, never through a link (O_EXCL; O_NOFOLLOW); whole,
// or not at all (a failed write, e.g. on a full disk, removes what it wrote).
void write_file(const fs::path& path, const std::string& text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) throw write_failed(path, errno);
    std::size_t done = 0;
    int error = 0;
    while (done < text.size() && error == 0) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n > 0) done += static_cast<std::size_t>(n);
        else if (n < 0 && errno != EINTR) error = errno;
    }
    if (::close(fd) != 0 && error == 0) error = errno;  // (some report a full disk only here)
    if (error == 0) return;
    ::unlink(path.c_str());
    throw write_failed(path, error);
}

// The hidden name a file is written under before it is renamed into place: ".NAME.partial-PID".
fs::path partial_name(const fs::path& path) {
    return path.parent_path() /
           ("." + path.filename().string() + ".partial-" + std::to_string(getpid()));
}

// Renames `from` to `to` unless `to` exists (a file, a folder or a link, even a dangling one);
// the errno of the failure, or 0. (A file system without RENAME_NOREPLACE gets link(2), which
// refuses a taken name as well.)
int rename_unless_taken(const fs::path& from, const fs::path& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS) return errno;
    if (::link(from.c_str(), to.c_str()) != 0) return errno;
    ::unlink(from.c_str());
    return 0;
}

// The PID in a ".STAMP.partial-PID" name, if the name is one.
std::optional<pid_t> partial_owner(const std::string& name) {
    auto at = name.rfind(".partial-");
    if (name.empty() || name.front() != '.' || at == std::string::npos) return std::nullopt;
    std::string digits = name.substr(at + 9);
    pid_t pid = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || pid <= 0)
        return std::nullopt;
    return pid;
}

// A run killed while writing leaves its hidden ".STAMP.partial-PID" folder: clear those of runs
// that are gone. Anything else hidden there is not ours, and is left alone.
void clear_abandoned(const fs::path& parent) {
    for (const auto& entry : fs::directory_iterator(parent)) {
        auto owner = partial_owner(entry.path().filename().string());
        if (owner && *owner != getpid() && kill(*owner, 0) != 0 && errno == ESRCH) {
            std::error_code ignored;
            fs::remove_all(entry.path(), ignored);
        }
    }
}

}  // namespace

void replace_file(const fs::path& path, const std::string& text) {
    fs::path temporary = partial_name(path);
    ::unlink(temporary.c_str());  // an earlier process of the same PID's, if any: ours by its name
    write_file(temporary, text);
    std::error_code ec;
    fs::rename(temporary, path, ec);
    if (!ec) return;
    ::unlink(temporary.c_str());
    throw std::runtime_error("cannot write " + path.string() + ": " + ec.message());
}

void write_new_files(const fs::path& folder, const std::vector<RenderedFile>& files) {
    std::error_code ec;
    for (const RenderedFile& file : files)
        if (fs::exists(fs::symlink_status(folder / file.name, ec)))
            throw NameTaken(folder / file.name);
    std::vector<fs::path> written, placed;
    auto undo = [&] {
        for (const fs::path& p : written) ::unlink(p.c_str());
        for (const fs::path& p : placed) ::unlink(p.c_str());
    };
    try {  // every file whole under its hidden name first: a full disk stops it here
        for (const RenderedFile& file : files) {
            written.push_back(partial_name(folder / file.name));
            ::unlink(written.back().c_str());
            write_file(written.back(), file.text);
        }
    } catch (...) {
        undo();
        throw;
    }
    for (std::size_t k = 0; k < files.size();
         ++k) {  // then each into place (one made meanwhile stops it)
        fs::path final_path = folder / files[k].name;
        if (int error = rename_unless_taken(written[k], final_path); error != 0) {
            undo();
            if (error == EEXIST) throw NameTaken(final_path);
            throw write_failed(final_path, error);
        }
        placed.push_back(final_path);
    }
}

std::string requests_csv(const RunResult& run) {
    std::ostringstream csv;
    csv << "configuration_index,configuration,mode,batch,kind,index,connection,intended_us,connect_"
           "us,send_us,first_byte_us,end_us,latency_us,status,bytes,worker_pid,thread_id,server_"
           "start_us,server_end_us,error,db_start_us,db_end_us,job_queued_us,done_us,endpoint,"
           "token_wait_us,connection_wait_us\n";
    for (std::size_t i = 0; i < run.configurations.size(); ++i) {
        const ConfigurationResult& c = run.configurations[i];
        auto row = [&](const RequestRecord& r, const char* kind) {
            csv << i << ',' << csv_field(c.configuration.label) << ','
                << csv_field(c.configuration.mode) << ',' << r.batch << ',' << kind << ','
                << r.index << ',' << r.connection << ',' << r.intended_us << ','
                << blank_if_absent(r.connect_us) << ',' << blank_if_absent(r.send_us) << ','
                << blank_if_absent(r.first_byte_us) << ',' << blank_if_absent(r.end_us) << ','
                << (r.end_us >= 0 ? std::to_string(r.latency_us()) : "") << ',' << r.status << ','
                << r.bytes << ',' << blank_if_absent(r.worker_pid) << ','
                << blank_if_absent(r.thread_id) << ',' << blank_if_absent(r.server_start_us) << ','
                << blank_if_absent(r.server_end_us) << ',' << to_string(r.error) << ','
                << blank_if_absent(r.db_start_us) << ',' << blank_if_absent(r.db_end_us) << ','
                << blank_if_absent(r.job_queued_us) << ',' << blank_if_absent(r.done_us) << ','
                << r.endpoint << ',' << blank_if_absent(r.token_wait_us) << ','
                << blank_if_absent(r.connection_wait_us) << '\n';
        };
        for (const auto& b : c.batches) {
            for (const auto& r : b.requests) row(r, "request");
            for (const auto& r : b.probes) row(r, "probe");
        }
    }
    return csv.str();
}

void check_results_writable(const fs::path& out_root, const std::string& scenario_name) {
    fs::path parent = out_root / scenario_name;
    fs::path trial = partial_name(parent / "writable");  // (cleared as any abandoned one)
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (!ec) fs::create_directory(trial, ec);
    if (!ec) {
        fs::remove(trial, ec);
        return;
    }
    bool file_in_the_way = ec == std::errc::file_exists || ec == std::errc::not_a_directory;
    throw ResultsUnwritable(
        "cannot write results in " + out_root.string() + ": " +
        (file_in_the_way ? "a file is in the way (not a folder)" : ec.message()));
}

fs::path write_run_folder(
    const fs::path& out_root, const std::string& name,
    const std::function<std::vector<RenderedFile>(const std::string&)>& files) {
    fs::path parent = out_root / name;
    fs::create_directories(parent);
    clear_abandoned(parent);
    std::string stamp = utc_folder_stamp();
    fs::path temporary = partial_name(parent / stamp);
    fs::create_directory(temporary);
    try {
        for (const RenderedFile& file : files(stamp)) write_file(temporary / file.name, file.text);
    } catch (...) {  // e.g. a full disk: no half-written folder is left behind
        std::error_code ignored;
        fs::remove_all(temporary, ignored);
        throw;
    }

    // rename(2) onto an existing non-empty folder fails, so a taken name is never overwritten.
    // A second's later runs are T-002, T-003…: three digits, so names sort as the runs were made.
    for (int n = 1;; ++n) {
        auto named = parent / (n == 1 ? stamp : stamp + "-" + std::to_string(1000 + n).substr(1));
        std::error_code ec;
        if (!fs::exists(named)) {
            fs::rename(temporary, named, ec);
            if (!ec) return named;
        }
        if (n > 100) {
            fs::remove_all(temporary, ec);
            throw std::runtime_error("cannot name a results folder under " + parent.string());
        }
    }
}

fs::path write_results(const RunResult& run, const fs::path& out_root,
                       const std::vector<RenderedFile>& rendered) {
    return write_run_folder(out_root, run.scenario.name, [&](const std::string& stamp) {
        // The run's own files (its requests, its summary and its servers' logs), then `rendered`.
        nlohmann::json summary = summary_json(run);
        summary["created_utc"] = stamp;
        summary["machine"] = machine(run);
        std::string logs;
        for (const auto& c : run.configurations)
            logs += "== " + c.configuration.label + " (" + c.configuration.mode + ")\n" +
                    c.server_log + (c.server_log.empty() ? "" : "\n");
        // (Text not UTF-8, such as a binary body `lab load` sent, is kept with U+FFFD instead.)
        std::vector<RenderedFile> files{
            {"requests.csv", requests_csv(run)},
            {"summary.json",
             summary.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"},
            {"server.log", logs}};
        files.insert(files.end(), rendered.begin(), rendered.end());
        return files;
    });
}

}  // namespace lab
