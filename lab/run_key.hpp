#pragma once
// Control and figures belong to the run that made them. Each `lab` process makes a key of its own
// (128 random bits) and starts every server with it in its environment (LAB_RUN_KEY: a process's
// environment is readable by its own user only), then sends it with its own reads of their
// figures and controls (the header X-Lab-Key: GET /stats[?reset=1], the probe's /__lab/...). A
// server started with a key answers those only to a request that carries it (403 otherwise), so
// another user of the machine can neither read nor reset a run's figures, nor switch its probe
// off. A server started by hand has no key and answers anyone, as one a learner curls should.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

namespace lab {

inline constexpr const char* run_key_variable = "LAB_RUN_KEY";
inline constexpr const char* run_key_header = "X-Lab-Key";

// This process's key, made on first use: what the servers it starts are given.
inline const std::string& own_run_key() {
    static const std::string key = [] {
        std::random_device random;  // (the CPU's or the kernel's randomness, not a seeded sequence)
        char hex[33];
        std::snprintf(hex, sizeof hex, "%08x%08x%08x%08x", random(), random(), random(), random());
        return std::string(hex);
    }();
    return key;
}

// Whether a request that sent `sent` may have this server's figures and controls: every byte
// compared whatever the first difference, so the time taken tells nothing of how much matched.
inline bool may_control(std::string_view sent) {
    // The key this process was started with (a server's); empty when it was started by hand.
    static const std::string key =
        std::getenv(run_key_variable) ? std::getenv(run_key_variable) : "";
    if (key.empty()) return true;
    unsigned char differ = sent.size() != key.size();
    for (std::size_t i = 0; i < key.size(); ++i)
        differ |= static_cast<unsigned char>(key[i] ^ (i < sent.size() ? sent[i] : 0));
    return differ == 0;
}

}  // namespace lab
