#include "lab/doctor/folder.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include "lab/doctor/judge.hpp"
#include "lab/bounded_json.hpp"
#include "lab/results/reader.hpp"

namespace lab {

// The schema: each part of a doctor's run, its keys named once for both ways. A key a file
// lacks keeps the type's default (a folder written before the key existed still reads).

void to_json(nlohmann::json& j, ErrorKind kind) { j = to_string(kind); }
void from_json(const nlohmann::json& j, ErrorKind& kind) {
    auto kind_named = named<ErrorKind>(j.get<std::string>());
    if (!kind_named) throw nlohmann::json::type_error::create(302, "not an error kind", &j);
    kind = *kind_named;
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RequestRecord, batch, index, connection, endpoint,
                                                intended_us, connect_us, send_us, first_byte_us,
                                                end_us, status, bytes, worker_pid, thread_id,
                                                server_start_us, server_end_us, error)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Batch, number, requests, probes, cut_off,
                                                connect_failure)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RouteParam, name, in, type, required, fallback)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AppRoute, method, path, endpoint, kind, is_async,
                                                params, has_body, body_required, body_schema)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PlannedRequest, route, target, body, headers,
                                                skipped)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(WarmUp, took_ms, loop_ms, pool_cpu_ms,
                                                longest_hold_ms, where)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RampStep, in_flight, answered, failed, p50_ms,
                                                mean_ms, throughput_rps, counted)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RouteRun, request, warm, warm_status, warm_said,
                                                burst, records, probed, bystander_alone_ms, ramp,
                                                repeats)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MixedRun, batch, routes, records)

// (server.log keeps the app's log; the mixed phase is there when it ran)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DoctorRun, app, app_spec, app_dir, probed,
                                                bystander, bystander_alone_ms, hold_ms, requests,
                                                max_in_flight, routes, run_s, estimate_s, died)

nlohmann::json stored_doctor_json(const DoctorRun& run) {
    nlohmann::json j = run;
    if (run.mixed) j["mixed"] = *run.mixed;
    return j;
}

// Every number a doctor.json holds is a time, a count or a share the lab wrote: an integer of at
// most 1e15 (µs stamps), a fraction finite and of at most 2e9 (one read into an int past that is
// undefined), or nlohmann's out_of_range, which knows the number's path (keyed_reason below).
void check_numbers(const nlohmann::json& j) {
    for (const nlohmann::json& v : j)  // (an object's values, an array's items)
        if (v.is_structured()) check_numbers(v);
        else if (v.is_number() &&
                 !(std::abs(v.get<double>()) <= (v.is_number_float() ? 2e9 : 1e15)))
            throw nlohmann::json::out_of_range::create(
                406,
                "a number the lab writes (an integer of at most 1e15, a fraction of at most 2e9), "
                "not " +
                    v.dump(),
                &v);
}

// nlohmann's "[json.exception.type_error.302] (/routes/0/warm/took_ms) type must be number, ..."
// (its path: JSON_DIAGNOSTICS) as summary.json's reader words it: "routes[0].warm.took_ms: type..."
std::string keyed_reason(std::string what) {
    if (const auto at = what.find("] "); at != std::string::npos) what.erase(0, at + 2);
    if (!what.starts_with("(/")) return what;
    std::string key;
    std::istringstream parts(what.substr(2, what.find(") ") - 2));
    for (std::string part; std::getline(parts, part, '/');)
        key += part.find_first_not_of("0123456789") == std::string::npos ? "[" + part + "]"
                                                                         : "." + part;
    return key.substr(key.starts_with('.')) + ": " + what.substr(what.find(") ") + 2);
}

DoctorRun doctor_from_json(const nlohmann::json& j) try {
    // Each ramp's steps bounded first, walked in place (not copied) so that a value's path is whole
    static const nlohmann::json none = nlohmann::json::array();
    auto list = [](const nlohmann::json& in, const char* key) -> const nlohmann::json& {
        const auto it = in.find(key);  // (end() for anything but an object)
        return it != in.end() && it->is_array() ? *it : none;
    };
    for (const auto& route : list(j, "routes"))
        for (const auto& step : list(route, "ramp")) check_step_fields(step, "a ramp's step");
    check_numbers(j);
    if (const int n = j.value("requests", default_burst); n < 1 || n > max_doctor_burst)
        throw std::invalid_argument("requests: a burst of 1 to " +
                                    std::to_string(max_doctor_burst) + ", not " +
                                    std::to_string(n));
    DoctorRun run = j.get<DoctorRun>();
    if (j.contains("mixed")) run.mixed = j["mixed"].get<MixedRun>();
    return run;
} catch (const nlohmann::json::exception& e) {  // a wrong type or number, named by its path
    throw std::invalid_argument(keyed_reason(e.what()));
}

std::filesystem::path write_doctor_folder(const DoctorRun& run,
                                          const std::filesystem::path& out_root,
                                          const std::vector<RenderedFile>& rendered) {
    return write_run_folder(out_root, doctor_folder_name, [&](const std::string& stamp) {
        nlohmann::json stored = stored_doctor_json(run);
        stored["created_utc"] = stamp;
        std::vector<RenderedFile> files{
            {doctor_file,
             stored.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"},
            {"server.log", run.server_log}};
        files.insert(files.end(), rendered.begin(), rendered.end());
        return files;
    });
}

bool is_doctor_folder(const std::filesystem::path& dir) {
    return std::filesystem::exists(dir / doctor_file);
}

DoctorRun read_doctor_folder(const std::filesystem::path& dir) {
    const std::filesystem::path file = dir / doctor_file;
    std::ifstream in =
        open_results_file(file, max_doctor_json_bytes, "at most 200 requests a burst, 1000 routes");
    bool too_deep = false;
    const nlohmann::json json = parse_bounded_json(in, &too_deep);
    if (json.is_discarded())
        throw ResultsError(file.string() + (too_deep ? ": nested deeper than the lab reads (a "
                                                       "doctor's run nests a few levels)"
                                                     : ": not valid JSON"));
    DoctorRun run;
    try {
        run = doctor_from_json(json);
    } catch (const std::exception& e) {  // (each names the key, as doctor_from_json words it)
        throw ResultsError(file.string() + ": " + e.what());
    }
    judge_routes(run);  // (server.log stays in the folder: the doctor's outputs never read it)
    return run;
}

}  // namespace lab
