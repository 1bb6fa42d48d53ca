// What `lab run` prints of a lesson on a terminal of 100 columns (a projector's usual), by the
// code path of `COLUMNS=100 lab run LESSON` (print_report), for every shipped lesson, with the
// class's guesses, a student's app and a running server as rows: no column of the table is ever
// lost, every line fits; and the timelines explain the headline's worst wait. Made-up runs
// (tests/made_up_run.hpp): the report's shapes, not real figures.
#include <catch2/catch.hpp>

#include <sstream>

#include "lab/report/html_report.hpp"
#include "harness/answers.hpp"
#include "lab/report/report.hpp"
#include "lab/report/svg_charts.hpp"
#include "lab/report/timeline.hpp"
#include "lab/run/your_app.hpp"
#include "made_up_run.hpp"
#include "support.hpp"

namespace {

// Whether `header` is on the page: whole, or (a wrapping column's) word by word.
bool shown(const std::string& table, const lab::Column& column) {
    const std::string& header = column.narrow_header.empty() ? column.header : column.narrow_header;
    if (table.find(header) != std::string::npos || table.find(column.header) != std::string::npos)
        return true;
    if (!column.wraps) return false;
    std::istringstream words(header);
    for (std::string word; words >> word;)
        if (table.find(word) == std::string::npos) return false;
    return true;
}

// What `lab run` prints of `run` at `columns`, and a check that every column of its table is there.
std::string printed_whole(const lab::RunResult& run, int columns) {
    std::ostringstream out;
    lab::print_report(out, run, lab::TextStyle::terminal, lab::Layout{columns, false, false});
    const std::string text = out.str();
    INFO(run.scenario.name << " at " << columns << " columns:\n" << text);
    CHECK(test::longest_line(text) <= static_cast<std::size_t>(columns));
    for (const lab::Column& column : lab::table_columns(run)) {
        INFO("column " << column.header);
        CHECK(shown(text, column));
    }
    if (!lab::below_floor_note(run).empty()) {  // the † points at a figure that is on the page
        const std::string table = text.substr(0, text.find("† below the physical floor"));
        CHECK(table.find(" †") != std::string::npos);
    }
    return text;
}

}  // namespace

// Issue 40: at 100 columns `lab run experiment-log` dropped its `doc` and `loop blocked` columns
// (the † footnote then pointed at nothing).
TEST_CASE("lab run experiment-log at 100 columns shows the documents' figure and the loop blocked",
          "[unit]") {
    for (const lab::Scenario& s : test::shipped()) {
        if (s.name != "experiment-log") continue;
        std::string text = printed_whole(test::made_up_run(s), 100);
        INFO(text);
        CHECK(text.find("doc") != std::string::npos);
        CHECK(text.find("~1.1 s") != std::string::npos);
        CHECK(text.find("loop blocked") != std::string::npos);
    }
}

TEST_CASE(
    "every lesson's table keeps every column at 100 and 80 columns, with guesses, an app or a "
    "target",
    "[unit][tables]") {  // [tables]: ctest's unit-tables, beside the rest of unit
    lab::AppSpec app{"/tmp/main.py:app", "/tmp", "", "main.py"};
    for (const lab::Scenario& s : test::shipped()) {
        for (int columns : {100, 80}) {
            printed_whole(test::made_up_run(s), columns);
            if (s.sweep) continue;  // (--app, --target and --predict take one value of each option)
            lab::Scenario guessed = s;
            for (std::size_t k = 0; k < guessed.configurations.size(); ++k) {
                guessed.configurations[k].guess = 0.5 + static_cast<double>(k);
                guessed.configurations[k].room_guesses = {0.25, 1.5};
            }
            printed_whole(test::made_up_run(guessed), columns);
            printed_whole(test::made_up_run(lab::with_app(s, app)), columns);
            printed_whole(test::made_up_run(lab::with_target(s, "127.0.0.1", 8080, "/")), columns);
        }
    }
}

