// `lab exercise start` (exercise_start.hpp): the starter and its question, written with the
// numbers of the student's variant, all or none, never over anything there.
#include "lab/cli/exercise_start.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>

#include "lab/cli/command_support.hpp"
#include "lab/results/writer.hpp"

namespace lab {
namespace fs = std::filesystem;

std::optional<Exercise> exercise_named(const std::string& name) {
    try {
        if (auto e = find_exercise(name)) return e;
    } catch (const ScenarioError& e) {
        said("lab exercise", e.what());
        return std::nullopt;
    }
    auto names = exercise_names();
    std::cerr << "lab exercise: no exercise named '" << printable(name) << "'";
    if (!names.empty())
        std::cerr << " (did you mean " << closest_name(name, names) << "? see `lab exercise list`)";
    std::cerr << '\n';
    return std::nullopt;
}

std::optional<std::string> file_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::string text(1 << 20, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (!in.is_open() || in.bad()) return std::nullopt;
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

namespace {

// The question, the source, how to run and grade the app: README.md, with the variant's numbers
// (`s` is the exercise as the variant runs it).
std::string readme_of(const std::string& name, const Scenario& s, const Variant& v,
                      const fs::path& dir) {
    const std::string seeded =
        v.seed ? "\n\nYour variant: seed " + std::to_string(*v.seed) + ", recorded in `" +
                     variant_file + "`, which the check grades by (another seed's numbers fail it)."
               : "";
    // What the check starts for the app, which a run of one's own must give it
    std::string given, which;
    for (const std::string& need : s.needs) {
        const bool db = need == "postgresql", partner = need == "downstream";
        given += db        ? "DATABASE_URL=postgresql:///DB "
                 : partner ? "DOWNSTREAM_URL=http://127.0.0.1:8001 "
                           : "REDIS_URL=redis://127.0.0.1:6379 ";
        which += db        ? "; DB, a PostgreSQL database of yours"
                 : partner ? "; the partner: `lab serve --mode async-sleep --port 8001`"
                           : "; a Redis of yours";
    }
    return "# " + s.title + "\n\n" + s.question + seeded + "\n\nFrom: " + cited_by_title(s.source) +
           "\n\nYour app is `main.py`. Run it yourself with `" + given +
           "/usr/bin/python3 -m uvicorn main:app` and try it with curl (the check starts all it "
           "needs" +
           which + ");\nthen let the lab grade it:\n\n    lab exercise check " + name + " " +
           shell_word(dir.string()) + "\n\nThe lesson behind it: `lab run " + s.lesson +
           "` (and `lab run " + s.lesson + " --requests " + std::to_string(v.requests) +
           " --delay " + std::to_string(v.delay_ms) + " --app " +
           shell_word((dir / "main.py").string()) + " --app-path " + v.path +
           "` to see your app beside the lesson's rows).\n";
}

// Writes the starter (or, for a teacher, the solution) as DIR/main.py and the question as
// DIR/README.md, both with the variant's numbers, and for a seed the variant's record: all or
// none, never over anything already there (a student's notes, a link). exit_ok, or why nothing
// was written (said).
int write_exercise(const std::string& name, const Exercise& e, const fs::path& dir, bool solution,
                   const Variant& v) {
    const Scenario s = with_variant(e.scenario, v);
    auto app = file_text(solution ? e.solution : e.starter);
    std::error_code ec;
    if (fs::exists(fs::symlink_status(dir, ec)) && !fs::is_directory(dir, ec))
        return said("lab exercise",
                    dir.string() + " is not a folder; choose another (nothing was written)");
    bool made = !fs::exists(fs::symlink_status(dir, ec)) && fs::create_directories(dir, ec);
    try {
        if (!app)
            throw std::runtime_error("cannot read the exercise's " +
                                     (solution ? e.solution : e.starter).string());
        if (ec)
            throw std::runtime_error("cannot make the folder " + dir.string() + ": " +
                                     ec.message());
        std::vector<RenderedFile> files{{.name = "main.py", .text = variant_text(*app, s, v)},
                                        {.name = "README.md", .text = readme_of(name, s, v, dir)}};
        if (v.seed) files.push_back({.name = variant_file, .text = variant_record(name, *v.seed)});
        write_new_files(dir, files);
    } catch (const std::exception& failure) {
        if (made) fs::remove(dir, ec);  // (only the folder this call made, and only while empty)
        bool taken = dynamic_cast<const NameTaken*>(&failure) != nullptr;
        return said("lab exercise",
                    failure.what() + std::string(taken ? "; choose another folder" : "") +
                        " (nothing was written)",
                    taken ? exit_usage : exit_failed);
    }
    return exit_ok;
}

// The folder a student's name gives: its letters and digits in lower case (a non-ASCII one as
// it is), every other run of characters one '-'; empty for a name with neither.
std::string folder_of(const std::string& name) {
    std::string folder;
    for (unsigned char c : name)
        if (std::isalnum(c) || c >= 0x80) folder += static_cast<char>(std::tolower(c));
        else if (!folder.empty() && folder.back() != '-') folder += '-';
    while (!folder.empty() && folder.back() == '-') folder.pop_back();
    return folder;
}

// The class list's students, one name a line (blank lines and # comments skipped), each with the
// folder of their name. Throws ScenarioError (the file, "line L", why).
std::vector<Student> read_class(const fs::path& file) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec) || fs::file_size(file, ec) > 64 * 1024 || ec)
        throw ScenarioError(file, "(file)", "not a readable class list of at most 64 KiB");
    std::istringstream lines(file_text(file).value_or(""));
    std::vector<Student> students;
    std::string line;
    for (int number = 1; std::getline(lines, line); ++number) {
        const auto start = line.find_first_not_of(" \t\r"), end = line.find_last_not_of(" \t\r");
        if (start == std::string::npos || line[start] == '#') continue;
        const std::string name = line.substr(start, end - start + 1);
        auto bad = [&](const std::string& why) {
            return ScenarioError(file, "line " + std::to_string(number), why);
        };
        if (name.size() > 100) throw bad("a name of at most 100 bytes");
        if (std::ranges::any_of(name, [](unsigned char c) { return std::iscntrl(c); }))
            throw bad("a name without control characters");
        Student st{.name = name, .folder = folder_of(name)};
        if (st.folder.empty()) throw bad("a name needs a letter or a digit");
        if (auto same = std::ranges::find(students, st.folder, &Student::folder);
            same != students.end())
            throw bad("its folder, " + st.folder + ", is " + same->name + "'s too");
        if (students.size() == 1000) throw bad("at most 1000 names");
        students.push_back(std::move(st));
    }
    if (students.empty()) throw ScenarioError(file, "(file)", "no names in it");
    return students;
}

