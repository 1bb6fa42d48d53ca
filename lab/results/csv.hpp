#pragma once
// CSV as requests.csv and `--format csv` write it, and as `lab report` reads it back: one
// definition of quoting, so that every field the writer writes reads back as it was.
#include <string>
#include <vector>

namespace lab {

// A field as written: quoted when it holds a comma, quote, CR or newline; and, when it starts
// like a spreadsheet formula (= + - @, a tab or CR) or with the apostrophe this adds, with a
// leading ' so no spreadsheet runs it. read_csv() undoes both.
std::string csv_field(const std::string& text);

// Every row of a CSV text, each a list of fields; quoted fields may hold commas and newlines.
// Throws std::invalid_argument for a quote that is never closed.
std::vector<std::vector<std::string>> read_csv(const std::string& text);

}  // namespace lab
