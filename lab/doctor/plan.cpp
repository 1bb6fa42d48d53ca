#include "lab/doctor/plan.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>

#include <strings.h>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "lab/bounded_json.hpp"

namespace lab {
namespace {

std::string text_of(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

RouteParam param_from_json(const nlohmann::json& p) {
    RouteParam param{text_of(p, "name"), text_of(p, "in"), text_of(p, "type"),
                     p.value("required", false), nullptr};
    if (auto d = p.find("default"); d != p.end() && !d->is_null()) param.fallback = *d;
    else if (auto e = p.find("enum"); e != p.end() && e->is_array() && !e->empty())
        param.fallback = e->front();
    return param;
}

// A value in a URL: letters, digits, -._~ and `kept` as they are, every other byte as %XX.
std::string url_escaped(std::string_view value, std::string_view kept = "") {
    std::string out;
    for (unsigned char c : value)
        out += std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
                       (c != 0 && kept.find(static_cast<char>(c)) != std::string_view::npos)
                   ? std::string(1, static_cast<char>(c))
                   : fmt::format("%{:02X}", c);
    return out;
}

// A route's path as a request line carries it: each {param} kept for filling, every byte a path
// may not hold as it is (a space, "é", "%", "?") as %XX, so `/café` and `/a b` reach their routes.
std::string path_escaped(const std::string& path) {
    std::string out;
    for (std::size_t at = 0, brace; at < path.size(); at = brace) {
        brace = path.find('{', at);
        std::size_t close = brace == std::string::npos ? brace : path.find('}', brace);
        if (close == std::string::npos) brace = close = path.size();  // (no template: all escaped)
        out += url_escaped(std::string_view(path).substr(at, brace - at), "/!$&'()*+,;=:@");
        if (brace < path.size()) out += path.substr(brace, close - brace + 1), brace = close + 1;
    }
    return out;
}

// Why a path cannot be sent at all: a control character (CR LF would end the request line and
// start another, smuggled past the doctor), else empty.
std::string refused_path(const std::string& path) {
    auto bad = std::find_if(path.begin(), path.end(),
                            [](unsigned char c) { return c < 0x20 || c == 0x7f; });
    if (bad == path.end()) return "";
    return fmt::format(
        "its path holds a control character (byte 0x{:02X}): not sent, as a "
        "request line it could carry a second request",
        static_cast<unsigned char>(*bad));
}

// A sample value for a parameter of a type, as text ("1", "a"); nullopt: no sample can be made.
std::optional<std::string> sample_of(const RouteParam& p) {
    if (p.fallback.is_string()) return p.fallback.get<std::string>();
    if (!p.fallback.is_null() && !p.fallback.is_object() && !p.fallback.is_array())
        return p.fallback.dump();
    if (p.type == "integer") return "1";
    if (p.type == "number") return "1.0";
    if (p.type == "boolean") return "true";
    if (p.type == "string" || p.type == "array") return "a";
    return std::nullopt;
}

// A sample JSON body from a schema: each property by its type (one level of nested objects).
nlohmann::json sample_body(const nlohmann::json& schema, int depth = 0) {
    std::string type = text_of(schema, "type");
    if (auto e = schema.find("enum"); e != schema.end() && e->is_array() && !e->empty())
        return e->front();
    if (type == "integer") return 1;
    if (type == "number") return 1.0;
    if (type == "boolean") return true;
    if (type == "string") return "a";
    if (type == "array") return nlohmann::json::array();
    nlohmann::json out = nlohmann::json::object();
    if (auto props = schema.find("properties");
        depth < 2 && props != schema.end() && props->is_object())
        for (const auto& [name, sub] : props->items()) out[name] = sample_body(sub, depth + 1);
    return out;
}

// The route's target: its path with each {param} filled, then its query; or why it cannot be.
std::string fill_target(const AppRoute& r, const RouteExample* example, std::string& why) {
    if (why = refused_path(r.path); !why.empty()) return "";
    std::string path = path_escaped(r.path), query;
    for (const RouteParam& p : r.params) {
        const auto& given = example ? (p.in == "path" ? example->path : example->query)
                                    : std::map<std::string, std::string>{};
        auto value = given.count(p.name) ? std::optional(given.at(p.name)) : sample_of(p);
        if (p.in == "query" && !p.required && !given.count(p.name))
            continue;  // (its default is the app's own)
        if (!value) {
            why = "no sample value for " + p.in + " parameter `" + p.name + "` (" + p.type +
                  "): give one in --examples";
            return "";
        }
        if (p.in != "path")
            query += (query.empty() ? "?" : "&") + url_escaped(p.name) + "=" + url_escaped(*value);
        else if (auto at = path.find("{" + p.name); at != std::string::npos)  // "{id}", "{id:int}"
            path.replace(at, path.find('}', at) - at + 1, url_escaped(*value));
    }
    if (example)  // query values the route does not declare are the user's to add
        for (const auto& [name, value] : example->query)
            if (std::ranges::none_of(r.params, [&](const RouteParam& p) { return p.name == name; }))
                query += (query.empty() ? "?" : "&") + url_escaped(name) + "=" + url_escaped(value);
    return path + query;
}

// A TOML value as the text sent for it ("7", "EUR", "true").
std::string toml_text(const toml::node& node) {
    if (auto s = node.value_exact<std::string>()) return *s;
    if (auto b = node.value_exact<bool>()) return *b ? "true" : "false";
    if (auto i = node.value_exact<std::int64_t>()) return std::to_string(*i);
    if (auto d = node.value_exact<double>()) return fmt::format("{}", *d);
    throw std::invalid_argument("a string, number or boolean");
}

// A TOML table as JSON, as a body given as a table is sent; "" for a value JSON cannot hold (nan).
std::string json_of(const toml::table& table) {
    std::ostringstream formatted;
    formatted << toml::json_formatter{table};
    auto json = nlohmann::json::parse(formatted.str(), nullptr, false);
    return json.is_discarded() ? "" : json.dump();
}

// A header field's name is a token (RFC 9110); its value, and a cookie's, stay on one line and
// within 8 KiB; a cookie's value has no `;`, `,`, space or quote (RFC 6265's cookie-octet).
bool is_token(std::string_view name) {
    return !name.empty() && name.size() <= 256 &&
           name.find_first_not_of(
               "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
               "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string_view::npos;
}
bool is_field_value(std::string_view value, bool cookie) {
    if (value.size() > 8192) return false;
    for (unsigned char c : value)
        if (c < 0x20 || c == 0x7f ||
            (cookie && (c == ';' || c == ',' || c == ' ' || c == '"' || c == '\\')))
            return false;
    return true;
}

// The table's fields into the example's headers (cookies: one Cookie field); the bad one's name
// and why, or two empty strings.
std::pair<std::string, std::string> add_fields(RouteExample& example, bool cookies,
                                               const toml::table& t) {
    std::string cookie;
    for (const auto& [k, v] : t) {
        std::string name(k.str());
        std::string value = v.is_string() ? *v.value<std::string>() : "";
        if (!v.is_string()) return {name, "must be a string"};
        if (!is_token(name)) return {name, "not a header field's name (letters, digits, -)"};
        if (!is_field_value(value, cookies))
            return {name, cookies ? "a cookie's value has no ; , space, quote or control "
                                    "character, and is at most 8 KiB"
                                  : "a field's value is one line of at most 8 KiB"};
        if (cookies) cookie += (cookie.empty() ? "" : "; ") + name + "=" + value;
        else example.headers.push_back(name + ": " + value);
    }
    if (!cookie.empty()) example.headers.push_back("Cookie: " + cookie);
    return {};
}

RouteExample read_example(const std::filesystem::path& file, const std::string& route,
                          const toml::table& t) {
    RouteExample example;
    std::map<std::string, std::string> form;
    auto refuse = [&](const std::string& key, const std::string& why) {
        throw std::invalid_argument(
            fmt::format("{}: [\"{}\"].{}: {}", file.string(), route, key, why));
    };
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "body") {
            example.body = v.is_string()  ? *v.value<std::string>()
                           : v.is_table() ? json_of(*v.as_table())
                                          : "";
            if (example.body.empty() || example.body.size() > 65536)
                refuse(key, "must be a table (sent as JSON) or a string of at most 64 KiB");
        } else if (key == "skip") {  // a route the user knows it cannot send (or must not)
            if (!v.is_string() || v.value<std::string>()->empty())
                refuse(key, "must be a string: why the route is not sent");
            example.skip = *v.value<std::string>();
        } else if (key == "path" || key == "query" || key == "form") {
            if (!v.is_table()) refuse(key, "must be a table of names and values");
            auto& named = key == "path" ? example.path : key == "query" ? example.query : form;
            for (const auto& [name, value] : *v.as_table()) try {
                    named[std::string(name.str())] = toml_text(value);
                } catch (const std::invalid_argument& e) {
                    refuse(key + "." + std::string(name.str()), std::string("must be ") + e.what());
                }
        } else if (key == "headers" || key == "cookies") {
            if (!v.is_table()) refuse(key, "must be a table of names and values");
            auto [name, why] = add_fields(example, key == "cookies", *v.as_table());
            if (!why.empty()) refuse(key + "." + name, why);
        } else {
            refuse(key,
                   "unknown key (a typo?): a route's example has path, query, headers, "
                   "cookies, body, form and skip");
        }
    }
    if (!form.empty() && t.contains("body")) refuse("form", "a body or a form: not both");
    for (const auto& [name, value] : form)  // sent as an HTML form is: urlencoded
        example.body +=
            (example.body.empty() ? "" : "&") + url_escaped(name) + "=" + url_escaped(value);
    if (!form.empty() && !has_content_type(example.headers))
        example.headers.push_back("Content-Type: application/x-www-form-urlencoded");
    return example;
}

}  // namespace

bool has_content_type(const std::vector<std::string>& headers) {
    return std::any_of(headers.begin(), headers.end(), [](const std::string& field) {
        return field.size() > 13 && strncasecmp(field.c_str(), "content-type:", 13) == 0;
    });
}

std::vector<AppRoute> routes_from_json(const nlohmann::json& listed) {
    auto routes = listed.find("routes");
    if (!listed.is_object() || routes == listed.end() || !routes->is_array())
        throw std::runtime_error("the probe's /__lab/routes answered without a list of routes");
    std::vector<AppRoute> out;
    for (const nlohmann::json& r : *routes) {
        if (!r.is_object()) continue;
        AppRoute route;
        route.method = text_of(r, "method"), route.path = text_of(r, "path"),
        route.endpoint = text_of(r, "endpoint");
        route.kind = text_of(r, "kind").empty() ? "http" : text_of(r, "kind");
        route.is_async = r.value("is_async", false);
        if (auto ps = r.find("params"); ps != r.end() && ps->is_array())
            for (const auto& p : *ps) route.params.push_back(param_from_json(p));
        if (auto b = r.find("body"); b != r.end() && b->is_object()) {
            route.has_body = true;
            route.body_required = b->value("required", false);
            route.body_schema = b->value("schema", nlohmann::json::object());
        }
        out.push_back(std::move(route));
    }
    return out;
}

Examples read_examples(const std::filesystem::path& file) {
    std::uintmax_t bytes = 0;
    std::string text(max_examples_bytes + 1, '\0'), why;
    std::ifstream in = open_regular_file(file, bytes, why);  // (a /proc file says 0 bytes: read)
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (!why.empty())
        throw std::invalid_argument(file.string() + ": " + why + ": the examples are a TOML file");
    if (text.size() > max_examples_bytes)
        throw std::invalid_argument(fmt::format("{}: over the {} KiB the doctor reads of examples",
                                                file.string(), max_examples_bytes >> 10));
    toml::table doc;
    try {
        doc = toml::parse(text, file.string());
    } catch (const toml::parse_error& e) {
        throw std::invalid_argument(
            fmt::format("{}: line {}: {}", file.string(), e.source().begin.line, e.description()));
    }
    Examples examples;
    for (const auto& [k, v] : doc) {
        std::string route(k.str());
        auto space = route.find(' ');
        if (space == std::string::npos || (route.size() > space + 1 && route[space + 1] != '/') ||
            !v.is_table())
            throw std::invalid_argument(
                fmt::format("{}: [\"{}\"]: a route's table is named \"METHOD /path\", e.g. [\"GET "
                            "/price/{{item_id}}\"]",
                            file.string(), route));
        examples[route] = read_example(file, route, *v.as_table());
    }
    return examples;
}

std::vector<PlannedRequest> plan_requests(const std::vector<AppRoute>& routes,
                                          const Examples& examples,
                                          const std::set<std::string>& methods) {
    std::vector<PlannedRequest> planned;
    for (const AppRoute& r : routes) {
        if (r.endpoint.starts_with("fastapi.") || r.endpoint.starts_with("starlette."))
            continue;  // /docs, /openapi.json: the framework's
        PlannedRequest p{.route = r};
        const RouteExample* example = examples.count(r.key()) ? &examples.at(r.key()) : nullptr;
        if (r.kind != "http")
            p.skipped = r.kind == "websocket" ? "a WebSocket route: the doctor sends HTTP requests"
                                              : "a mounted app or static files";
        else if (example && !example->skip.empty())
            p.skipped = "skipped in --examples: " + example->skip;
        else if (r.method != "GET" && r.method != "HEAD" && !methods.count(r.method) && !example)
            p.skipped = "only GET and HEAD are sent unless --methods " + r.method +
                        " (or an --examples entry) allows it";
        else p.target = fill_target(r, example, p.skipped);
        if (example) p.headers = example->headers;
        if (p.skipped.empty() && (r.has_body || (example && !example->body.empty())))
            p.body = example && !example->body.empty() ? example->body
                                                       : sample_body(r.body_schema).dump();
        planned.push_back(std::move(p));
    }
    return planned;
}

}  // namespace lab
