#include "harness/load_spec.hpp"

#include <sstream>

#include "lab/asio.hpp"
#include "lab/run_key.hpp"

namespace lab {

std::vector<WeightedTarget> targets_of(const LoadSpec& spec) {
    if (!spec.mix.empty()) return spec.mix;
    return {{spec.target, 1}};
}

std::string request_bytes(const LoadSpec& spec, const std::string& method,
                          const std::string& target, bool as_loaded) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    if (req.method() == http::verb::unknown) req.method_string(method);  // any token the user gives
    bool ipv6 = spec.host.find(':') != std::string::npos;  // a Host header puts it in brackets
    req.set(http::field::host,
            (ipv6 ? "[" + spec.host + "]" : spec.host) + ":" + std::to_string(spec.port));
    req.set(http::field::user_agent, "concurrency-lab");
    req.keep_alive(!as_loaded || spec.keep_alive);
    if (as_loaded) {
        for (const std::string& header :
             spec.headers) {  // "Name: value", checked by whoever took it in
            auto colon = header.find(':');
            std::string value = header.substr(colon + 1);
            value.erase(0, value.find_first_not_of(" \t"));
            req.set(header.substr(0, colon), value);  // replaces ours (Host, User-Agent) if named
        }
        req.body() = spec.body;
    } else if (!spec.run_key.empty()) {
        req.set(run_key_header, spec.run_key);
    }
    req.prepare_payload();
    std::ostringstream out;
    out << req;
    return out.str();
}

std::string request_bytes(const LoadSpec& spec, const WeightedTarget& target) {
    if (target.method.empty() && !target.body && target.headers.empty())
        return request_bytes(spec, spec.method, target.target, true);
    LoadSpec asked = spec;
    asked.body = target.body.value_or(spec.body);
    asked.headers.insert(asked.headers.end(), target.headers.begin(), target.headers.end());
    return request_bytes(asked, target.method.empty() ? spec.method : target.method, target.target,
                         true);
}

}  // namespace lab
