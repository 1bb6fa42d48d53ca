#pragma once
// report.html's first part for a `lab doctor` run: a row a route (its verdict, with the line and
// the fix), then every route at once on one timeline, coloured by route, with the loop's own row
// showing which route's code held it and when (a culprit's holds outlined).
#include <string>
#include <vector>

#include <kainjow/mustache.hpp>

#include "lab/run/run_result.hpp"

namespace lab {

// The mixed row's routes as its requests' `endpoint` numbers them ("GET /price/1"): the doctor's
// mix (load.path, then more_paths); empty for any other row or run.
std::vector<std::string> mixed_route_names(const RunResult& run, const ConfigurationResult& r);

kainjow::mustache::data doctor_page(const RunResult& run);

}  // namespace lab
