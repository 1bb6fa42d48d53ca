#include "lab/report/formats.hpp"

#include <ostream>

#include "lab/layout.hpp"
#include "lab/report/report.hpp"
#include "lab/results/csv.hpp"
#include "lab/results/schema.hpp"

namespace lab {

void print_run(std::ostream& out, const RunResult& run, Format format, const Layout& layout) {
    switch (format) {
        case Format::json: out << summary_json(run).dump(2) << '\n'; return;
        case Format::csv:
            for (const auto& row : table_rows(run)) {
                for (std::size_t i = 0; i < row.size(); ++i)
                    out << (i ? "," : "") << csv_field(printable(row[i], true));
                out << '\n';
            }
            return;
        case Format::markdown: return print_report(out, run, TextStyle::markdown, layout);
        case Format::table: return print_report(out, run, TextStyle::terminal, layout);
    }
}

}  // namespace lab
