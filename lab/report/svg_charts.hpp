#pragma once
// The pictures of report.html, as inline SVG, each with its legend: one entry for every colour it
// uses. Text in them passes through escape(), the page's one way from text to HTML.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "lab/report/svg_writer.hpp"
#include "lab/report/timeline.hpp"
#include "lab/run/run_result.hpp"

namespace lab {

// A sweep's curves (lab/report/sweep_curves.hpp): a chart per figure, a line per configuration
// and its model's dashed beside it, all on one pair of axes.
void sweep_svg(std::ostream& out, const RunResult& run);

struct CurveChart;  // (sweep_curves.hpp)
// One chart of curves against a value the lab stepped (a sweep's option, a ramp's requests in
// flight), as a section: its title, its legend (a colour a curve), `note`, then the chart, a tick
// at each of `ticks` (ascending; a point between two is placed on their scale).
void curves_section(std::ostream& out, const CurveChart& chart, const std::vector<int>& ticks,
                    const std::string& symbol, const std::string& note);

// The key figure (scenario.key_figure): bars on one scale, latency over an open loop's run, or a
// `lab load`'s latency histogram.
void key_figure_svg(std::ostream& out, const RunResult& run);

// A `lab load`'s answers as a latency histogram, p50 and p99 marked (svg_load.cpp).
void load_histogram_svg(std::ostream& out, const RunResult& run);

// Measured, model and document side by side, one group of bars per configuration.
void comparison_svg(std::ostream& out, const RunResult& run);

// One batch as a timeline draws it: the server that answered it (its label, whether it queues, its
// processes, busiest first), its requests, and the loop's holds a probe saw (`lab doctor`'s).
struct DrawnBatch {
    const Configuration& configuration;
    const Batch& batch;
    std::vector<LoopHold> holds = {};
    std::vector<std::int64_t> workers = {};
};
// A configuration's median batch, as a lesson's page draws it.
DrawnBatch median_batch_drawn(const ConfigurationResult& r);

// A batch on the time axis 0..axis_us, as HTML: its legend, then its picture. `zoomed` marks a view
// on the batch's own span, which the page labels as such. At most `most_rows` requests, an even
// sample of a bigger batch; `css_class` "timeline" (what the page's checks measure) or another for
// a drawing kept folded. With `probe_path`, the bystander's requests sent meanwhile are drawn too,
// in a colour of their own. With `routes` (a mix's targets, named), each request is coloured by its
// route; the holds of the loop are drawn on a row of their own, "loop", above the requests.
std::string timeline_svg(const DrawnBatch& drawn, std::int64_t axis_us, bool zoomed,
                         std::size_t most_rows = 200, const char* css_class = "timeline",
                         const std::string& probe_path = "",
                         const std::vector<std::string>& routes = {});

}  // namespace lab
