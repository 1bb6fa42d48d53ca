#pragma once
// The URL `lab load` is given: http://HOST[:PORT][/PATH], where HOST is an IPv4 address, an IPv6
// address in brackets ([::1]) or localhost. The harness resolves no names: what it loads is
// exactly what the user wrote.
#include <cstdint>
#include <optional>
#include <string>

namespace lab {

struct TargetUrl {
    std::string host;  // 127.0.0.1, ::1 (no brackets), ...; localhost becomes 127.0.0.1
    std::uint16_t port = 80;
    std::string path = "/";  // with its query
    bool loopback = false;  // on this machine: 127.0.0.0/8 or ::1
    std::string error;  // why the URL cannot be loaded; empty when it can
};

TargetUrl parse_target_url(const std::string& url);

// A host as the lab takes it, with no name lookup: an IP address in numbers, or localhost (as
// 127.0.0.1); nullopt for anything else. A URL's host, and the addresses servers and the live
// view listen on (--host, --live-host).
struct NumericHost {
    std::string address;  // 127.0.0.1, ::1 (no brackets), 0.0.0.0, ...
    bool loopback = false;  // 127.0.0.0/8 or ::1
};
std::optional<NumericHost> numeric_host(const std::string& host);

}  // namespace lab
