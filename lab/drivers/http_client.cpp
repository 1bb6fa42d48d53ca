#include "lab/drivers/http_client.hpp"

#include <memory>
#include <stdexcept>

#include <httplib.h>

#include "lab/target_url.hpp"

namespace lab {
namespace {

std::string target(Micros d) { return "/delay?ms=" + std::to_string(d.count() / 1000); }

std::string where(const Downstream& to) { return "downstream " + to.host + ":" + std::to_string(to.port); }

std::unique_ptr<Downstream> process_downstream;

void refuse_unless_ok(const Downstream& to, int status) {
    if (status != 200) throw std::runtime_error(where(to) + " answered " + std::to_string(status));
}

// Beast's request and answer on an open connection, which is then shut (one call, one connection).
asio::awaitable<http::response<http::string_body>> exchange(beast::tcp_stream& connection, const Downstream& to, Micros d) {
    http::request<http::empty_body> request{http::verb::get, target(d), 11};
    request.set(http::field::host, to.host);
    co_await http::async_write(connection, request, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> answer;
    co_await http::async_read(connection, buffer, answer, asio::use_awaitable);
    beast::error_code ignored;
    connection.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return answer;
}

}  // namespace

// The two take the same steps in the same order, each through its own library, as `requests`
// and `httpx` are two: a connection that allows 90 s for the answer, the request and the wait for
// its answer (the one line where they differ in kind), and its status.
void call_downstream_blocking(const Downstream& to, Micros d) {
    httplib::Client connection(to.host, to.port);
    connection.set_read_timeout(std::chrono::seconds(90));
    auto answer = connection.Get(target(d).c_str());  // this thread waits for the answer
    if (!answer) throw std::runtime_error(where(to) + ": " + httplib::to_string(answer.error()));
    refuse_unless_ok(to, answer->status);
}

asio::awaitable<void> call_downstream_awaiting(const Downstream& to, Micros d) {
    beast::tcp_stream connection{co_await asio::this_coro::executor};
    connection.expires_after(std::chrono::seconds(90));
    co_await connection.async_connect(tcp::endpoint{asio::ip::make_address(to.host), to.port}, asio::use_awaitable);
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