// Said when the class is larger than the exercise's routes: who shares one has a d of their own,
// as long as the variants last; a copy from a classmate on the same route still fails or passes
// by that d.
void print_shared_routes(const Scenario& exercise, const std::vector<int>& seeds) {
    std::set<std::string> routes;
    std::set<std::pair<std::string, int>> routes_and_waits;
    for (int seed : seeds) {
        const Variant v = variant_of(exercise, seed);
        routes.insert(v.path);
        routes_and_waits.insert({v.path, v.delay_ms});
    }
    if (routes.size() == seeds.size()) return;
    const std::size_t same = seeds.size() - routes_and_waits.size();
    std::cout << '\n'
              << wrap(fmt::format("{} students, {} routes: students who share a route have "
                                  "different waits d{}. A classmate's solution copied onto the "
                                  "same route can still pass if its d is the longer.",
                                  seeds.size(), routes.size(),
                                  same == 0 ? std::string()
                                            : fmt::format(", but for {} of them the exercise "
                                                          "has no variant left (both shared)",
                                                          same)),
                      terminal_columns());
}

}  // namespace

int start_exercise(const std::string& name, const fs::path& dir, bool solution,
                   std::optional<int> seed) {
    auto e = exercise_named(name);
    if (!e) return exit_usage;
    const Variant v = variant_of(e->scenario, seed);
    if (int status = write_exercise(name, *e, dir, solution, v); status != exit_ok) return status;
    std::cout << "wrote " << printable((dir / "main.py").string())
              << (solution ? " (the reference solution)" : "") << " and "
              << printable((dir / "README.md").string())
              << (seed ? " for the variant of seed " + std::to_string(*seed) : "") << "\n\n"
              << wrap(with_variant(e->scenario, v).question, terminal_columns())
              << "\nWhen you think it is right: lab exercise check " << name << " "
              << shell_word(dir.string()) << '\n';
    return exit_ok;
}

std::vector<Student> class_students(const Scenario& exercise, const fs::path& list) {
    std::vector<Student> students = read_class(list);
    std::vector<std::string> names;
    for (const Student& st : students) names.push_back(st.name);
    const std::vector<int> seeds = class_seeds(exercise, names);
    for (std::size_t i = 0; i < students.size(); ++i) students[i].seed = seeds[i];
    return students;
}

int start_class(const std::string& name, const fs::path& dir, bool solution, const fs::path& list) {
    auto e = exercise_named(name);
    if (!e) return exit_usage;
    const std::vector<Student> students = class_students(e->scenario, list);
    std::vector<int> seeds;
    for (const Student& st : students) seeds.push_back(st.seed);
    std::error_code ec;
    for (const Student& st : students)
        if (fs::exists(fs::symlink_status(dir / st.folder, ec)))
            return said("lab exercise", (dir / st.folder).string() +
                                            " already exists; choose another folder (nothing "
                                            "was written)");
    // All or none: a folder that cannot be written (a full disk) removes those this call wrote
    // before it (none existed: checked above), so that the same command, run again, completes it.
    std::string table = "seed    folder  (name)\n";
    std::vector<fs::path> written;
    for (const Student& st : students) {
        const Variant v = variant_of(e->scenario, st.seed);
        if (int status = write_exercise(name, *e, dir / st.folder, solution, v);
            status != exit_ok) {
            for (const fs::path& folder : written) fs::remove_all(folder, ec);
            return written.empty() ? status
                                   : said("lab exercise",
                                          "the class is made all or none: what this call wrote "
                                          "before it is removed (" +
                                              count_of(written.size(), "folder") + ")",
                                          status);
        }
        written.push_back(dir / st.folder);
        table += fmt::format("{:<7} {}  ({})\n", st.seed, shell_word((dir / st.folder).string()),
                             printable(st.name));
    }
    std::cout << table;
    print_shared_routes(e->scenario, seeds);
    std::cout << '\n'
              << wrap("wrote " + std::to_string(students.size()) +
                          (solution ? " solutions" : " starters") +
                          ", each with its own README.md and " + variant_file +
                          "; the answer for one: lab exercise start " + name +
                          " DIR --solution --seed SEED",
                      terminal_columns());
    return exit_ok;
}

}  // namespace lab
