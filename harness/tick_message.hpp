#pragma once
// The two messages of the websockets lesson, written and read in this one place (the Python twin,
// lab/reference/websocket_ticks.py, writes the same text):
//   server → every client, each tick:  {"tick":12,"due_us":123456789,"every_us":100000}
//     due_us: when the server meant to send it, CLOCK_MONOTONIC µs (every process on the machine
//     reads the same clock, so a client's lateness is its own clock minus due_us).
//   one client → server:               wait 200
//     the handler waits that many ms, the way its mode waits (blocking the loop, or awaiting),
//   server → that client, once the wait is done:  waited 200
//     the handler's reply: the work was done (a handler that skips its wait answers at once).
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lab {

struct Tick {
    std::int64_t number = 0;
    std::int64_t due_us = 0;  // when the server meant to send it (CLOCK_MONOTONIC µs)
    std::int64_t every_us = 0;  // its period
    bool operator==(const Tick&) const = default;
};

// The longest wait a message may ask for, as /delay's ms is bounded.
inline constexpr int most_wait_ms = 60'000;

// The lesson's period between ticks: a client times a tick against the server's due_us, or a period
// after the tick it read before, whichever is earlier, so that a server's stamp can make a tick
// late and never on time (one stamped when sent, after the loop was held, is still late).
inline constexpr std::int64_t tick_every_us = 100'000;

inline std::string tick_text(const Tick& t) {
    return "{\"tick\":" + std::to_string(t.number) + ",\"due_us\":" + std::to_string(t.due_us) +
           ",\"every_us\":" + std::to_string(t.every_us) + "}";
}

namespace tick_detail {
// The whole number after `"key":` in `text` (JSON's blanks around the colon allowed: Python's
// json.dumps writes `"tick": 3`), or nullopt.
inline std::optional<std::int64_t> number_after(std::string_view text, std::string_view key) {
    const std::string quoted = "\"" + std::string(key) + "\"";
    auto at = text.find(quoted);
    if (at == std::string_view::npos) return std::nullopt;
    at = text.find_first_not_of(" \t\r\n", at + quoted.size());
    if (at == std::string_view::npos || text[at] != ':') return std::nullopt;
    at = text.find_first_not_of(" \t\r\n", at + 1);
    if (at == std::string_view::npos) return std::nullopt;
    const char* first = text.data() + at;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(first, text.data() + text.size(), value);
    if (ec != std::errc{} || end == first) return std::nullopt;
    return value;
}
}  // namespace tick_detail

// A tick as tick_text() wrote it; nullopt for anything else (a field missing, not a number).
inline std::optional<Tick> read_tick(std::string_view text) {
    auto number = tick_detail::number_after(text, "tick");
    auto due = tick_detail::number_after(text, "due_us");
    auto every = tick_detail::number_after(text, "every_us");
    if (!number || !due || !every || *every <= 0) return std::nullopt;
    return Tick{*number, *due, *every};
}

inline std::string wait_text(int ms) { return "wait " + std::to_string(ms); }

// The ms a "wait MS" message asks for (0 to most_wait_ms, whole); nullopt for any other text.
inline std::optional<int> read_wait(std::string_view text) {
    constexpr std::string_view word = "wait ";
    if (!text.starts_with(word) || text.size() == word.size()) return std::nullopt;
    int ms = -1;
    auto [end, ec] = std::from_chars(text.data() + word.size(), text.data() + text.size(), ms);
    if (ec != std::errc{} || end != text.data() + text.size() || ms < 0 || ms > most_wait_ms)
        return std::nullopt;
    return ms;
}

inline std::string reply_text(int ms) { return "waited " + std::to_string(ms); }

// Whether `text` is a handler's reply, "waited MS" (any whole MS: timed by the harness, not read).
inline bool is_reply(std::string_view text) {
    constexpr std::string_view word = "waited ";
    if (!text.starts_with(word) || text.size() == word.size()) return false;
    return text.substr(word.size()).find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace lab
