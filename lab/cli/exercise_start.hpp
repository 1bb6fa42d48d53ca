#pragma once
// `lab exercise start`: a student's folder (the starter, or a teacher's solution, and the question,
// with the numbers of the student's variant), or one for each name of a class list. And what
// `start` and `check` both need: the exercise by its name, and a file's text, read bounded.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lab/scenario/exercises.hpp"

namespace lab {

// The exercise by name, or nullopt after a usage error that lists them.
std::optional<Exercise> exercise_named(const std::string& name);

// The file's text, at most 1 MiB of it (a starter, a solution, or the start of the student's file:
// what it calls, for the words on waves); nullopt when it cannot be read.
std::optional<std::string> file_text(const std::filesystem::path& file);

// `start NAME DIR [--solution] [--seed S]`: DIR/main.py, DIR/README.md and, for a seed, the
// variant's record; the exit status.
int start_exercise(const std::string& name, const std::filesystem::path& dir, bool solution,
                   std::optional<int> seed);

// A class list's students (a name a line), each with the folder and the seed `start --class`
// gives them (class_seeds). Throws ScenarioError (the file, the line, why) for a bad list.
struct Student {
    std::string name, folder;
    int seed = 0;
};
std::vector<Student> class_students(const Scenario& exercise, const std::filesystem::path& list);

// `start NAME DIR --class FILE`: a folder of DIR for each student, with the variant of their seed
// in the class (class_seeds); none if any of them is there already. Prints each one's seed, for
// the teacher's --solution. Throws ScenarioError for a bad list.
int start_class(const std::string& name, const std::filesystem::path& dir, bool solution,
                const std::filesystem::path& list);

}  // namespace lab
