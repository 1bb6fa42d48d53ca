#pragma once
// How `lab doctor` shows what it found: a table a route a row (verdict, the loop held per request,
// where, the bystander's worst wait), each culprit's lesson and fix, the mixed phase, and the
// routes it did not call with why; as a terminal table, Markdown (a CI summary) or JSON.
#include <iosfwd>

#include <nlohmann/json.hpp>

#include "lab/layout.hpp"
#include "lab/doctor/run.hpp"

namespace lab {

// The routes and the request each would get (`lab doctor --list`).
void print_doctor_plan(std::ostream& out, const DoctorRun& run, const Layout& layout,
                       bool markdown);

void print_doctor(std::ostream& out, const DoctorRun& run, const Layout& layout, bool markdown);

nlohmann::json doctor_json(const DoctorRun& run);
// A row a route: its request, verdict, owner, fix and the loop's figures (doctor_json's, flat).
void print_doctor_csv(std::ostream& out, const DoctorRun& run);

// Why a route was not judged: "not sent: POST: only GET and HEAD unless --methods POST", or "not
// judged: answered 500 ...".
std::string why_not_judged(const RouteRun& r);

// A figure in ms with one decimal, "—" when unknown (-1).
std::string number_text(double ms);

// --ramp's table, a row a ramped route: where it bends, why, its ceiling model / measured, its
// median latency alone and at the knee (the terminal's and the page's).
std::vector<Column> capacity_columns(const DoctorRun& run);

// The judged routes in the order every output shows them: what to fix first, the culprits by the
// loop time their burst took from the others (without the probe: by the bystander's worst wait),
// most first, then the rest in the app's order.
std::vector<const RouteRun*> culprits_first(const DoctorRun& run);

// How many judged routes held the loop `hold_ms` or longer in one go (the doctor's exit 1).
int routes_over(const DoctorRun& run);
// How many routes got a verdict (not "not judged", not "disturbed"): none, and the doctor measured
// nothing a CI gate could pass on (its exit 3).
int routes_judged(const DoctorRun& run);
bool has_verdict(const RouteRun& r);  // its warm-up answered, and so did its burst
// How many routes the doctor sent (not skipped) answered 5xx or nothing, so were not judged: a CI
// gate must not pass on them (exit 3, unless a route held the loop: exit 1).
int routes_failed(const DoctorRun& run);

}  // namespace lab
