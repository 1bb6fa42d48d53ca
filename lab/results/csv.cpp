#include "lab/results/csv.hpp"

#include <stdexcept>

namespace lab {
namespace {

bool looks_like_formula(const std::string& text) {
    return !text.empty() && std::string("=+-@\t\r'").find(text.front()) != std::string::npos;
}

}  // namespace

std::string csv_field(const std::string& text) {
    std::string field = looks_like_formula(text) ? "'" + text : text;
    if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
    std::string quoted = "\"";
    for (char ch : field) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return quoted + "\"";
}

bool CsvReader::next(std::vector<std::string>& row) {
    row.assign(1, "");
    bool quoted = false, any = false;
    std::size_t bytes = 0;
    for (int got; (got = in_.get()) != std::char_traits<char>::eof();) {
        const char ch = static_cast<char>(got);
        any = true;
        if (++bytes > most_row_bytes_)
            throw std::invalid_argument("a row longer than " + std::to_string(most_row_bytes_) +
                                        " bytes (not a file the lab wrote)");
        if (quoted) {
            if (ch == '"' && in_.peek() == '"') row.back() += static_cast<char>(in_.get());
            else if (ch == '"') quoted = false;
            else row.back() += ch;
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            row.emplace_back();
        } else if (ch == '\n') {
            break;
        } else if (ch != '\r') {
            row.back() += ch;
        }
    }
    if (quoted) throw std::invalid_argument("a quoted field is never closed");
    if (!any) return false;  // (a last line without its newline is a row)
    for (std::string& field : row)  // undo the formula guard
        if (!field.empty() && field.front() == '\'' && looks_like_formula(field.substr(1)))
            field.erase(0, 1);
    return true;
}

}  // namespace lab
