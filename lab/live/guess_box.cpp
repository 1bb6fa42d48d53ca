#include "lab/live/guess_box.hpp"

#include <algorithm>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lab/guess.hpp"

namespace lab {
namespace {

// A new sender token: 128 random bits, in hex, which no one can guess to replace another's guesses.
std::string new_sender_token() {
    static std::random_device entropy;  // (getrandom(2) on Linux)
    return fmt::format("{:08x}{:08x}{:08x}{:08x}", entropy(), entropy(), entropy(), entropy());
}

using json = nlohmann::json;

GuessBox::Reply said(int status, const std::string& message, std::size_t count) {
    return {status, json{{"ok", status == 200}, {"message", message}, {"count", count}}.dump(
                        -1, ' ', false, json::error_handler_t::replace)};
}

// A sending's "choice" into `choice`: absent or null (none), or a place among `count`; else false.
bool choice_sent(const json& sent, std::size_t count, std::optional<std::size_t>& choice) {
    const json picked = sent.value("choice", json());
    if (picked.is_null()) return true;
    if (!picked.is_number_unsigned() || picked.get<std::size_t>() >= count) return false;
    choice = picked.get<std::size_t>();
    return true;
}

}  // namespace

GuessBox::Reply GuessBox::take(std::string_view body, const std::string& sender) {
    json sent = json::parse(body, nullptr, false);
    const std::size_t rows = form_.labels.size();
    if (sent.is_discarded() || !sent.is_object() || !sent.contains("guesses") ||
        !sent["guesses"].is_array() || sent["guesses"].size() != rows)
        return said(400,
                    "send {\"guesses\": [...]}: one text per configuration (" +
                        std::to_string(rows) + "), blank for none",
                    count());
    std::vector<std::optional<double>> guesses;
    for (std::size_t k = 0; k < rows; ++k) {
        const json& one = sent["guesses"][k];
        if (!one.is_string())
            return said(400, "guess " + std::to_string(k + 1) + " must be text", count());
        ReadGuess guess = read_guess(one.get<std::string>(), form_.unit);
        if (!guess.error.empty())
            return said(400, "guess " + std::to_string(k + 1) + ": " + guess.error, count());
        guesses.push_back(guess.value);
    }
    std::optional<std::size_t> choice;
    if (!choice_sent(sent, form_.choices.size(), choice))
        return said(400,
                    "the choice must be null or a choice's place, from 0 to " +
                        std::to_string(form_.choices.size()) + " (not included)",
                    count());
    // an empty form is no guess
    if (!choice && std::ranges::none_of(guesses, [](const auto& g) { return g.has_value(); }))
        return said(400,
                    "every box is empty: write at least one guess" +
                        std::string(form_.choices.empty() ? "" : " or pick a choice") +
                        ", then send",
                    count());
    std::lock_guard lock(m_);
    if (closed_) return said(409, "the run has started: guesses are closed", sent_.size());
    auto from = senders_.find(sender);
    if (from == senders_.end())
        return said(400,
                    "open the guess form first (reload the page): it gives each sender a token",
                    sent_.size());
    if (from->second) {  // this sender's second thoughts: they replace the first
        sent_[*from->second] = {std::move(guesses), choice};
        return said(200,
                    "Thank you: your guesses are replaced. " + std::to_string(sent_.size()) +
                        " sent so far.",
                    sent_.size());
    }
    if (sent_.size() >= form_.room_size)
        return said(
            409, "the room is full: its " + std::to_string(form_.room_size) + " guesses are sent",
            sent_.size());
    from->second = sent_.size();
    sent_.push_back({std::move(guesses), choice});
    return said(200,
                "Thank you: " + std::to_string(sent_.size()) + " sent so far. Watch the projector.",
                sent_.size());
}

GuessBox::Reply GuessBox::form(std::string& sender) {
    std::lock_guard lock(m_);
    if (closed_) return said(409, "the run has started: guesses are closed", sent_.size());
    if (!senders_.contains(sender)) {
        while (senders_.size() >= 4 * form_.room_size && !given_.empty()) {  // the oldest unsent
            auto oldest = senders_.find(given_.front());
            if (oldest != senders_.end() && !oldest->second) senders_.erase(oldest);
            given_.pop_front();
        }
        sender = new_sender_token();
        senders_[sender] = std::nullopt;
        given_.push_back(sender);
    }
    return {200, json{{"ok", true},
                      {"title", form_.title},
                      {"question", form_.question},
                      {"unit", form_.unit},
                      {"example", guess_example(form_.unit)},
                      {"labels", form_.labels},
                      {"choices", form_.choices}}
                     .dump(-1, ' ', false, json::error_handler_t::replace)};
}

void GuessBox::close() {
    std::lock_guard lock(m_);
    closed_ = true;
}

std::size_t GuessBox::count() const {
    std::lock_guard lock(m_);
    return sent_.size();
}

std::vector<std::vector<double>> GuessBox::by_configuration() const {
    std::lock_guard lock(m_);
    std::vector<std::vector<double>> out(form_.labels.size());
    for (const Sending& one : sent_)
        for (std::size_t k = 0; k < one.guesses.size() && k < out.size(); ++k)
            if (one.guesses[k]) out[k].push_back(*one.guesses[k]);
    return out;
}

std::vector<std::size_t> GuessBox::choice_counts() const {
    std::lock_guard lock(m_);
    std::vector<std::size_t> out(form_.choices.size());
    for (const Sending& one : sent_)
        if (one.choice) ++out[*one.choice];
    return out;
}

}  // namespace lab