// Issue 40: gil-convoy's headline "worst 238.5 ms" came from a batch its timeline did not draw,
// and the timeline's ten probe rows need not hold even the drawn batch's worst.
TEST_CASE(
    "a timeline says which batch held the bystander's worst wait, and draws its own batch's worst",
    "[unit]") {
    lab::Scenario s;
    for (const lab::Scenario& shipped : test::shipped())
        if (shipped.name == "gil-convoy") s = shipped;
    REQUIRE(s.load.repeat == 5);
    lab::RunResult run = test::made_up_run(s);
    lab::ConfigurationResult& r = run.configurations[0];
    REQUIRE(r.median_batch == 2);
    for (int p = 3; p < 30; ++p) {  // the median batch: 30 probes, the 20th the slowest (ten spread
                                    // evenly would miss it)
        lab::RequestRecord q = r.batches[2].probes[0];
        q.index = p;
        q.intended_us = q.send_us = 1'000 + 1'000 * p;
        q.end_us = q.send_us + (p == 19 ? 9'000 : 700);
        r.batches[2].probes.push_back(q);
    }
    lab::measure_figures(run);  // (as a run measures its batches once they are in)
    lab::TimelineRows rows = lab::timeline_rows(r.batches[2], 40, lab::bystanders_drawn);
    CHECK(std::any_of(rows.rows.begin(), rows.rows.end(), [](const lab::TimelineRow& row) {
        return row.bystander && row.record->index == 19;
    }));
    CHECK(lab::worst_probe_note(r, s.load).empty());  // the run's worst is in the batch drawn

    r.batches[4].probes[1].end_us =
        r.batches[4].probes[1].send_us + 238'500;  // batch 5 holds the run's worst
    lab::measure_figures(run);
    const std::string note = lab::worst_probe_note(r, s.load);
    CHECK(note.find("238.5 ms") != std::string::npos);
    CHECK(note.find("batch 5") != std::string::npos);
    std::ostringstream out;
    lab::print_report(out, run, lab::TextStyle::terminal, lab::Layout{100, false, false});
    CHECK(out.str().find("came in batch 5, not drawn") != std::string::npos);
    CHECK(lab::html_report(run).find("came in batch 5, not drawn") != std::string::npos);
}

// Issue 57: a probed app's request that waited for a thread token, or for a pool's connection,
// says so in its answer's head; requests.csv keeps it (round_trip_test), and its timeline bar
// shows each wait in a colour of its own, with the legend's words for it.
TEST_CASE("a probed app's waits for a thread and a connection are read and drawn", "[unit]") {
    lab::HeaderStamps stamps;
    for (auto [name, value] : {std::pair{"X-Lab-Start-Us", "1000"},
                               {"x-lab-end-us", "5000"},
                               {"x-lab-token-wait-us", "1500"},
                               {"x-lab-connection-wait-us", "700"}})
        CHECK(stamps.read(name, value));
    lab::RequestRecord r;
    stamps.apply(0, r);
    CHECK(r.token_wait_us == 1500);
    CHECK(r.connection_wait_us == 700);

    lab::Scenario s;
    for (lab::Scenario& shipped : test::shipped())
        if (shipped.name == "blocking-async") s = shipped;
    lab::RunResult run = test::made_up_run(s);
    const std::string svg =
        lab::timeline_svg(lab::median_batch_drawn(run.configurations[0]), 1'000'000, false);
    CHECK(svg.find("waiting for a thread (all of AnyIO's tokens lent)") != std::string::npos);
    CHECK(svg.find("waiting for a DB connection") != std::string::npos);
    CHECK(svg.find("class=\"bar wait\"") != std::string::npos);

    // The terminal's: each wait in a glyph of its own, from the start of the request's service,
    // and a legend line for each kind, in the same words.
    lab::ConfigurationResult& r0 = run.configurations[0];
    lab::RequestRecord& waited = r0.batches[r0.median_batch].requests[4];
    waited.token_wait_us = 30'000, waited.connection_wait_us = 20'000;  // of its 100 ms
    const std::string text = lab::timeline(r0, s.load, lab::Layout{}, 0);
    CHECK(text.find("▒ in service, waiting for a thread (all of AnyIO's tokens lent)\n") !=
          std::string::npos);
    CHECK(text.find("▚ in service, waiting for a DB connection (the pool's all out)\n") !=
          std::string::npos);
    const std::string row = text.substr(text.find("req   5  |"));
    CHECK(row.substr(0, row.find('\n')).find("▒▚") != std::string::npos);
    CHECK(row.substr(0, row.find('\n')).find("▚█") != std::string::npos);
}

TEST_CASE("a request served within its bar's one cell is drawn served, never waiting to its end",
          "[unit]") {
    lab::Scenario s;
    for (lab::Scenario& shipped : test::shipped())
        if (shipped.name == "blocking-async") s = shipped;
    lab::RunResult run = test::made_up_run(s);
    lab::ConfigurationResult& r0 = run.configurations[0];
    auto& requests = r0.batches[r0.median_batch].requests;
    std::int64_t t0 = requests[0].send_us;
    for (const auto& q : requests) t0 = std::min(t0, q.send_us);
    // 60 columns over 60 s: a second a cell; sent late in one, served (0.3 ms) in the next
    lab::RequestRecord& sliver = requests[4];
    sliver.send_us = t0 + 1'999'000;
    sliver.server_start_us = t0 + 2'000'100;
    sliver.server_end_us = sliver.server_start_us + 300;
    sliver.end_us = sliver.server_end_us + 100;
    sliver.token_wait_us = sliver.connection_wait_us = 0;
    lab::Layout wide;
    wide.wide = true;
    const std::string text = lab::timeline(r0, s.load, wide, 60'000'000);
    INFO(text);
    // (the last sent: the last row)
    const std::string row = text.substr(text.rfind("req  "));
    CHECK(row.substr(0, row.find('\n')).find(" █ ") != std::string::npos);
    CHECK(row.substr(0, row.find('\n')).find("░") == std::string::npos);
}

TEST_CASE("a mode on a service's path names that service, its pool's P on /db", "[unit]") {
    // db-pool's rows run async-sleep's way on a query: the table and the heading say the query.
    lab::Configuration c{.label = "async def + asyncpg", .mode = "async-sleep"};
    c.db_pool = 5;
    CHECK(lab::mode_cell(c, "/db") == "async-sleep: its wait a PostgreSQL query, P=5");
    CHECK(lab::mode_cell(c, "/cache") == "async-sleep: its wait a Redis call");
    CHECK(lab::mode_cell(c, "/delay") == "async-sleep");
}
