#pragma once
// A `lab doctor` run's report.html: a row a route (its verdict, with the line and the fix), the
// culprits first; every route at once on one timeline, coloured by route, with the loop's own row
// showing whose code held it and when (a culprit's holds outlined); then each route's burst alone,
// on one time axis, so a staircase and a wall compare by width.
#include <string>

#include "lab/doctor/run.hpp"

namespace lab {

std::string doctor_html(const DoctorRun& run);

}  // namespace lab
