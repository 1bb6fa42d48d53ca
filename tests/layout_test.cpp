// The terminal's layout: paragraphs wrapped, tables that give way in the documented order and
// never print a line wider than the terminal, colour only when asked for.
#include <catch2/catch.hpp>

#include <sstream>

#include "lab/layout.hpp"
#include "support.hpp"

namespace {

std::string value_only(const std::string& cell) { return cell.substr(0, cell.find("  ")); }

// A table shaped like the lab's: a label, a mode that goes first, a shortened column, a dropped
// one, and a verdict that wraps.
std::vector<lab::Column> sample() {
    lab::Column label{.header = "configuration",
                      .cells = {"async def + await asyncio.sleep(0.1)", "def + time.sleep(0.1)"},
                      .wraps = true};
    lab::Column mode{
        .header = "mode", .cells = {"async-sleep", "thread-pool T=40"}, .fold_order = 1};
    lab::Column model{.header = "model",
                      .cells = {"0.100 s  d", "0.100 s  ceil(N/T)·d, T=40"},
                      .shorten_order = 2,
                      .shorten = value_only};
    lab::Column document{.header = "document",
                         .cells = {"~0.03 s †", "~0.12 s"},
                         .narrow_header = "doc",
                         .fold_order = 3};
    lab::Column verdict{.header = "verdict",
                        .cells = {"concurrent", "limited to 4 at a time; per worker: 5, 4, 1, 0"},
                        .wraps = true,
                        .is_verdict = true};
    return {label, mode, model, document, verdict};
}

std::string printed(int columns, bool wide = false, bool colour = false) {
    std::ostringstream out;
    lab::print_table(out, sample(), {columns, wide, colour});
    return out.str();
}

}  // namespace

TEST_CASE("a table gives way in its documented order and never overflows", "[unit]") {
    std::string roomy = printed(200);
    CHECK(roomy.find("thread-pool T=40") != std::string::npos);  // everything fits: nothing changes
    CHECK(roomy.find("ceil(N/T)") != std::string::npos);
    CHECK(roomy.find("\n\n") == std::string::npos);  // one block

    std::string less = printed(130);  // the mode folds first, into a second block below
    CHECK(less.find("ceil(N/T)") != std::string::npos);
    CHECK(test::longest_line(less) <= 130);
    const std::string first = less.substr(0, less.find("\n\n"));
    CHECK(first.find("thread-pool") == std::string::npos);
    CHECK(less.find("\n\n") != std::string::npos);
    CHECK(less.substr(less.find("\n\n")).find("thread-pool T=40") != std::string::npos);

    for (int columns : {80, 60, 40, 24}) {
        INFO(columns << " columns:\n" << printed(columns));
        CHECK(test::longest_line(printed(columns)) <= static_cast<std::size_t>(columns));
    }
    std::string narrow = printed(60);
    CHECK(narrow.find("ceil(N/T)") == std::string::npos);  // shortened to its value
    CHECK(narrow.find("0.100 s") != std::string::npos);
    CHECK(narrow.find("per worker:") != std::string::npos);  // the verdict wraps, whole

    CHECK(test::longest_line(printed(40, true)) > 40);  // --wide: as it is
}

// Issue 40: a column that gave way was dropped, and the † footnote pointed at nothing. Now every
// column is printed at every width, its header and every cell, each line within the width.
TEST_CASE("at any width every column of a table is shown, folded below when it does not fit",
          "[unit]") {
    for (int columns : {200, 130, 100, 80, 60, 40}) {
        std::string table = printed(columns);
        INFO(columns << " columns:\n" << table);
        CHECK(test::longest_line(table) <= static_cast<std::size_t>(columns));
        for (const char* header : {"configuration", "mode", "model", "verdict"})
            CHECK(table.find(header) != std::string::npos);
        CHECK((table.find("document") != std::string::npos ||
               table.find("doc") != std::string::npos));
        for (const char* cell : {"async-sleep", "~0.03 s †", "~0.12 s", "0.100 s"})
            CHECK(table.find(cell) != std::string::npos);
        // The label names each row again in every block.
        std::size_t blocks = 1;
        for (std::size_t at = table.find("\n\n"); at != std::string::npos;
             at = table.find("\n\n", at + 2))
            ++blocks;
        std::size_t labels = 0;
        for (std::size_t at = table.find("configuration"); at != std::string::npos;
             at = table.find("configuration", at + 1))
            ++labels;
        CHECK(labels == blocks);
    }
}

TEST_CASE("verdicts are coloured only when colour is wanted", "[unit]") {
    CHECK(printed(200).find("\033[") == std::string::npos);
    std::string coloured = printed(200, false, true);
    CHECK(coloured.find("\033[32mconcurrent\033[0m") != std::string::npos);
    CHECK(coloured.find("\033[33mlimited") != std::string::npos);
    CHECK(coloured.substr(0, coloured.find('\n')).find("\033[") ==
          std::string::npos);  // not the header
    setenv("NO_COLOR", "1", 1);
    CHECK_FALSE(lab::colour_wanted());
    unsetenv("NO_COLOR");
}

TEST_CASE("paragraphs re-flow to the width; bars are drawn in eighths", "[unit]") {
    std::string text = "A blocked loop\nserializes requests.\n\nAn awaiting loop overlaps them.";
    CHECK(lab::wrap(text, 100) ==
          "A blocked loop serializes requests.\n\nAn awaiting loop overlaps them.\n");
    CHECK(test::longest_line(lab::wrap(text, 12)) <= 12);
    CHECK(lab::bar(1, 1, 4) == "████");
    CHECK(lab::bar(0.5, 1, 4) == "██");
    CHECK(lab::bar(1, 16, 4) == "▎");  // a quarter of a column: two eighths
    CHECK(lab::bar(0.001, 1, 4) == "▏");  // anything above zero shows
    CHECK(lab::bar(0, 1, 4).empty());
}

// Issue 68: a class's folder with a C1 control (U+009B) in it went to the terminal raw, inside
// single quotes. A word with a control character is written as bash's $'...', which a shell reads
// back as the same bytes, and which shows no control on the terminal.
TEST_CASE("a shell word with a control character is written as $'...' with \\xNN", "[unit]") {
    CHECK(lab::shell_word("work/ada") == "work/ada");
    CHECK(lab::shell_word("my work") == "'my work'");
    CHECK(lab::shell_word("work/b\xc2\x9bx") == "$'work/b\\xc2\\x9bx'");
    CHECK(lab::shell_word("x\x1b[31my") == "$'x\\x1b[31my'");
    CHECK(lab::shell_word("it's\n") == "$'it\\x27s\\x0a'");
    CHECK(lab::printable(lab::shell_word("b\xc2\x9b")) == lab::shell_word("b\xc2\x9b"));
}
