#include "lab/results/writer.hpp"

#include <cerrno>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <boost/version.hpp>
#include <sys/utsname.h>
#include <csignal>
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
    return {{"system", u.sysname}, {"release", u.release}, {"machine", u.machine},
            {"cores", sysconf(_SC_NPROCESSORS_ONLN)}, {"idle_cpus_kept_awake", run.cpus_kept_awake},
            {"lab_version", LAB_VERSION}, {"compiler", __VERSION__}, {"boost", BOOST_LIB_VERSION}};
}

void write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

void replace_file(const fs::path& path, const std::string& text) {
    fs::path temporary = path;
    temporary += ".partial-" + std::to_string(getpid());
    write_file(temporary, text);
    fs::rename(temporary, path);
}

std::string requests_csv(const RunResult& run) {
    std::ostringstream csv;
    csv << "configuration_index,configuration,mode,batch,kind,index,connection,intended_us,connect_us,send_us,"
           "first_byte_us,end_us,latency_us,status,bytes,worker_pid,thread_id,server_start_us,server_end_us,error,"
           "db_start_us,db_end_us,job_queued_us,done_us,endpoint\n";
    for (std::size_t i = 0; i < run.configurations.size(); ++i) {
        const ConfigurationResult& c = run.configurations[i];
        auto row = [&](const RequestRecord& r, const char* kind) {
            csv << i << ',' << csv_field(c.configuration.label) << ',' << csv_field(c.configuration.mode) << ','
                << r.batch << ',' << kind << ',' << r.index << ',' << r.connection << ',' << r.intended_us << ','
                << blank_if_absent(r.connect_us) << ',' << blank_if_absent(r.send_us) << ','
                << blank_if_absent(r.first_byte_us) << ',' << blank_if_absent(r.end_us) << ','
                << (r.end_us >= 0 ? std::to_string(r.latency_us()) : "") << ',' << r.status << ',' << r.bytes << ','
                << blank_if_absent(r.worker_pid) << ',' << blank_if_absent(r.thread_id) << ','
                << blank_if_absent(r.server_start_us) << ',' << blank_if_absent(r.server_end_us) << ','
                << to_string(r.error) << ',' << blank_if_absent(r.db_start_us) << ','
                << blank_if_absent(r.db_end_us) << ',' << blank_if_absent(r.job_queued_us) << ','
                << blank_if_absent(r.done_us) << ',' << r.endpoint << '\n';
        };
        for (const auto& b : c.batches) {
            for (const auto& r : b.requests) row(r, "request");
            for (const auto& r : b.probes) row(r, "probe");
        }
    }
    return csv.str();
}

namespace {

// The PID in a ".STAMP.partial-PID" name, if the name is one.
std::optional<pid_t> partial_owner(const std::string& name) {
    auto at = name.rfind(".partial-");
    if (name.empty() || name.front() != '.' || at == std::string::npos) return std::nullopt;
    std::string digits = name.substr(at + 9);
    pid_t pid = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || pid <= 0) return std::nullopt;
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

// Writes the run's files into `folder`.
void write_files(const RunResult& run, const fs::path& folder, const std::string& stamp, const std::vector<RenderedFile>& rendered) {
    nlohmann::json summary = summary_json(run);
    summary["created_utc"] = stamp;
    summary["machine"] = machine(run);
    write_file(folder / "requests.csv", requests_csv(run));
    // (Text that is not UTF-8, such as a binary body `lab load` sent, is kept with U+FFFD in its place.)
    write_file(folder / "summary.json", summary.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    std::string logs;
    for (const auto& c : run.configurations)
        logs += "== " + c.configuration.label + " (" + c.configuration.mode + ")\n" + c.server_log +
                (c.server_log.empty() ? "" : "\n");
    write_file(folder / "server.log", logs);
    for (const RenderedFile& file : rendered) write_file(folder / file.name, file.text);
}

}  // namespace

fs::path write_results(const RunResult& run, const fs::path& out_root, const std::vector<RenderedFile>& rendered) {
    fs::path parent = out_root / run.scenario.name;
    fs::create_directories(parent);
    clear_abandoned(parent);
    std::string stamp = utc_folder_stamp();
    fs::path temporary = parent / ("." + stamp + ".partial-" + std::to_string(getpid()));
    fs::create_directory(temporary);
    try {
        write_files(run, temporary, stamp, rendered);
    } catch (...) {  // e.g. a full disk: no half-written folder is left behind
        std::error_code ignored;
        fs::remove_all(temporary, ignored);
        throw;
    }

    // rename(2) onto an existing non-empty folder fails, so a taken name is never overwritten.
    for (int n = 1;; ++n) {
        fs::path final_dir = parent / (n == 1 ? stamp : stamp + "-" + std::to_string(n));
        std::error_code ec;
        if (!fs::exists(final_dir)) {
            fs::rename(temporary, final_dir, ec);
            if (!ec) return final_dir;
        }
        if (n > 100) {
            fs::remove_all(temporary, ec);
            throw std::runtime_error("cannot name a results folder under " + parent.string());
        }
    }
}

}  // namespace lab
