// The live view's server, on a thread of its own: the page's connections (at most
// live_connections_at_most), each page's stream of every event so far and every new one, and the
// servers' marks, received on a datagram socket. What the events say is batch_drawing's; what
// the other addresses answer, page_routes'.
#include "lab/live/live_hub.hpp"

#include <fcntl.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

#include "lab/timed_socket.hpp"
#include "lab/asio.hpp"
#include "lab/clock.hpp"
#include "lab/live/mark_senders.hpp"
#include "lab/live/page_routes.hpp"
#include "lab/server/live_events.hpp"

namespace lab {

using json = nlohmann::json;

struct LiveHub::Impl {
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    asio::local::datagram_protocol::socket marks{io};
    std::string marks_folder;  // the marks socket's: this user's alone (0700)
    live::OwnProcesses senders;  // whose marks are drawn: this process's and those it started
    int connections = 0;  // open now (on the hub's thread only), at most live_connections_at_most
    // The connections that have not yet sent a whole request, oldest first, each with when it was
    // accepted (nullptr: evicted): past the cap, one idle half a second is closed to let a newcomer
    // in, so that connections held idle cannot lock the page out (on the hub's thread only).
    std::list<std::pair<tcp::socket*, std::int64_t>> idle;
    // The pages' event streams, oldest first (nullptr: evicted): past the cap, with no idle one to
    // close, the oldest stream is closed (its page's EventSource asks again), so that streams held
    // open, by one client or by a crowd, never keep the page and the form from being served.
    std::list<tcp::socket*> streams;
    asio::steady_timer changed{io, asio::steady_timer::time_point::max()};  // cancelled on news
    std::atomic<int> viewers{0};
    std::uint16_t port = 0;  // the page's, read once before the thread starts
    std::string shown_host;  // as its URL names it
    std::string url() const { return "http://" + shown_host + ":" + std::to_string(port) + "/"; }
    std::thread thread;
    const std::int64_t opened_us = monotonic_us();

    // --predict-page: the room's form and what it was sent
    std::atomic<std::shared_ptr<GuessBox>> guesses;

    BatchDrawing drawing{opened_us};  // what the page is told of the running batch
    std::mutex m;  // guards what follows
    std::vector<std::string> events;  // each "data: {...}\n\n", in order
    bool closing = false;

