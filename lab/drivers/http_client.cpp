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

}  // namespace

void call_downstream_blocking(const Downstream& to, Micros d) {
    httplib::Client client(to.host, to.port);
    client.set_read_timeout(std::chrono::seconds(90));
    auto answer = client.Get(target(d).c_str());  // this thread waits for the answer
    if (!answer) throw std::runtime_error(where(to) + ": " + httplib::to_string(answer.error()));
    if (answer->status != 200) throw std::runtime_error(where(to) + " answered " + std::to_string(answer->status));
}

asio::awaitable<void> call_downstream_awaiting(const Downstream& to, Micros d) {
    beast::tcp_stream stream{co_await asio::this_coro::executor};
    stream.expires_after(std::chrono::seconds(90));
    co_await stream.async_connect(tcp::endpoint{asio::ip::make_address(to.host), to.port}, asio::use_awaitable);
    http::request<http::empty_body> request{http::verb::get, target(d), 11};
    request.set(http::field::host, to.host);
    co_await http::async_write(stream, request, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> answer;
    co_await http::async_read(stream, buffer, answer, asio::use_awaitable);  // the loop serves others meanwhile
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (answer.result_int() != 200) throw std::runtime_error(where(to) + " answered " + std::to_string(answer.result_int()));
}

const Downstream* downstream() { return process_downstream.get(); }

void use_downstream(const std::string& url) {
    TargetUrl parsed = parse_target_url(url);
    if (!parsed.error.empty()) throw std::invalid_argument("--downstream-url: " + parsed.error);
    process_downstream = std::make_unique<Downstream>(Downstream{parsed.host, parsed.port});
}

}  // namespace lab
