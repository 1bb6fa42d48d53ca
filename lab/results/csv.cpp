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

std::vector<std::vector<std::string>> read_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row(1);
    bool quoted = false;
    auto end_row = [&] {
        for (std::size_t i = 0; i < row.size(); ++i)  // undo the formula guard
            if (!row[i].empty() && row[i].front() == '\'' && looks_like_formula(row[i].substr(1)))
                row[i].erase(0, 1);
        rows.push_back(std::move(row));
        row.assign(1, "");
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        char ch = text[i];
        if (quoted) {
            if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') row.back() += text[++i];
            else if (ch == '"') quoted = false;
            else row.back() += ch;
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            row.emplace_back();
        } else if (ch == '\n') {
            end_row();
        } else if (ch != '\r') {
            row.back() += ch;
        }
    }
    if (quoted) throw std::invalid_argument("a quoted field is never closed");
    if (row.size() > 1 || !row[0].empty()) end_row();  // a last line without its newline
    return rows;
}

}  // namespace lab
