#pragma once
// The physical floor: the fastest any server could answer a lesson's load. A document's figure
// below it cannot have been measured as described (the table marks it with a †).
#include <string>

#include "lab/scenario/scenario.hpp"

namespace lab {

// Every request waits d, and a client holding C connections needs ceil(N/C) rounds; CPU work
// also cannot beat N·c spread over every core.
double physical_floor_s(const Load& load, int cores);
// Which of those sets the floor, in words: the client's rounds, the wait itself, or the cores.
std::string physical_floor_reason(const Load& load, int cores);
bool document_below_floor(const Configuration& c, const Load& load, int cores);

}  // namespace lab
