#pragma once
// A recorded batch as the live page's events (`lab replay`): what BatchDrawing would have
// published had the page watched it, in the order it happened, each with its moment on the
// batch's axis ("t", seconds), so that the page can hand them on at true relative times.
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/load_generator.hpp"

namespace lab {

// The events of configuration `c`'s batch (one of `batches`), from its "configuration" and
// "batch" to its final count: each request sent, begun and ended by the server, answered; the
// bystander's answers.
std::vector<nlohmann::json> replayed_batch(const Batch& batch, int c, int batches);

}  // namespace lab
