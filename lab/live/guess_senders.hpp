#pragma once
// Who may send the room's guesses (`lab run --predict-page`), by a sending's header fields: the
// lab's own guess page and nothing else, one guess per sender.
//  - JSON only (415 else): a page elsewhere can send text/plain or a form to any address without
//    asking, but a JSON body only after asking the lab first (CORS), which the lab never allows;
//  - the same origin (403 else): an Origin header, which browsers send with every POST, must be the
//    Host the page was loaded from, and that Host an address in numbers or localhost, as the lab
//    prints it (a name would let a page elsewhere point its own name at this machine);
//  - a sender token, which the form gives each browser in a cookie: a re-send replaces that
//    sender's guesses (lab/live/guess_box.hpp).
#include <optional>
#include <string>
#include <string_view>

namespace lab {

struct Refusal {
    int status;
    std::string message;
};

// Why a request with these header fields ("" for one not sent) is refused, or nullopt: any call
// of the guess form's (GET /guess/form too: a form is handed to the lab's own page only) by its
// Origin and Host, and a POST /guess by its Content-Type as well.
std::optional<Refusal> refuse_origin(std::string_view origin, std::string_view host);
std::optional<Refusal> refuse_sending(std::string_view content_type, std::string_view origin,
                                      std::string_view host);

// The guess form's address as the room should type it: "http://" + the Host the projector's page
// was loaded from + "/guess" (its browser reached the lab there), when that Host is an address in
// numbers or localhost; else `fallback` (the address the lab printed).
std::string room_address(std::string_view host, const std::string& fallback);

// The sender token in a Cookie header ("" if none), and the Set-Cookie value that gives one.
std::string sender_in(std::string_view cookie_header);
std::string sender_cookie(const std::string& sender);

// A new sender token: 128 random bits, in hex, which no one can guess to replace another's guesses.
std::string new_sender_token();

}  // namespace lab
