#pragma once
// `lab exercise check NAME DIR --class LIST`: the class's checks in one table (the terminal's and
// class.html's), each student's grade and expectations, where their app held the loop, and the
// mistakes several students share.
#include <filesystem>
#include <string>
#include <vector>

#include "lab/layout.hpp"
#include "lab/run/run_result.hpp"

namespace lab {

// One student's check, as the class's table shows it.
struct GradedStudent {
    std::string name, folder;
    int seed = 0;
    std::string grade;  // ✓ ✗ –, or why there is none ("did not start: …")
    std::vector<std::string> marks;  // each expectation's ✓ ✗ ? –, in the exercise's order
    std::string missed;  // the first expectation it contradicts ("": none)
    std::string held;  // the loop's longest block, its hold's line: "31 ms: main.py:14 report → …"
    double took_s = 0;  // how long its check took, its app's start included
};
struct ClassGrades {
    std::string exercise;
    std::vector<std::string> expectations;  // each one's claim, E1, E2, ...
    std::vector<GradedStudent> students;
};

// A graded student's figures from their check's run (its one row's median batch).
void read_grade(GradedStudent& student, const RunResult& run);
// The table's columns: student, seed, grade, E1…En, loop held, time.
std::vector<Column> class_columns(const ClassGrades& grades);
// The mistakes two or more students share: "3 students (Ada, Alan, Grace): ✗ E2 The event loop is
// not held … — held at psycopg2.connect (2), time.sleep (1)"; one a line.
std::vector<std::string> common_mistakes(const ClassGrades& grades);
// class.html: the table and the mistakes, every outside text escaped by escape().
std::string class_page(const ClassGrades& grades);
// Writes it whole as OUT/EXERCISE/class.html, beside the checks' folders; where it went.
std::filesystem::path write_class_page(const ClassGrades& grades, const std::filesystem::path& out);

}  // namespace lab
