#include "harness/exchange.hpp"

#include "lab/clock.hpp"

namespace lab {
namespace {

ErrorKind kind_of(const beast::error_code& ec, ErrorKind otherwise) {
    return ec == beast::error::timeout ? ErrorKind::timeout : otherwise;
}

bool interim(unsigned status) { return status >= 100 && status < 200 && status != 101; }

}  // namespace

asio::awaitable<bool> open_connection(beast::tcp_stream& stream, const tcp::endpoint& endpoint,
                                      std::chrono::milliseconds timeout) {
    beast::error_code ec;
    stream.expires_after(timeout);
    co_await stream.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
}

asio::awaitable<bool> exchange(beast::tcp_stream& stream, beast::flat_buffer& buffer, const std::string& bytes,
                               std::chrono::milliseconds timeout, std::int64_t origin_us, RequestRecord& r,
                               std::string* body) {
    auto now = [origin_us] { return monotonic_us() - origin_us; };
    beast::error_code ec;
    stream.expires_after(timeout);
    r.send_us = now();
    co_await asio::async_write(stream, asio::buffer(bytes), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        r.error = kind_of(ec, ErrorKind::write);
        r.end_us = now();
        co_return false;
    }
    for (;;) {
        http::response_parser<http::string_body> parser;
        parser.body_limit(1 << 20);
        co_await http::async_read_some(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        if (r.first_byte_us < 0 && !ec) r.first_byte_us = now();
        while (!ec && !parser.is_done())
            co_await http::async_read_some(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        r.end_us = now();
        if (ec) {
            r.error = kind_of(ec, ErrorKind::read);
            r.first_byte_us = -1;
            co_return false;
        }
        const auto& res = parser.get();
        if (interim(res.result_int())) continue;  // e.g. 100 Continue: the real answer follows
        r.status = static_cast<int>(res.result_int());
        r.bytes = res.body().size();
        if (r.status >= 400) r.error = ErrorKind::status;
        read_server_stamps(res.body(), origin_us, r);
        if (body) *body = res.body();
        co_return res.keep_alive();
    }
}

}  // namespace lab
