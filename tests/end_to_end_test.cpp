// `lab` as a user runs it: the command line, the table, the files, the exit codes.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support.hpp"

TEST_CASE("lab run blocking-async prints the table and writes both files", "[e2e]") {
    test::ScratchDir out;
    auto o = test::run_lab("run blocking-async --delay 20 --repeat 1 --quiet --out " + out.path.string());
    INFO(o.output);
    REQUIRE(o.exit_code == 0);
    CHECK(o.output.find("measured (median, min–max)") != std::string::npos);
    CHECK(o.output.find("blocking-in-loop") != std::string::npos);
    CHECK(o.output.find("async-sleep") != std::string::npos);
    CHECK(o.output.find("█") != std::string::npos);  // the timelines
    auto runs = std::filesystem::directory_iterator(out.path / "blocking-async");
    auto run = runs->path();
    CHECK(std::filesystem::exists(run / "requests.csv"));
    auto summary = nlohmann::json::parse(std::ifstream(run / "summary.json"));
    CHECK(summary["load"]["delay_ms"] == 20);
    CHECK(summary["configurations"].size() == 2);
}

TEST_CASE("lab explains usage mistakes with exit code 2", "[e2e]") {
    auto unknown = test::run_lab("run blocking-asnyc");
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.output.find("did you mean 'blocking-async'") != std::string::npos);

    test::ScratchDir dir;
    auto bad = dir.write("broken.toml", "name = \"broken\"\ntitle = 3\n");
    auto broken = test::run_lab("run " + bad.string());
    CHECK(broken.exit_code == 2);
    CHECK(broken.output.find("broken.toml: title: must be a string") != std::string::npos);

    CHECK(test::run_lab("run blocking-async --delay -3").exit_code == 2);
    CHECK(test::run_lab("serve --mode warp-speed").exit_code == 2);
}

TEST_CASE("lab --version, list and show answer", "[e2e]") {
    CHECK(test::run_lab("--version").output.find("lab ") == 0);
    auto list = test::run_lab("list");
    CHECK(list.exit_code == 0);
    CHECK(list.output.find("blocking-async") != std::string::npos);
    auto show = test::run_lab("show blocking-async");
    CHECK(show.exit_code == 0);
    CHECK(show.output.find("N·d") != std::string::npos);
}

TEST_CASE("every scenario runs to its table with small delays", "[e2e]") {
    test::ScratchDir out;
    for (const auto& file : std::filesystem::directory_iterator(std::filesystem::path(LAB_SOURCE_DIR) / "scenarios")) {
        std::string name = file.path().stem().string();
        INFO(name);
        auto o = test::run_lab("run " + name + " --delay 10 --repeat 1 --quiet --out " + out.path.string());
        INFO(o.output);
        CHECK(o.exit_code == 0);
        CHECK(o.output.find("configuration") != std::string::npos);
    }
}
