#include "harness/raw_client.hpp"

#include "lab/asio.hpp"

namespace lab {

RawReply send_raw(const std::string& host, std::uint16_t port, const std::string& bytes,
                  std::chrono::milliseconds timeout, int replies) {
    asio::io_context context{1};
    beast::tcp_stream stream{context};
    RawReply reply;
    beast::error_code ec;
    stream.expires_after(timeout);
    stream.connect(tcp::endpoint{asio::ip::make_address(host), port}, ec);
    if (ec) return {0, {}, {}, true, "connect: " + ec.message()};
    asio::write(stream.socket(), asio::buffer(bytes), ec);
    beast::flat_buffer buffer;
    for (int i = 0; i < replies; ++i) {
        http::response_parser<http::string_body> parser;
        parser.body_limit(raw_answer_body_limit);
        stream.expires_after(timeout);
        // Asynchronous so that the stream's timeout applies; one thread, run to completion.
        http::async_read(stream, buffer, parser,
                         [&](beast::error_code read_ec, std::size_t) { ec = read_ec; });
        context.restart();
        context.run();
        if (ec && !parser.is_header_done()) {
            reply.closed = true;
            reply.error = ec.message();
            return reply;
        }
        reply.status = static_cast<int>(parser.get().result_int());
        reply.statuses.push_back(reply.status);
        reply.body = parser.get().body();
        reply.closed = !parser.get().keep_alive();
        if (ec == http::error::body_limit) {  // (it answered: the lab did not read it all)
            reply.error = "answered " + std::to_string(reply.status) + ", its body over the " +
                          std::to_string(raw_answer_body_limit >> 20) + " MiB the lab reads";
            return reply;
        }
        if (reply.closed) break;
    }
    return reply;
}

}  // namespace lab
