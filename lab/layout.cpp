#include "lab/layout.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <sstream>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace lab {
namespace {

// How many bytes the UTF-8 character at `at` takes, or 0 if the bytes there are not one.
std::size_t utf8_length(const std::string& text, std::size_t at) {
    auto c = static_cast<unsigned char>(text[at]);
    std::size_t n = c < 0x80                          ? 1
                    : (c & 0xE0) == 0xC0 && c >= 0xC2 ? 2
                    : (c & 0xF0) == 0xE0              ? 3
                    : (c & 0xF8) == 0xF0 && c <= 0xF4 ? 4
                                                      : 0;
    if (n == 0 || at + n > text.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(text[at + k]) & 0xC0) != 0x80) return 0;
    return n;
}

// One line of words into lines of at most `width` characters; a word longer than that is cut.
std::vector<std::string> wrap_line(const std::string& line, std::size_t width) {
    std::vector<std::string> lines;
    std::string current, word;
    std::istringstream words(line);
    while (words >> word) {
        while (display_width(word) > width) {  // a word that fits no line: cut it
            if (!current.empty()) lines.push_back(std::exchange(current, ""));
            std::string head = first_characters(word, width);
            lines.push_back(head);
            word.erase(0, head.size());
        }
        if (word.empty()) continue;
        if (!current.empty() && display_width(current) + 1 + display_width(word) > width)
            lines.push_back(std::exchange(current, ""));
        current += (current.empty() ? "" : " ") + word;
    }
    if (!current.empty() || lines.empty()) lines.push_back(current);
    return lines;
}

struct Fitted {
    std::vector<Column> columns;
    std::vector<std::size_t> limit;  // a wrapping column's cells wrap at this many characters
};

std::size_t natural_width(const Column& c) {
    std::size_t w = display_width(c.header);
    for (const auto& cell : c.cells) w = std::max(w, display_width(cell));
    return w;
}

// A wrapped column is never narrower than its longest word (nor than 8 characters).
std::size_t longest_word(const Column& c) {
    std::size_t longest = 8;
    auto scan = [&](const std::string& text) {
        std::istringstream words(text);
        for (std::string word; words >> word;) longest = std::max(longest, display_width(word));
    };
    scan(c.header);
    for (const auto& cell : c.cells) scan(cell);
    return longest;
}

std::size_t table_width(const Fitted& t) {
    std::size_t w = t.columns.empty() ? 0 : 3 * (t.columns.size() - 1);
    for (std::size_t i = 0; i < t.columns.size(); ++i)
        w += std::min(natural_width(t.columns[i]), t.limit[i]);
    return w;
}

// The widest wrapping column gives up a character, never a word, until the table fits or none can.
void wrap_to(Fitted& t, std::size_t columns) {
    while (table_width(t) > columns) {
        std::size_t widest = SIZE_MAX, most = 0;
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
            std::size_t w = std::min(natural_width(t.columns[i]), t.limit[i]);
            if (t.columns[i].wraps && w > longest_word(t.columns[i]) && w > most)
                widest = i, most = w;
        }
        if (widest == SIZE_MAX) return;
        t.limit[widest] = most - 1;
    }
}

// The steps of the table's documented order, until it fits (results/README.md: "When the table
// does not fit"). A column that folds leaves this block for the next one and is returned (in the
// table's order); the label and one column beside it always stay, so every block says something.
// Past every step and all the wrapping, the rightmost columns fold too, one by one: a line is cut
// only where a single column beside the label is wider than the terminal.
std::vector<Column> fit(Fitted& t, std::size_t columns) {
    std::vector<std::pair<std::size_t, Column>> folded;  // with its place in the table
    std::vector<std::size_t> place(t.columns.size());
    for (std::size_t i = 0; i < place.size(); ++i) place[i] = i;
    auto fold = [&](std::size_t i) {
        folded.emplace_back(place[i], std::move(t.columns[i]));
        t.columns.erase(t.columns.begin() + static_cast<long>(i));
        t.limit.erase(t.limit.begin() + static_cast<long>(i));
        place.erase(place.begin() + static_cast<long>(i));
    };
    if (table_width(t) > columns)
        for (Column& c : t.columns)
            if (!c.narrow_header.empty()) c.header = c.narrow_header;
    int last_step = 0;
    for (const Column& c : t.columns)
        last_step = std::max({last_step, c.fold_order, c.shorten_order});
    for (int step = 1; step <= last_step && table_width(t) > columns; ++step) {
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
            Column& c = t.columns[i];
            if (c.shorten_order == step && c.shorten)
                for (auto& cell : c.cells) cell = c.shorten(cell);
            if (c.fold_order == step && i > 0 && t.columns.size() > 2) fold(i--);
        }
    }
    wrap_to(t, columns);
    while (table_width(t) > columns &&
           t.columns.size() > 2) {  // the last resort: the rightmost folds, and the rest unwrap
        fold(t.columns.size() - 1);
        std::fill(t.limit.begin(), t.limit.end(), SIZE_MAX);
        wrap_to(t, columns);
    }
    std::ranges::stable_sort(folded, {}, &std::pair<std::size_t, Column>::first);
    std::vector<Column> out;
    for (auto& [at, c] : folded) out.push_back(std::move(c));
    return out;
}

