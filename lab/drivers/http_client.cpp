#include "lab/drivers/http_client.hpp"

#include <sys/socket.h>

#include <memory>
#include <stdexcept>

#include "lab/target_url.hpp"

namespace lab {
namespace {

std::string target(Micros d) { return "/delay?ms=" + std::to_string(d.count() / 1000); }

std::string where(const Downstream& to) { return "downstream " + to.host + ":" + std::to_string(to.port); }

std::unique_ptr<Downstream> process_downstream;

void refuse_unless_ok(const Downstream& to, int status) {
    if (status != 200) throw std::runtime_error(where(to) + " answered " + std::to_string(status));
}

tcp::endpoint endpoint(const Downstream& to) { return {asio::ip::make_address(to.host), to.port}; }

http::request<http::empty_body> request(const Downstream& to, Micros d) {
    http::request<http::empty_body> get{http::verb::get, target(d), 11};
    get.set(http::field::host, to.host);
    return get;
}

// A blocking socket's reads give up after `limit` (the kernel's SO_RCVTIMEO): the blocking
// client's 90 s, as Beast's timers give the awaiting one.
void give_up_reading_after(tcp::socket& socket, std::chrono::seconds limit) {
    timeval tv{.tv_sec = static_cast<time_t>(limit.count()), .tv_usec = 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

// Beast's request and answer on an open connection, which is then shut (one call, one connection).
asio::awaitable<http::response<http::string_body>> exchange(beast::tcp_stream& connection, const Downstream& to, Micros d) {
    co_await http::async_write(connection, request(to, d), asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> answer;
    co_await http::async_read(connection, buffer, answer, asio::use_awaitable);
    beast::error_code ignored;
    connection.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return answer;
}

}  // namespace

// The two take the same steps in the same order, as `requests` and `httpx` do: a connection that
// allows 90 s for the answer, the request and the wait for its answer (the line where they differ
// in kind: Beast's synchronous read or its awaited one), and its status.
void call_downstream_blocking(const Downstream& to, Micros d) {
    asio::io_context unused;  // a socket needs a context, but no loop runs here: each call waits on this thread
    tcp::socket connection{unused};
    http::response<http::string_body> answer;
    try {
        connection.connect(endpoint(to));
        give_up_reading_after(connection, std::chrono::seconds(90));
        http::write(connection, request(to, d));
        beast::flat_buffer buffer;
        http::read(connection, buffer, answer);  // this thread waits for the answer
    } catch (const beast::system_error& e) {
        throw std::runtime_error(where(to) + ": " + e.code().message());
    }
    refuse_unless_ok(to, answer.result_int());
}

asio::awaitable<void> call_downstream_awaiting(const Downstream& to, Micros d) {
    beast::tcp_stream connection{co_await asio::this_coro::executor};
    connection.expires_after(std::chrono::seconds(90));
    co_await connection.async_connect(endpoint(to), asio::use_awaitable);
    http::response<http::string_body> answer = co_await exchange(connection, to, d);  // the loop serves others meanwhile
    refuse_unless_ok(to, answer.result_int());
}

const Downstream* downstream() { return process_downstream.get(); }

void use_downstream(const std::string& url) {
    TargetUrl parsed = parse_target_url(url);
    if (!parsed.error.empty()) throw std::invalid_argument("--downstream-url: " + parsed.error);
    process_downstream = std::make_unique<Downstream>(Downstream{parsed.host, parsed.port});
}

}  // namespace lab
