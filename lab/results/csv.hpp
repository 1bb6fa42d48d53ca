#pragma once
// CSV as requests.csv and `--format csv` write it, and as `lab report` reads it back: one
// definition of quoting, so that every field the writer writes reads back as it was.
#include <cstddef>
#include <istream>
#include <string>
#include <vector>

namespace lab {

// A field as written: quoted when it holds a comma, quote, CR or newline; and, when it starts
// like a spreadsheet formula (= + - @, a tab or CR) or with the apostrophe this adds, with a
// leading ' so no spreadsheet runs it. CsvReader undoes both.
std::string csv_field(const std::string& text);

// A CSV read from a stream one row at a time, so that a large file never sits in memory whole:
// next() fills `row` with the next row's fields (quoted fields may hold commas and newlines) and
// says false at the end. Throws std::invalid_argument for a quote that is never closed, or a row
// longer than `most_row_bytes` (read no further: a file of one endless line is not a CSV).
class CsvReader {
public:
    CsvReader(std::istream& in, std::size_t most_row_bytes)
        : in_(in), most_row_bytes_(most_row_bytes) {}
    bool next(std::vector<std::string>& row);

private:
    std::istream& in_;
    std::size_t most_row_bytes_;
};

}  // namespace lab
