#pragma once
// What the live view's hub answers on its address, other than its event stream: the live page,
// the room's guess form and the form's three calls. Decided without any I/O, from the request's
// few fields; the hub (live_hub.cpp) reads the request and writes the answer.
#include <string>
#include <string_view>

#include "lab/live/guess_box.hpp"

namespace lab {

struct PageRequest {
    bool post = false;
    std::string_view target, content_type, origin, host, cookie, body;  // "" for a field not sent
};

struct PageAnswer {
    int status = 200;
    std::string type = "application/json", body = {};
    std::string set_cookie = {};  // "" for none
};

// `box`: the room's guesses, if they are being taken (else every /guess call is a 404);
// `printed_guess_url`: the form's address as the lab printed it.
PageAnswer answer_page(const PageRequest& req, GuessBox* box, const std::string& printed_guess_url);

// The 413 of a sending of guesses larger than largest_guess_body (lab/live/guess_box.hpp).
PageAnswer too_large_sending();

}  // namespace lab
