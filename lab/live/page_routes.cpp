// The live view's pages and the guess form's calls, answered without I/O (page_routes.hpp).
#include "lab/live/page_routes.hpp"

#include <nlohmann/json.hpp>

#include "lab/live/guess_senders.hpp"
#include "lab/live/live_page.hpp"
#include "lab/live/qr_code.hpp"

namespace lab {
namespace {

using json = nlohmann::json;

PageAnswer page_answer(int status, const std::string& message) {
    return {.status = status, .body = json{{"ok", false}, {"message", message}}.dump()};
}

// POST /guess: from the lab's own form only (lab/live/guess_senders.hpp), one sending per sender.
PageAnswer take_guesses(const PageRequest& req, GuessBox& box) {
    if (auto refusal = refuse_sending(req.content_type, req.origin, req.host))
        return page_answer(refusal->status, refusal->message);
    GuessBox::Reply r = box.take(req.body, sender_in(req.cookie));
    return {.status = r.status, .body = r.json};
}

// GET /guess/form: the form's words, and this browser's sender token in a cookie; only to the
// lab's own page, and a bounded share to each client address (lab/live/guess_box.hpp).
PageAnswer give_form(const PageRequest& req, GuessBox& box) {
    if (auto refusal = refuse_origin(req.origin, req.host))
        return page_answer(refusal->status, refusal->message);
    std::string sender = sender_in(req.cookie);
    GuessBox::Reply r = box.form(sender, req.client);
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
        return {.type = "text/html; charset=utf-8", .body = std::string(guess_page())};
    if (target == "/guess" || target == "/guess/form" || target == "/guess/address") {
        if (!box) return page_answer(404, "no guesses are being taken now");
        return target == "/guess/form" ? give_form(req, *box)
               : target == "/guess"    ? take_guesses(req, *box)
                                       : give_address(req, printed_guess_url);
    }
    if (target == "/" || target.starts_with("/?") || target == "/index.html")
        return {.type = "text/html; charset=utf-8", .body = std::string(live_page())};
    return {.status = 404,
            .type = "text/plain",
            .body = "not found: the live view is at /, the guess form at /guess\n"};
}

}  // namespace lab
