// The live view's pages and the guess form's calls, answered without I/O (page_routes.hpp).
#include "lab/live/page_routes.hpp"

#include <algorithm>
#include <optional>

#include <boost/beast/core/string.hpp>
#include <nlohmann/json.hpp>

#include "lab/live/qr_code.hpp"
#include "lab/target_url.hpp"
// The live page and the room's guess form, each one self-contained HTML file (its style and
// script inline, nothing fetched from elsewhere), embedded at build time (cmake/Embed.cmake)
#include "lab/live/guess_page.html.hpp"
#include "lab/live/live_page.html.hpp"

namespace lab {
namespace {

// Who may send the room's guesses (`lab run --predict-page`), by a sending's header fields: the
// lab's own guess page and nothing else, one guess per sender.
//  - JSON only (415 else): a page elsewhere can send text/plain or a form to any address without
//    asking, but a JSON body only after asking the lab first (CORS), which the lab never allows;
//  - the same origin (403 else): an Origin header, which browsers send with every POST, must be the
//    Host the page was loaded from, and that Host an address in numbers or localhost, as the lab
//    prints it (a name would let a page elsewhere point its own name at this machine);
//  - a sender token, which the form gives each browser in a cookie: a re-send replaces that
//    sender's guesses (lab/live/guess_box.hpp).

constexpr std::string_view cookie_name = "lab_guess";

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

struct Refusal {
    int status;
    std::string message;
};

// Why a request with these header fields ("" for one not sent) is refused, or nullopt: any call
// of the guess form's (GET /guess/form too: a form is handed to the lab's own page only) by its
// Origin and Host, and a POST /guess by its Content-Type as well.
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
    const std::string_view type = trimmed(content_type.substr(0, content_type.find(';')));
    if (!boost::beast::iequals({type.data(), type.size()}, "application/json"))
        return Refusal{
            415, "send guesses as JSON (Content-Type: application/json), as the guess form does"};
    return std::nullopt;
}

// The guess form's address as the room should type it: "http://" + the Host the projector's page
// was loaded from + "/guess" (its browser reached the lab there), when that Host is an address in
// numbers or localhost; else `fallback` (the address the lab printed).
std::string room_address(std::string_view host, const std::string& fallback) {
    return host_by_number(host) ? "http://" + std::string(host) + "/guess" : fallback;
}

// The sender token in a Cookie header ("" if none), and the Set-Cookie value that gives one.
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

using json = nlohmann::json;

PageAnswer page_answer(int status, const std::string& message) {
    return {.status = status, .body = json{{"ok", false}, {"message", message}}.dump()};
}

// POST /guess: from the lab's own form only (above), one sending per sender.
PageAnswer take_guesses(const PageRequest& req, GuessBox& box) {
    if (auto refusal = refuse_sending(req.content_type, req.origin, req.host))
        return page_answer(refusal->status, refusal->message);
    GuessBox::Reply r = box.take(req.body, sender_in(req.cookie));
    return {.status = r.status, .body = r.json};
}

// GET /guess/form: the form's words, and this browser's sender token in a cookie; only to the
// lab's own page (lab/live/guess_box.hpp).
PageAnswer give_form(const PageRequest& req, GuessBox& box) {
    if (auto refusal = refuse_origin(req.origin, req.host))
        return page_answer(refusal->status, refusal->message);
    std::string sender = sender_in(req.cookie);
    GuessBox::Reply r = box.form(sender);
    return {.status = r.status,
            .body = r.json,
            .set_cookie = r.status == 200 ? sender_cookie(sender) : ""};
}

// GET /guess/address: where the room guesses, for the projector's page to show big, and its
// QR code, as rows of 0 and 1 (the page draws them; nothing sent is ever markup).
PageAnswer give_address(const PageRequest& req, const std::string& printed_guess_url) {
    const std::string url = room_address(req.host, printed_guess_url);
    json rows = json::array();
    for (const auto& row : qr_code(url)) {
        std::string bits;
        for (bool dark : row) bits += dark ? '1' : '0';
        rows.push_back(bits);
    }
    return {.body = json{{"ok", true}, {"url", url}, {"qr", rows}}.dump(
                -1, ' ', false, json::error_handler_t::replace)};
}

}  // namespace

PageAnswer too_large_sending() {
    return page_answer(
        413, "a sending of guesses is at most " + std::to_string(largest_guess_body) + " bytes");
}

PageAnswer answer_page(const PageRequest& req, GuessBox* box,
                       const std::string& printed_guess_url) {
    const std::string_view target = req.target;
    if (target == "/guess" && !req.post)
        return {.type = "text/html; charset=utf-8", .body = std::string(guess_page_html)};
    if (target == "/guess" || target == "/guess/form" || target == "/guess/address") {
        if (!box) return page_answer(404, "no guesses are being taken now");
        return target == "/guess/form" ? give_form(req, *box)
               : target == "/guess"    ? take_guesses(req, *box)
                                       : give_address(req, printed_guess_url);
    }
    // The live page draws what /events streams: one JSON object each (lab/live/live_hub.hpp), plan,
    // configuration, batch, sent, start, end, answered (of the requests drawn), count (of all
    // answers), columns, row, footnote, measured (a configuration's guessed figure, once run),
    // done; and, under `lab serve --live`, mark. Times are seconds on the batch's own axis (from
    // its start), the axis every lane shares.
    if (target == "/" || target.starts_with("/?") || target == "/index.html")
        return {.type = "text/html; charset=utf-8", .body = std::string(live_page_html)};
    return {.status = 404,
            .type = "text/plain",
            .body = "not found: the live view is at /, the guess form at /guess\n"};
}

}  // namespace lab