const char* verdict_colour(const std::string& verdict) {
    if (verdict.starts_with("concurrent")) return "\033[32m";  // green: all at once
    if (verdict.starts_with("limited")) return "\033[33m";  // yellow: K at a time
    if (verdict.starts_with("sequential")) return "\033[31m";  // red: one at a time
    return "\033[1;31m";  // bold red: failed, did not run
}

// One block of columns, as fitted: the header, a rule, then each row, its cells wrapped.
void print_block(std::ostream& out, const Fitted& t, const Layout& layout, bool markdown) {
    std::vector<std::size_t> width;
    for (std::size_t i = 0; i < t.columns.size(); ++i)
        width.push_back(std::min(natural_width(t.columns[i]), t.limit[i]));
    // Lines past the terminal are cut, when nothing else gave way
    const bool cut = !layout.wide && !markdown;
    auto print_row = [&](auto cell_of, bool header) {
        std::vector<std::vector<std::string>> lines;
        std::size_t height = 1;
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
            lines.push_back(wrap_line(cell_of(i), width[i]));
            height = std::max(height, lines.back().size());
        }
        for (std::size_t k = 0; k < height; ++k) {
            std::string plain = markdown ? "| " : "", painted = plain;
            for (std::size_t i = 0; i < t.columns.size(); ++i) {
                std::string text = k < lines[i].size() ? lines[i][k] : "";
                std::string padding(width[i] - std::min(width[i], display_width(text)), ' ');
                std::string between = i + 1 < t.columns.size() ? " | " : (markdown ? " |" : "");
                bool paint = layout.colour && !header && t.columns[i].is_verdict && !text.empty();
                plain += text + padding + between;
                painted += (paint ? verdict_colour(cell_of(i)) + text + "\033[0m" : text) +
                           padding + between;
            }
            while (!markdown && plain.ends_with(' ')) plain.pop_back(), painted.pop_back();
            if (cut && display_width(plain) > static_cast<std::size_t>(layout.columns))
                painted = first_characters(plain, static_cast<std::size_t>(layout.columns) - 1) +
                          "…";  // nothing left to give way
            out << painted << '\n';
        }
    };
    print_row([&](std::size_t i) { return t.columns[i].header; }, true);
    std::string rule = markdown ? "|" : "";
    for (std::size_t i = 0; i < width.size(); ++i)
        rule += markdown ? std::string(width[i] + 2, '-') + "|"
                         : std::string(width[i], '-') + (i + 1 < width.size() ? "-+-" : "");
    if (cut && display_width(rule) > static_cast<std::size_t>(layout.columns))
        rule = first_characters(rule, static_cast<std::size_t>(layout.columns));
    out << rule << '\n';
    std::size_t rows = t.columns.empty() ? 0 : t.columns[0].cells.size();
    for (std::size_t r = 0; r < rows; ++r)
        print_row([&](std::size_t i) { return t.columns[i].cells[r]; }, false);
}

}  // namespace

int terminal_columns(int fd) {
    if (const char* env = std::getenv("COLUMNS")) {
        char* end = nullptr;
        long n = std::strtol(env, &end, 10);
        if (end != env && *end == '\0' && n >= 20 && n <= 10'000) return static_cast<int>(n);
    }
    winsize size{};
    if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col >= 20) return size.ws_col;
    return 100;
}

bool colour_wanted() {
    const char* no_colour = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    return isatty(STDOUT_FILENO) && !(no_colour && *no_colour) &&
           !(term && std::strcmp(term, "dumb") == 0);
}

std::string fixed(double value, int digits) { return fmt::format("{:.{}f}", value, digits); }

std::string seconds_text(std::int64_t us) { return fixed(static_cast<double>(us) / 1e6) + " s"; }

std::string count_of(long long n, const std::string& noun) {
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string printable(const std::string& outside, bool keep_lines) {
    std::string out;
    for (std::size_t i = 0; i < outside.size();) {
        auto c = static_cast<unsigned char>(outside[i]);
        auto next = i + 1 < outside.size() ? static_cast<unsigned char>(outside[i + 1]) : 0;
        std::size_t n = utf8_length(outside, i);
        if (keep_lines && (c == '\n' || c == '\t')) out += static_cast<char>(c), ++i;
        else if (n == 0 || c < 0x20 || c == 0x7f)
            out += fmt::format("\\x{:02x}", c), ++i;  // a control, or not UTF-8
        else if (c == 0xc2 && next <= 0x9f)
            out += fmt::format("\\x{:02x}", next), i += 2;  // C1, as UTF-8
        else out.append(outside, i, n), i += n;
    }
    return out;
}

std::size_t display_width(const std::string& text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char ch) {
        return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;  // not a UTF-8 continuation byte
    }));
}

