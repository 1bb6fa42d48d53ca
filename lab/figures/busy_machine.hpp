#pragma once
// A busy machine is not a false text. A row that computes needs the cores its model counts on;
// when other processes took part of them during its batches, the row ran slower than the lesson
// says for a reason the lesson does not speak of. Its slower figures are then not judged (the
// claim is marked so, with how much was taken), never marked ✗; `lab check` runs it once more.
// A row that only waits needs no core for its wait, and is judged whatever the machine does (but
// a student's app's own Python: lab/report/claims.cpp).
#include <optional>
#include <string>

#include "lab/run/run_result.hpp"

namespace lab {

// Others using a fifth of a core or more: on a quiet machine they take a few hundredths (the
// kernel's threads, a shell's prompt), a browser tab playing a video takes a tenth to a half.
constexpr double others_disturb_from_cores = 0.2;

struct Disturbance {
    int batch = 0;  // the batch others took the most from
    double cores = 0;  // how many cores they used on average during it
    // "other processes used 0.4 of a core during batch 3"
    std::string said() const;
};

// The batch of `r` others took the most from, if they took at least others_disturb_from_cores.
std::optional<Disturbance> busiest_batch(const ConfigurationResult& r);
// Whether `r` needs the machine's cores (it computes, on a server the lab started) and others
// took at least others_disturb_from_cores during one of its batches; the worst such batch.
std::optional<Disturbance> disturbance(const ConfigurationResult& r);

}  // namespace lab
