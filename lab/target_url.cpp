#include "lab/target_url.hpp"

#include <charconv>

#include <arpa/inet.h>

namespace lab {
namespace {

TargetUrl refuse(std::string why) {
    TargetUrl t;
    t.error = std::move(why);
    return t;
}

}  // namespace

TargetUrl parse_target_url(const std::string& url) {
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0) return refuse("only http:// URLs, got '" + url + "'");
    std::string rest = url.substr(scheme.size());
    auto slash = rest.find('/');
    TargetUrl t;
    t.path = slash == std::string::npos ? "/" : rest.substr(slash);
    for (unsigned char ch : t.path)  // it goes into the request line as it is
        if (ch <= ' ' || ch == 0x7f)
            return refuse("the path of '" + url +
                          "' holds a space or a control character; percent-encode it (%20)");
    std::string authority = rest.substr(0, slash);

    std::string port_text;
    if (!authority.empty() && authority.front() == '[') {  // [IPv6]:PORT
        auto close = authority.find(']');
        if (close == std::string::npos)
            return refuse("no ']' after the IPv6 address in '" + url + "'");
        t.host = authority.substr(1, close - 1);
        std::string after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':')
            return refuse("unexpected '" + after + "' after ']' in '" + url + "'");
        port_text = after.empty() ? "80" : after.substr(1);
    } else {
        auto colon = authority.find(':');
        t.host = authority.substr(0, colon);
        port_text = colon == std::string::npos ? "80" : authority.substr(colon + 1);
    }
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() ||
        port < 1 || port > 65535)
        return refuse("bad port '" + port_text + "' in '" + url +
                      "': a whole number from 1 to 65535");
    t.port = static_cast<std::uint16_t>(port);

    auto host = numeric_host(t.host);
    if (!host)
        return refuse("'" + t.host +
                      "' is not an IP address or localhost (the harness resolves no names)");
    t.host = host->address;
    t.loopback = host->loopback;
    return t;
}

std::optional<NumericHost> numeric_host(const std::string& host) {
    NumericHost h{.address = host == "localhost" ? "127.0.0.1" : host};
    in_addr v4{};
    in6_addr v6{};
    if (inet_pton(AF_INET, h.address.c_str(), &v4) == 1)
        h.loopback = (ntohl(v4.s_addr) >> 24) == 127;
    else if (inet_pton(AF_INET6, h.address.c_str(), &v6) == 1)
        h.loopback = IN6_IS_ADDR_LOOPBACK(&v6);
    else return std::nullopt;
    return h;
}

}  // namespace lab