std::string first_characters(const std::string& text, std::size_t n) {
    std::size_t seen = 0, at = 0;
    for (; at < text.size(); ++at)
        if ((static_cast<unsigned char>(text[at]) & 0xC0) != 0x80 && seen++ == n)
            break;  // whole UTF-8 code points
    return text.substr(0, at);
}

std::string hanging(const std::string& text, std::size_t room, std::size_t indent) {
    std::string out;
    for (const std::string& line : wrap_line(text, room))
        out += (out.empty() ? "" : "\n" + std::string(indent, ' ')) + line;
    return out;
}

std::string indented(const std::string& lines, const std::string& margin) {
    std::string out;
    for (std::size_t at = 0; at < lines.size();) {
        std::size_t end = lines.find('\n', at);
        if (end == std::string::npos) end = lines.size();
        out += margin + lines.substr(at, end - at) + "\n";
        at = end + 1;
    }
    return out;
}

std::string wrap(const std::string& text, int width) {
    std::string out, paragraph;
    // (Prose may be a scenario's, or an app's.)
    std::istringstream lines(printable(text, /*keep_lines=*/true));
    auto flush = [&] {
        if (paragraph.empty()) return;
        for (const auto& line : wrap_line(paragraph, static_cast<std::size_t>(std::max(width, 10))))
            out += line + "\n";
        paragraph.clear();
    };
    std::string line;
    while (std::getline(lines, line)) {
        if (line.find_first_not_of(' ') == std::string::npos) {  // a blank line ends a paragraph
            flush();
            if (!out.empty() && !out.ends_with("\n\n")) out += "\n";
        } else {
            paragraph += (paragraph.empty() ? "" : " ") + line;
        }
    }
    flush();
    return out;
}

std::string bar(double value, double most, int width) {
    static const char* eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    if (!(most > 0) || !(value > 0)) return "";
    long units = std::lround(std::min(value / most, 1.0) * width * 8);
    std::string out;
    for (long i = 0; i < units / 8; ++i) out += "█";
    out += eighths[units % 8];
    return out.empty() ? "▏" : out;  // anything above zero shows
}

std::vector<std::vector<std::string>> rows_of(const std::vector<Column>& columns) {
    std::vector<std::vector<std::string>> rows(1);
    for (const Column& c : columns) rows[0].push_back(c.header);
    std::size_t n = columns.empty() ? 0 : columns[0].cells.size();
    for (std::size_t i = 0; i < n; ++i) {
        rows.emplace_back();
        for (const Column& c : columns) rows.back().push_back(c.cells[i]);
    }
    return rows;
}

std::string markdown_text(const std::string& outside) {
    std::string out;
    for (char c : outside)
        out += c == '|'   ? "\\|"
               : c == '<' ? "&lt;"
               : c == '>' ? "&gt;"
               : c == '&' ? "&amp;"
                          : std::string(1, c);
    return out;
}

void print_table(std::ostream& out, std::vector<Column> columns, const Layout& layout,
                 bool markdown) {
    // A cell may hold a results folder's, a scenario's or an app's text: shown, never obeyed (its
    // line breaks and tabs are spaces between words, as wrap_line reads them).
    for (Column& c : columns) {
        c.header = printable(c.header, true), c.narrow_header = printable(c.narrow_header, true);
        for (auto& cell : c.cells) cell = printable(cell, true);
        if (markdown)
            for (auto& cell : c.cells) cell = markdown_text(cell);
    }
    // Block by block: what did not fit this one folds into the next, under the same labels.
    while (!columns.empty()) {
        Fitted t{std::move(columns), {}};
        t.limit.assign(t.columns.size(), SIZE_MAX);
        std::vector<Column> folded = layout.wide || markdown
                                         ? std::vector<Column>{}
                                         : fit(t, static_cast<std::size_t>(layout.columns));
        if (!folded.empty())
            folded.insert(folded.begin(), t.columns.front());  // each row named again by its label
        print_block(out, t, layout, markdown);
        columns = std::move(folded);
        if (!columns.empty()) out << '\n';
    }
}

std::string shell_word(const std::string& word) {
    const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) ||
               std::string_view("-_./,:=@%+").find(ch) != std::string_view::npos;
    });
    if (plain) return word;
    if (printable(word) != word) {  // a control character: bash's $'...', each byte past ASCII \xNN
        std::string quoted = "$'";
        for (unsigned char ch : word)
            quoted += ch < 0x20 || ch >= 0x7f || ch == '\'' || ch == '\\'
                          ? fmt::format("\\x{:02x}", ch)
                          : std::string(1, static_cast<char>(ch));
        return quoted + "'";
    }
    std::string quoted = "'";
    for (char ch : word) quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    return quoted + "'";
}

}  // namespace lab
