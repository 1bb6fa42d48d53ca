#include "lab/live/guess_senders.hpp"

#include <algorithm>
#include <cctype>
#include <random>

#include <fmt/format.h>

#include "lab/target_url.hpp"

namespace lab {
namespace {

constexpr std::string_view cookie_name = "lab_guess";

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return out;
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// "127.0.0.1:8001", "[::1]:8001", "localhost:8001", "192.168.1.5:8001": this machine by number.
bool host_by_number(std::string_view host) {
    if (host.empty() || host.find_first_of("/?#@\\") != std::string_view::npos) return false;
    return parse_target_url("http://" + std::string(host) + "/").error.empty();
}

}  // namespace

std::optional<Refusal> refuse_origin(std::string_view origin, std::string_view host) {
    if (!host_by_number(host))
        return Refusal{403,
                       "open the guess form at the address the lab printed (an address in numbers, "
                       "or localhost)"};
    if (!origin.empty() && origin != "http://" + std::string(host))
        return Refusal{403, "guesses come from the lab's own guess form, not from another page"};
    return std::nullopt;
}

std::optional<Refusal> refuse_sending(std::string_view content_type, std::string_view origin,
                                      std::string_view host) {
    if (auto refusal = refuse_origin(origin, host)) return refusal;
    if (lower(trimmed(content_type.substr(0, content_type.find(';')))) != "application/json")
        return Refusal{
            415, "send guesses as JSON (Content-Type: application/json), as the guess form does"};
    return std::nullopt;
}

std::string room_address(std::string_view host, const std::string& fallback) {
    return host_by_number(host) ? "http://" + std::string(host) + "/guess" : fallback;
}

std::string sender_in(std::string_view cookie_header) {
    while (!cookie_header.empty()) {  // "a=1; lab_guess=TOKEN; b=2"
        std::size_t end = std::min(cookie_header.find(';'), cookie_header.size());
        std::string_view pair = trimmed(cookie_header.substr(0, end));
        if (pair.size() > cookie_name.size() && pair.starts_with(cookie_name) &&
            pair[cookie_name.size()] == '=')
            return std::string(pair.substr(cookie_name.size() + 1, 64));
        cookie_header.remove_prefix(std::min(end + 1, cookie_header.size()));
    }
    return "";
}

std::string sender_cookie(const std::string& sender) {
    return std::string(cookie_name) + "=" + sender + "; Path=/guess; HttpOnly; SameSite=Strict";
}

std::string new_sender_token() {
    static std::random_device entropy;  // (getrandom(2) on Linux)
    return fmt::format("{:08x}{:08x}{:08x}{:08x}", entropy(), entropy(), entropy(), entropy());
}

}  // namespace lab