    void publish(const std::optional<json>& event) {
        if (!event) return;
        {
            std::lock_guard lock(m);
            if (events.size() >= 500'000) return;  // a run that long is drawn no further
            // Any bytes a request's target holds: invalid UTF-8 becomes U+FFFD, never an exception.
            events.push_back(
                "data: " + event->dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n");
        }
        // Wakes every page
        asio::post(io, [this] { changed.expires_at(asio::steady_timer::time_point::max()); });
    }

    // Each datagram with its sender's pid, as the kernel says it: a mark from a process that is not
    // the lab's is forged, and dropped.
    asio::awaitable<void> receive_marks() {
        char buffer[512];
        for (;;) {
            beast::error_code ec;
            co_await marks.async_wait(asio::socket_base::wait_read,
                                      asio::redirect_error(asio::use_awaitable, ec));
            if (ec == asio::error::operation_aborted) co_return;
            pid_t sender = 0;
            for (long n; (n = live::receive_with_sender(marks.native_handle(), buffer,
                                                        sizeof buffer, sender)) >= 0;) {
                if (!senders.includes(sender)) continue;
                live::ReceivedMark mark =
                    live::parse_mark(std::string_view(buffer, static_cast<std::size_t>(n)));
                if (mark.request > 0) publish(drawing.mark(mark));
            }
        }
    }

    // A page sends nothing after its request: a read that ends means it has gone (closed,
    // reloaded); its stream is woken to end, freeing its connection at once, not at the next event.
    asio::awaitable<void> watch_for_leaving(tcp::socket& socket, std::shared_ptr<bool> gone) {
        char byte;
        beast::error_code ec;
        co_await socket.async_read_some(asio::buffer(&byte, 1),
                                        asio::redirect_error(asio::use_awaitable, ec));
        *gone = true;
        changed.expires_at(
            asio::steady_timer::time_point::max());  // (wakes every stream; the others wait again)
    }

    // Streams every event, old and new, until the hub closes or the page goes.
    asio::awaitable<void> stream_events(beast::tcp_stream& stream) {
        beast::error_code ec;
        static const std::string header =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            "Connection: close\r\n\r\n";
        stream.expires_never();
        co_await asio::async_write(stream, asio::buffer(header),
                                   asio::redirect_error(asio::use_awaitable, ec));
        ++viewers;
        const auto listed = streams.insert(streams.end(), &stream.socket());
        auto gone = std::make_shared<bool>(false);
        asio::co_spawn(io, watch_for_leaving(stream.socket(), gone), asio::detached);
        std::size_t sent = 0;
        while (!ec && !*gone) {
            std::string chunk;
            bool over = false;
            {
                std::lock_guard lock(m);
                for (; sent < events.size() && chunk.size() < (1 << 20); ++sent)
                    chunk += events[sent];
                over = closing && sent == events.size();
            }
            if (!chunk.empty()) {
                co_await asio::async_write(stream, asio::buffer(chunk),
                                           asio::redirect_error(asio::use_awaitable, ec));
                continue;  // look again before waiting: news may have come meanwhile
            }
            if (over) break;
            beast::error_code woken;
            co_await changed.async_wait(asio::redirect_error(asio::use_awaitable, woken));
        }
        streams.erase(listed);
        --viewers;
    }

    using Request = http::request<http::string_body>;
    using Answer = http::response<http::string_body>;

    // A page, the room's guess form, or (POST /guess) a sending of guesses: one short answer.
    Answer answer(const Request& req) {
        auto field = [&req](http::field name) {
            auto it = req.find(name);
            return it == req.end() ? std::string_view()
                                   : std::string_view(it->value().data(), it->value().size());
        };
        PageRequest page{.post = req.method() == http::verb::post,
                         .target = std::string_view(req.target().data(), req.target().size()),
                         .content_type = field(http::field::content_type),
                         .origin = field(http::field::origin),
                         .host = field(http::field::host),
                         .cookie = field(http::field::cookie),
                         .body = req.body()};
        return message(answer_page(page, guesses.load().get(), url() + "guess"), req.version());
    }

    // An answer as Beast's message, whole, the connection closed after it.
    static Answer message(PageAnswer a, unsigned version) {
        Answer res{static_cast<http::status>(a.status), version};
        res.set(http::field::content_type, a.type);
        res.set(http::field::cache_control, "no-store");
        if (!a.set_cookie.empty()) res.set(http::field::set_cookie, a.set_cookie);
        res.body() = std::move(a.body);
        res.keep_alive(false);
        res.prepare_payload();
        return res;
    }

    // A body over the limit: 413, then what the client still sends is read (for a second, at most
    // 64 KiB) and dropped, so that the close is no reset and the client reads the answer.
    static asio::awaitable<void> refuse_large(beast::tcp_stream& stream, const Request& req) {
        Answer res = message(too_large_sending(), req.version());
        beast::error_code ec;
        co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream.expires_after(std::chrono::seconds(1));
        char dropped[4096];
        for (std::size_t total = 0; !ec && total < (64 << 10);)
            total += co_await stream.async_read_some(asio::buffer(dropped),
                                                     asio::redirect_error(asio::use_awaitable, ec));
    }

    // Past the cap: a 503 at once, then closed (what the client sent read first, as above).
    static void refuse_busy(tcp::socket& socket) {
        static const std::string body =
            "the live view has " + std::to_string(live_connections_at_most) +
            " connections open, as many as it keeps: try again in a moment\n";
        static const std::string busy =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 1\r\n"
            "Connection: close\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body;
        beast::error_code ec;
        socket.non_blocking(true, ec);
        char dropped[4096];
        socket.read_some(asio::buffer(dropped), ec);
        socket.write_some(asio::buffer(busy), ec);
        socket.shutdown(tcp::socket::shutdown_both, ec);
        socket.close(ec);
    }

    asio::awaitable<void> session(tcp::socket socket) {
        struct Counted {  // (counted in as it was accepted)
            int& open;
            ~Counted() { --open; }
        } counted{connections};
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        http::request_parser<http::string_body> parser;
        parser.body_limit(largest_guess_body);  // the only body the hub reads: a sending of guesses
        beast::error_code ec;
        stream.expires_after(std::chrono::seconds(10));
        auto waiting = idle.insert(idle.end(), {&stream.socket(), monotonic_us()});
        co_await http::async_read(stream, buffer, parser,
                                  asio::redirect_error(asio::use_awaitable, ec));
        idle.erase(waiting);
        if (ec == http::error::body_limit) co_await refuse_large(stream, parser.get());
        if (ec) co_return;
        if (parser.get().target() == "/events") {
            co_await stream_events(stream);
        } else {
            Answer res = answer(parser.get());
            co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        }
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    // Closes the oldest connection idle half a second or more, else the oldest event stream, if
    // any: its session ends.
    bool evict_one() {
        beast::error_code ec;
        for (auto& [socket, since] : idle) {
            if (!socket) continue;
            if (monotonic_us() - since < 500'000) break;
            socket->close(ec);
            socket = nullptr;
            return true;
        }
        for (tcp::socket*& socket : streams)
            if (socket) {
                socket->close(ec);
                socket = nullptr;
                return true;
            }
        return false;
    }

    asio::awaitable<void> accept_pages() {
        for (;;) {
            std::optional<tcp::socket> socket = co_await accept_next(acceptor, "lab live view");
            if (!socket) co_return;
            if (connections >= live_connections_at_most && !evict_one()) {
                refuse_busy(*socket);
                continue;
            }
            ++connections;
            asio::co_spawn(io, session(std::move(*socket)), asio::detached);
        }
    }
};

LiveHub::LiveHub(std::uint16_t port, const std::string& host) : impl_(std::make_unique<Impl>()) {
    Impl& h = *impl_;
    try {
        tcp::endpoint where(asio::ip::make_address(host), port);
        const auto address = where.address();
        // Every address: the URL names this machine's loopback of the same family.
        const std::string text = address.is_unspecified() ? (address.is_v6() ? "::1" : "127.0.0.1")
                                                          : address.to_string();
        h.shown_host = address.is_v6() ? "[" + text + "]" : text;
        h.acceptor.open(where.protocol());
        h.acceptor.set_option(tcp::acceptor::reuse_address(true));
        h.acceptor.bind(where);
        h.acceptor.listen();
    } catch (const std::exception& e) {
        throw std::runtime_error("live view: cannot listen on " + host + ":" +
                                 std::to_string(port) + ": " + e.what());
    }
    h.marks_folder = live::private_marks_folder();
    h.marks.open();
    h.marks.bind(asio::local::datagram_protocol::endpoint(h.marks_folder + "/marks"));
    h.marks.set_option(asio::socket_base::receive_buffer_size(4 << 20));  // marks' bursts wait here
    live::ask_for_senders(h.marks.native_handle());
    asio::co_spawn(h.io, h.accept_pages(), asio::detached);
    asio::co_spawn(h.io, h.receive_marks(), asio::detached);
    // Children (servers, services) must not inherit the page's port or the marks socket.
    fcntl(h.acceptor.native_handle(), F_SETFD, FD_CLOEXEC);
    fcntl(h.marks.native_handle(), F_SETFD, FD_CLOEXEC);
    h.port = h.acceptor.local_endpoint().port();
    h.thread = std::thread([&h] {
        for (;;) {
            try {
                h.io.run();
                return;
            } catch (const std::exception& e) {  // one bad event must not take the server down
                std::fprintf(stderr, "live view: %s\n", e.what());
            }
        }
    });
}

LiveHub::~LiveHub() {
    Impl& h = *impl_;
    {
        std::lock_guard lock(h.m);
        h.closing = true;
    }
    asio::post(h.io, [&h] { h.changed.expires_at(asio::steady_timer::time_point::max()); });
    // Each open page gets every event (the last says the run is over) before the hub goes.
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (h.viewers > 0 && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    h.io.stop();
    h.thread.join();
    std::error_code ignored;
    std::filesystem::remove_all(h.marks_folder, ignored);
}

std::string LiveHub::url() const { return impl_->url(); }

std::string LiveHub::marks_path() const { return impl_->marks_folder + "/marks"; }

bool LiveHub::wait_for_viewer(std::chrono::milliseconds limit) {
    auto give_up = std::chrono::steady_clock::now() + limit;
    while (impl_->viewers == 0 && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return impl_->viewers > 0;
}

void LiveHub::publish(json event) { impl_->publish(event); }

std::string LiveHub::open_guesses(GuessForm form) {
    impl_->guesses.store(std::make_shared<GuessBox>(std::move(form)));
    return url() + "guess";
}

std::size_t LiveHub::guesses_so_far() const {
    auto box = impl_->guesses.load();
    return box ? box->count() : 0;
}

std::vector<std::vector<double>> LiveHub::room_guesses() const {
    auto box = impl_->guesses.load();
    return box ? box->by_configuration() : std::vector<std::vector<double>>{};
}

std::vector<std::vector<double>> LiveHub::close_guesses() {
    auto box = impl_->guesses.load();
    if (!box) return {};
    box->close();
    return box->by_configuration();
}

std::vector<std::size_t> LiveHub::room_choices() const {
    auto box = impl_->guesses.load();
    return box ? box->choice_counts() : std::vector<std::size_t>{};
}

void LiveHub::configuration(int k, int batches) {
    impl_->publish(impl_->drawing.configuration(k, batches));
}

void LiveHub::batch_started(int batch, std::int64_t origin_us, int requests) {
    impl_->publish(impl_->drawing.batch_started(batch, origin_us, requests));
}

void LiveHub::sent(int index, std::int64_t at_us, int port) {
    impl_->publish(impl_->drawing.sent(index, at_us, port));
}

void LiveHub::answered(const RequestRecord& r) {
    for (const json& event : impl_->drawing.answered(r)) impl_->publish(event);
}

void LiveHub::probe_answered(const RequestRecord& probe) {
    impl_->publish(impl_->drawing.probe_answered(probe));
}

void LiveHub::batch_finished(int) { impl_->publish(impl_->drawing.batch_finished()); }

void LiveHub::mark(const live::ReceivedMark& mark) { impl_->publish(impl_->drawing.mark(mark)); }

}  // namespace lab
