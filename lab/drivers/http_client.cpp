#include "lab/drivers/http_client.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <memory>
#include <stdexcept>

#include "lab/drivers/socket_wait.hpp"
#include "lab/target_url.hpp"

namespace lab {
namespace {

std::string target(Micros d) { return "/delay?ms=" + std::to_string(d.count() / 1000); }

std::string where(const Downstream& to) {
    return "downstream " + to.host + ":" + std::to_string(to.port);
}

std::unique_ptr<Downstream> process_downstream;

void refuse_unless_ok(const Downstream& to, int status) {
    if (status != 200) throw std::runtime_error(where(to) + " answered " + std::to_string(status));
}

// A socket needs a context, but no loop runs this one: an exchange never waits (its caller does).
asio::io_context& no_loop() {
    static asio::io_context context;
    return context;
}

// One call's exchange with the downstream, on a connection of its own as `requests.get` and a
// fresh `httpx.AsyncClient` make one, without waiting: connect, write the request out, then feed
// Beast's parser what arrives until it holds the whole answer. Each step does what it can at once
// and says whether the socket must be waited for; how to wait is the two clients' one difference.
class HttpExchange {
public:
    HttpExchange(const Downstream& to, Micros d)
        : to_(to), get_{http::verb::get, target(d), 11}, sending_{get_} {
        get_.set(http::field::host, to.host);
        tcp::endpoint at{asio::ip::make_address(to.host), to.port};
        socket_.open(at.protocol());
        socket_.non_blocking(true);
        // (A connection still being made, or refused, shows at the first write: it waits or fails.)
        if (::connect(socket(), at.data(), at.size()) != 0 && errno != EINPROGRESS)
            fail(beast::error_code(errno, asio::error::get_system_category()));
    }
    ~HttpExchange() {  // one call, one connection
        beast::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
    }

    int socket() { return socket_.native_handle(); }

    // Whether bytes of the request are still to be written (or the connection is still being made).
    bool sending() {
        beast::error_code ec;
        while (!ec && !sending_.is_done()) http::write_some(socket_, sending_, ec);
        return still_to_come(ec);
    }

    // Whether the answer is still to come: what has arrived is fed to Beast's parser.
    bool awaiting_answer() {
        beast::error_code ec;
        http::read(socket_, buffer_, answer_, ec);
        return still_to_come(ec);
    }

    int status() { return answer_.get().result_int(); }

private:
    bool still_to_come(const beast::error_code& ec) {
        if (ec && ec != asio::error::would_block) fail(ec);
        return ec == asio::error::would_block;
    }
    [[noreturn]] void fail(const beast::error_code& ec) {
        throw std::runtime_error(where(to_) + ": " + ec.message());
    }

    const Downstream& to_;
    tcp::socket socket_{no_loop()};
    http::request<http::empty_body> get_;
    http::request_serializer<http::empty_body> sending_;
    beast::flat_buffer buffer_;
    http::response_parser<http::string_body> answer_;
};

}  // namespace

// The two differ only in how they wait for the socket (lab/drivers/socket_wait.hpp).
void call_downstream_blocking(const Downstream& to, Micros d) {
    HttpExchange exchange(to, d);
    while (exchange.sending()) wait_until(exchange.socket(), Ready::to_write);
    while (exchange.awaiting_answer())
        wait_until(exchange.socket(), Ready::to_read);  // this thread waits for the answer
    refuse_unless_ok(to, exchange.status());
}

asio::awaitable<void> call_downstream_awaiting(const Downstream& to, Micros d) {
    HttpExchange exchange(to, d);
    Watched socket(co_await asio::this_coro::executor, exchange.socket());
    while (exchange.sending()) co_await socket.until(Ready::to_write);
    while (exchange.awaiting_answer())
        co_await socket.until(Ready::to_read);  // the loop serves others meanwhile
    refuse_unless_ok(to, exchange.status());
}

const Downstream* downstream() { return process_downstream.get(); }

void use_downstream(const std::string& url) {
    TargetUrl parsed = parse_target_url(url);
    if (!parsed.error.empty()) throw std::invalid_argument("--downstream-url: " + parsed.error);
    process_downstream = std::make_unique<Downstream>(Downstream{parsed.host, parsed.port});
}

}  // namespace lab
