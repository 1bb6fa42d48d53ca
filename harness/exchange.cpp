#include "harness/exchange.hpp"

#include <algorithm>

namespace lab {
namespace {

// Why reading an answer failed: its time ran out, it was larger than the limits, or the read did.
ErrorKind kind_of(const beast::error_code& ec, ErrorKind otherwise) {
    if (ec == http::error::header_limit) return ErrorKind::head_over_limit;
    if (ec == http::error::body_limit) return ErrorKind::body_over_limit;
    return ec == beast::error::timeout ? ErrorKind::timeout : otherwise;
}

bool interim(unsigned status) { return status >= 100 && status < 200 && status != 101; }

// Reads an answer's status line and body and passes over its header fields but the lab probe's
// stamps (Beast's own parser still decides the framing and keep-alive from them). A load tester
// reads tens of thousands of answers a second; keeping each one's fields would cost more than the
// rest of the exchange. Of a body it keeps the first MiB (where a lab server's stamps are) and
// counts the rest, so a larger --max-body costs no memory.
class AnswerParser : public http::basic_parser<false> {
public:
    explicit AnswerParser(AnswerLimits limits) {
        header_limit(static_cast<std::uint32_t>(limits.head));
        body_limit(limits.body);
    }
    unsigned status = 0;
    std::string body;
    std::size_t body_bytes = 0;
    HeaderStamps stamps;  // a probed app's (most answers have no such field: one compare each)

private:
    void on_request_impl(http::verb, beast::string_view, beast::string_view, int,
                         beast::error_code&) override {}
    void on_response_impl(int code, beast::string_view, int, beast::error_code&) override {
        status = static_cast<unsigned>(code);
    }
    void on_field_impl(http::field field, beast::string_view name, beast::string_view value,
                       beast::error_code&) override {
        if (field == http::field::unknown && !name.empty() && (name[0] == 'x' || name[0] == 'X'))
            stamps.read({name.data(), name.size()}, {value.data(), value.size()});
    }
    void on_header_impl(beast::error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>&, beast::error_code&) override {}
    std::size_t on_body_impl(beast::string_view piece, beast::error_code&) override {
        return keep(piece);
    }
    void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view piece,
                                   beast::error_code&) override {
        return keep(piece);
    }
    std::size_t keep(beast::string_view piece) {
        constexpr std::size_t kept = 1 << 20;
        body_bytes += piece.size();
        if (body.size() < kept)
            body.append(piece.data(), std::min(piece.size(), kept - body.size()));
        return piece.size();
    }
    void on_finish_impl(beast::error_code&) override {}
};

// Sends a request at once (TimedSocket::write_some), and through the loop only for what is left
// when the socket's buffer is full: a request is a few hundred bytes, and it all goes. (wrk waits
// for epoll to call its socket writable first: one more turn a request.)
asio::awaitable<void> send_request(TimedSocket& stream, const std::string& bytes,
                                   beast::error_code& ec) {
    std::size_t sent = stream.write_some(asio::buffer(bytes), ec);
    if (ec == asio::error::would_block) ec = {};
    if (ec || sent == bytes.size()) co_return;
    co_await asio::async_write(stream, asio::buffer(bytes.data() + sent, bytes.size() - sent),
                               asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

asio::awaitable<bool> open_connection(TimedSocket& stream, const tcp::endpoint& endpoint,
                                      std::chrono::milliseconds timeout, std::string* why) {
    beast::error_code ec;
    // Opened and set non-blocking first: Asio's connect then makes no ioctl of its own, and the
    // first request's send none either (TimedSocket::never_block).
    if (!stream.socket().is_open()) stream.socket().open(endpoint.protocol(), ec);
    if (!ec) ec = stream.never_block();
    if (!ec) {
        stream.expires_after(timeout);
        co_await stream.socket().async_connect(endpoint,
                                               asio::redirect_error(asio::use_awaitable, ec));
        stream.expires_never();
    }
    if (ec && why) *why = ec.message();
    co_return !ec;
}

int local_port(TimedSocket& stream) {
    beast::error_code ec;
    auto endpoint = stream.socket().local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

asio::awaitable<bool> exchange(TimedSocket& stream, beast::flat_buffer& buffer,
                               const std::string& bytes, std::chrono::milliseconds timeout,
                               std::int64_t origin_us, RequestRecord& r, std::string* body,
                               AnswerLimits limits) {
    auto now = [origin_us] { return monotonic_us() - origin_us; };
    beast::error_code ec;
    stream.expires_after(timeout);
    r.send_us = now();
    co_await send_request(stream, bytes, ec);
    if (ec) {
        r.error = kind_of(stream.error(ec), ErrorKind::write);
        r.end_us = now();
        co_return false;
    }
    for (;;) {
        AnswerParser parser(limits);
        parser.skip(bytes.starts_with("HEAD "));  // HEAD's answer announces a body it never sends
        do {
            co_await http::async_read_some(stream, buffer, parser,
                                           asio::redirect_error(asio::use_awaitable, ec));
            if (r.first_byte_us < 0 && !ec) r.first_byte_us = now();
        } while (!ec && !parser.is_done());
        r.end_us = now();
        if (ec) {
            r.error = kind_of(stream.error(ec), ErrorKind::read);
            r.first_byte_us = -1;
            co_return false;
        }
        if (interim(parser.status)) {  // e.g. 100 Continue: the real answer follows
            r.end_us = -1;
            continue;
        }
        r.status = static_cast<int>(parser.status);
        r.bytes = parser.body_bytes;
        if (r.status >= 400) r.error = ErrorKind::status;
        read_server_stamps(parser.body, origin_us, r);
        parser.stamps.apply(origin_us, r);
        if (body) *body = std::move(parser.body);
        co_return parser.keep_alive();
    }
}

}  // namespace lab
