#pragma once
// Text laid out for a terminal that may be a projector at 80 columns: how wide the terminal is,
// paragraphs wrapped to it, tables that give way column by column (folding into a second block
// of columns, never losing one), bars drawn in eighths, and
// colour only where a person is watching (a terminal, NO_COLOR unset).
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace lab {

// How the terminal's text is laid out.
struct Layout {
    int columns = 100;  // no line is longer than this (unless wide)
    bool wide = false;  // --wide: every column and the full labels, however long the lines
    bool colour = false;  // ANSI colour on verdicts
};

// COLUMNS if it holds a number, else the width of the terminal on `fd`, else 100.
int terminal_columns(int fd = 1);
// Colour when stdout is a terminal, NO_COLOR is unset or empty and TERM is not "dumb".
bool colour_wanted();

// `value` with `digits` decimals ("1.004"); `us` microseconds as seconds ("1.004 s").
std::string fixed(double value, int digits = 3);
std::string seconds_text(std::int64_t us);
// "1 request", "10 requests": a count and its noun, the noun plural unless the count is one.
std::string count_of(long long n, const std::string& noun);

// Text the lab did not write (an app's output, a route's path, a results folder's, a scenario's)
// as a terminal may show it: control characters (C0, DEL, C1: escapes, bells, OSC sequences) and
// bytes that are not UTF-8 (a lone 0x9b is a CSI to some terminals) as \xNN, so no outside text
// can clear the screen, move the cursor, retitle the window or write the clipboard. The one
// filter for the terminal, as escape() is for HTML. `keep_lines`: newlines and tabs stay, for
// text of several lines (a traceback); else they are shown escaped too.
std::string printable(const std::string& outside, bool keep_lines = false);

// Text the lab did not write as Markdown shows it (`--format markdown`, a CI job's comment): "|"
// as \| so a route's path cannot end a table's cell, and <, > and & as entities so it cannot be
// HTML. The one escape for Markdown; print_table's cells pass it.
std::string markdown_text(const std::string& outside);

// Characters as a terminal shows them (UTF-8 code points; our text has no wide characters).
std::size_t display_width(const std::string& text);
// The first `n` of them.
std::string first_characters(const std::string& text, std::size_t n);

// `text` re-flowed to `width`: lines of a paragraph are joined, paragraphs (blank lines) kept.
std::string wrap(const std::string& text, int width);
// `text` wrapped into lines of at most `room` characters, each after the first indented by
// `indent` spaces (so that it continues under the first line's text), as --explain prints.
std::string hanging(const std::string& text, std::size_t room, std::size_t indent);
// Every line of `lines` after `margin` (each ends in a newline).
std::string indented(const std::string& lines, const std::string& margin);

// A bar `value / most` of `width` columns long, in eighths of a column (▏▎▍▌▋▊▉█).
std::string bar(double value, double most, int width);

// A table column: its header, its cells, and how it gives way when the table is too wide.
struct Column {
    std::string header = {};
    std::vector<std::string> cells = {};
    std::string narrow_header = {};  // shown once the table does not fit (empty: the header)
    int fold_order = 0;  // > 0: moves to the next block of columns at this step (1 first); 0: stays
    int shorten_order = 0;  // > 0: cells shortened at this step, by `shorten`
    std::string (*shorten)(const std::string&) = nullptr;
    bool wraps = false;  // the last resort: its cells wrap onto more lines
    bool is_verdict = false;  // coloured on a terminal
};

// The header row then one row per cell: for formats that keep every column (CSV, HTML).
std::vector<std::vector<std::string>> rows_of(const std::vector<Column>& columns);

// Prints the table within layout.columns: short headers, then the steps in order (fold or
// shorten), then wrapping the wrapping columns; with layout.wide, as it is. A folded column is
// never lost: it is printed in a block of its own below, each row named again by the first
// column (the label), and that block gives way by the same rules.
void print_table(std::ostream& out, std::vector<Column> columns, const Layout& layout,
                 bool markdown = false);

// `word` as a shell reads it back as one word: as it is when it has only letters, digits and
// -_./,:=@%+, else in single quotes ('my work', 'it'\''s'), or with a control character in it, as
// bash's $'...' with each byte past ASCII as \xNN (never raw on the terminal).
std::string shell_word(const std::string& word);

}  // namespace lab
