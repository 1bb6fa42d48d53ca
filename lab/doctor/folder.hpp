#pragma once
// A `lab doctor` run's folder, results/doctor/<UTC time>/: doctor.json (the run as the doctor
// keeps it: the app, each route's planned request, its warm-up, its burst's requests and the
// probe's record of each, the mixed phase), server.log (what the app wrote) and report.html.
// Written and read through the one schema below (doctor_folder.cpp); the routes are judged when
// read back, by the same judge as when the run ended (lab/doctor/judge.hpp).
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "lab/doctor/run.hpp"
#include "lab/results/writer.hpp"

namespace lab {

inline constexpr const char* doctor_folder_name = "doctor";  // its runs go in results/doctor/
inline constexpr const char* doctor_file = "doctor.json";
inline constexpr std::uintmax_t max_doctor_json_bytes = std::uintmax_t{256} << 20;

nlohmann::json stored_doctor_json(const DoctorRun& run);
DoctorRun doctor_from_json(const nlohmann::json& stored);  // throws invalid_argument, the key named

std::filesystem::path write_doctor_folder(const DoctorRun& run,
                                          const std::filesystem::path& out_root,
                                          const std::vector<RenderedFile>& rendered);
// Throws ResultsError (reader.hpp) naming the file and what is wrong with it.
DoctorRun read_doctor_folder(const std::filesystem::path& dir);
bool is_doctor_folder(const std::filesystem::path& dir);

}  // namespace lab
