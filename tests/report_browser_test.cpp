// report.html in a real browser: headless Chromium lays the page out, and the page's own script
// counts the timeline bars that got a size. Twenty requests in the run, twenty bars on screen.
#include <catch2/catch.hpp>

#include <regex>

#include "support.hpp"

TEST_CASE("report.html renders one timeline bar per request in Chromium", "[browser]") {
    test::ScratchDir out;
    auto run = test::run_lab("run blocking-async --delay 20 --repeat 1 --quiet --out " + out.path.string());
    REQUIRE(run.exit_code == 0);
    auto dir = std::filesystem::directory_iterator(out.path / "blocking-async")->path();
    auto report = dir / "report.html";
    REQUIRE(std::filesystem::exists(report));

    std::string command = "chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                          "--disable-background-networking --disable-component-update --disable-sync "
                          "--user-data-dir=" + (out.path / "profile").string() + " --dump-dom file://" +
                          report.string() + " 2>/dev/null";
    std::string dom;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe);
    char chunk[4096];
    while (std::size_t n = std::fread(chunk, 1, sizeof chunk, pipe)) dom.append(chunk, n);
    INFO("chromium exit status " << pclose(pipe));
    std::smatch bars;
    REQUIRE(std::regex_search(dom, bars, std::regex("data-rendered-bars=\"(\\d+)\"")));
    CHECK(std::stoi(bars[1]) == 20);  // 10 requests × 2 configurations, the median batch of each
    CHECK(dom.find("<svg class=\"timeline\"") != std::string::npos);
    CHECK(dom.find("src=") == std::string::npos);   // nothing is fetched: no scripts, images,
    CHECK(dom.find("href=") == std::string::npos);  // or style sheets from anywhere
}
