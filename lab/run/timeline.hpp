#pragma once
// The picture the documents draw by hand, drawn from measurements: one row per request, time
// running right, the wait for the server apart from the time being served.
#include <string>

#include "lab/run/runner.hpp"

namespace lab {

std::string timeline(const ConfigurationResult& result, const Load& load, int columns = 60);

}  // namespace lab
