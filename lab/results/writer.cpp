#include "lab/results/writer.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <boost/version.hpp>
#include <sys/utsname.h>
#include <csignal>
#include <unistd.h>

#include "lab/clock.hpp"
#include "lab/report/html_report.hpp"
#include "lab/report/report.hpp"

namespace lab {
namespace fs = std::filesystem;

namespace {

std::string blank_if_absent(std::int64_t v) { return v < 0 ? "" : std::to_string(v); }

nlohmann::json machine() {
    utsname u{};
    uname(&u);
    return {{"system", u.sysname}, {"release", u.release}, {"machine", u.machine},
            {"cores", sysconf(_SC_NPROCESSORS_ONLN)}, {"lab_version", LAB_VERSION},
            {"compiler", __VERSION__}, {"boost", BOOST_LIB_VERSION}};
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
    csv << "configuration,mode,batch,kind,index,connection,intended_us,connect_us,send_us,first_byte_us,"
           "end_us,latency_us,status,bytes,worker_pid,thread_id,server_start_us,server_end_us,error\n";
    auto row = [&](const ConfigurationResult& c, const RequestRecord& r, const char* kind) {
                csv << csv_field(c.configuration.label) << ',' << c.configuration.mode << ',' << r.batch
                    << ',' << kind << ',' << r.index << ',' << r.connection << ',' << r.intended_us << ','
                    << blank_if_absent(r.connect_us) << ',' << blank_if_absent(r.send_us) << ','
                    << blank_if_absent(r.first_byte_us) << ',' << blank_if_absent(r.end_us) << ','
                    << (r.end_us >= 0 ? std::to_string(r.latency_us()) : "") << ',' << r.status << ','
                    << r.bytes << ',' << blank_if_absent(r.worker_pid) << ','
                    << blank_if_absent(r.thread_id) << ',' << blank_if_absent(r.server_start_us) << ','
                    << blank_if_absent(r.server_end_us) << ',' << to_string(r.error) << '\n';
    };
    for (const auto& c : run.configurations)
        for (const auto& b : c.batches) {
            for (const auto& r : b.requests) row(c, r, "request");
            for (const auto& r : b.probes) row(c, r, "probe");
        }
    return csv.str();
}

fs::path write_results(const RunResult& run, const fs::path& out_root) {
    fs::path parent = out_root / run.scenario.name;
    fs::create_directories(parent);
    // A run killed while writing leaves its hidden ".STAMP.partial-PID" folder: clear those away.
    for (const auto& entry : fs::directory_iterator(parent)) {
        std::string name = entry.path().filename().string();
        auto at = name.rfind(".partial-");
        if (name.front() == '.' && at != std::string::npos && kill(std::stoi(name.substr(at + 9)), 0) != 0)
            fs::remove_all(entry.path());
    }
    std::string stamp = utc_folder_stamp();
    fs::path temporary = parent / ("." + stamp + ".partial-" + std::to_string(getpid()));
    fs::create_directory(temporary);

    nlohmann::json summary = summary_json(run);
    summary["created_utc"] = stamp;
    summary["machine"] = machine();
    write_file(temporary / "requests.csv", requests_csv(run));
    write_file(temporary / "summary.json", summary.dump(2) + "\n");
    std::string logs;
    for (const auto& c : run.configurations)
        logs += "== " + c.configuration.label + " (" + c.configuration.mode + ")\n" + c.server_log +
                (c.server_log.empty() ? "" : "\n");
    write_file(temporary / "server.log", logs);
    write_file(temporary / "report.html", html_report(run));

    // rename(2) onto an existing non-empty folder fails, so a taken name is never overwritten.
    for (int n = 1;; ++n) {
        fs::path final_dir = parent / (n == 1 ? stamp : stamp + "-" + std::to_string(n));
        std::error_code ec;
        if (!fs::exists(final_dir)) {
            fs::rename(temporary, final_dir, ec);
            if (!ec) return final_dir;
        }
        if (n > 100) throw std::runtime_error("cannot name a results folder under " + parent.string());
    }
}

}  // namespace lab
