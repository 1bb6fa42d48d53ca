#include "lab/report/class_grades.hpp"

#include <map>

#include <fmt/format.h>

#include "lab/report/claims.hpp"
#include "lab/report/class.html.mustache.hpp"
#include "lab/report/rendered_page.hpp"
#include "lab/results/writer.hpp"

namespace lab {

void read_grade(GradedStudent& student, const RunResult& run) {
    for (const CheckedClaim& c : check_claims(run)) {
        student.marks.push_back(outcome_mark(c.outcome));
        if (c.outcome == CheckedClaim::Outcome::contradicted && student.missed.empty())
            student.missed = fmt::format("✗ E{} {}", student.marks.size(), c.claim);
    }
    if (run.configurations.empty()) return;
    const ConfigurationResult& row = run.configurations[0];
    if (row.median_batch >= row.batches.size()) return;
    const ServerAccount& said = row.batches[row.median_batch].server;
    if (said.blocked_ms < 0) return;
    student.held = fmt::format("{:.0f} ms", said.blocked_ms) +
                   (said.held_where.empty() ? "" : ": " + said.held_where);
}

std::vector<Column> class_columns(const ClassGrades& grades) {
    std::vector<Column> columns{{.header = "student"},
                                {.header = "seed", .fold_order = 2},
                                {.header = "grade", .wraps = true}};
    for (std::size_t e = 0; e < grades.expectations.size(); ++e)
        columns.push_back({.header = "E" + std::to_string(e + 1)});
    columns.push_back({.header = "loop held (where)", .wraps = true});
    columns.push_back({.header = "check took", .fold_order = 1});
    for (const GradedStudent& s : grades.students) {
        columns[0].cells.push_back(s.name);
        columns[1].cells.push_back(std::to_string(s.seed));
        columns[2].cells.push_back(s.grade);
        for (std::size_t e = 0; e < grades.expectations.size(); ++e)
            columns[3 + e].cells.push_back(e < s.marks.size() ? s.marks[e] : "");
        columns[columns.size() - 2].cells.push_back(s.held.empty() ? "—" : s.held);
        columns.back().cells.push_back(fmt::format("{:.1f} s", s.took_s));
    }
    return columns;
}

std::vector<std::string> common_mistakes(const ClassGrades& grades) {
    std::map<std::string, std::vector<const GradedStudent*>> by_mistake;
    for (const GradedStudent& s : grades.students)
        if (!s.missed.empty()) by_mistake[s.missed].push_back(&s);
    std::vector<std::string> said;
    for (const auto& [mistake, students] : by_mistake) {
        if (students.size() < 2) continue;
        std::string names, calls;
        std::map<std::string, int> held_in;  // the calls their apps held the loop in
        for (const GradedStudent* s : students) {
            names += (names.empty() ? "" : ", ") + s->name;
            const auto arrow = s->held.find("→ ");  // ("31 ms: main.py:14 report → time.sleep")
            if (arrow != std::string::npos) ++held_in[s->held.substr(arrow + 4)];
        }
        for (const auto& [call, count] : held_in)
            calls += (calls.empty() ? "" : ", ") + fmt::format("{} ({})", call, count);
        said.push_back(fmt::format("{} students ({}): {}", students.size(), names, mistake) +
                       (calls.empty() ? "" : " — the loop held at " + calls));
    }
    return said;
}

std::string class_page(const ClassGrades& grades) {
    using kainjow::mustache::data, kainjow::mustache::list;
    const std::vector<std::vector<std::string>> table = rows_of(class_columns(grades));
    list headers, rows, mistakes, expectations;
    for (const std::string& h : table[0]) headers.push_back(h);
    for (std::size_t r = 1; r < table.size(); ++r) {
        list cells;
        for (const std::string& cell : table[r]) cells.push_back(cell);
        rows.push_back(data{"cells", cells});
    }
    for (const std::string& m : common_mistakes(grades)) mistakes.push_back(m);
    for (const std::string& e : grades.expectations) expectations.push_back(e);
    int passed = 0;
    for (const GradedStudent& s : grades.students) passed += s.grade == "✓";
    data page{"exercise", grades.exercise};
    page.set("headers", headers), page.set("rows", rows), page.set("expectations", expectations);
    page.set("mistakes", mistakes), page.set("has_mistakes", !mistakes.empty());
    page.set("passed", std::to_string(passed));
    page.set("count", std::to_string(grades.students.size()));
    return rendered_page(class_html_mustache, "lab/report/class.html.mustache", page);
}

std::filesystem::path write_class_page(const ClassGrades& grades,
                                       const std::filesystem::path& out) {
    const std::filesystem::path page = out / grades.exercise / "class.html";
    std::filesystem::create_directories(page.parent_path());
    replace_file(page, class_page(grades));
    return page;
}

}  // namespace lab
