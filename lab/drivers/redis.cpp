#include "lab/drivers/redis.hpp"

#include <memory>
#include <stdexcept>

#include <hiredis/hiredis.h>

#include "lab/drivers/socket_wait.hpp"

namespace lab {
namespace {

std::unique_ptr<RedisAddress> process_redis;

// The command, as hiredis writes it on the wire: GET lab:greeting, or BLPOP lab:never SECONDS.
std::string command_bytes(Micros wait) {
    char* bytes = nullptr;
    int length = wait.count() == 0 ? redisFormatCommand(&bytes, "GET lab:greeting")
                                   : redisFormatCommand(&bytes, "BLPOP lab:never %.3f",
                                                        static_cast<double>(wait.count()) / 1e6);
    if (length < 0) throw std::runtime_error("Redis: cannot format the command");
    std::string text(bytes, static_cast<std::size_t>(length));
    redisFreeCommand(bytes);
    return text;
}

// The reply as text, freed; an error reply throws.
std::string reply_text(redisReply* reply) {
    std::unique_ptr<redisReply, void (*)(void*)> owned{reply, freeReplyObject};
    if (reply->type == REDIS_REPLY_ERROR)
        throw std::runtime_error("Redis: " + std::string(reply->str, reply->len));
    if (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS)
        return {reply->str, reply->len};
    return "";  // nil (a missing key, or BLPOP's timeout)
}

// One round trip's exchange with Redis on a connection of its own, through hiredis's non-blocking
// context: connect, write the command out, then feed hiredis's reader what arrives until it holds
// a whole reply. Each step does what it can without waiting and says whether the socket must be
// waited for; how to wait is the two drivers' one difference.
class RedisExchange {
public:
    RedisExchange(const RedisAddress& redis, Micros wait)
        : c_(redis.socket_path.empty() ? redisConnectNonBlock(redis.host.c_str(), redis.port)
                                       : redisConnectUnixNonBlock(redis.socket_path.c_str()),
             redisFree) {
        if (!c_ || c_->err)
            throw std::runtime_error("cannot connect to Redis: " +
                                     std::string(c_ ? c_->errstr : "out of memory"));
        std::string bytes = command_bytes(wait);
        redisAppendFormattedCommand(c_.get(), bytes.data(), bytes.size());
    }

    int socket() const { return c_->fd; }

    // Whether bytes of the command are still to be written (or the connection is still being made).
    bool sending() {
        int done = 0;
        // (A connection still being made, or refused, shows here: its first write waits, or fails.)
        if (redisBufferWrite(c_.get(), &done) != REDIS_OK)
            throw std::runtime_error("cannot reach Redis: " + std::string(c_->errstr));
        return !done;
    }

    // Whether the reply is still to come: what has arrived is fed to hiredis's reader.
    bool awaiting_reply() {
        if (redisBufferRead(c_.get()) != REDIS_OK)
            throw std::runtime_error("Redis: " + std::string(c_->errstr));
        void* reply = nullptr;
        if (redisGetReplyFromReader(c_.get(), &reply) != REDIS_OK)
            throw std::runtime_error("Redis: unreadable reply");
        if (!reply) return true;
        reply_ = reply_text(static_cast<redisReply*>(reply));
        return false;
    }

    std::string reply() { return std::move(reply_); }

private:
    std::unique_ptr<redisContext, void (*)(redisContext*)> c_;
    std::string reply_;
};

}  // namespace

RedisAddress redis_address(const std::string& url) {
    RedisAddress a;
    if (url.rfind("unix://", 0) == 0 && url.size() > 7) {
        a.socket_path = url.substr(7);
        return a;
    }
    char host[64] = {};
    int port = 0;
    if (url.rfind("redis://", 0) == 0 &&
        std::sscanf(url.c_str() + 8, "%63[0-9.]:%d", host, &port) == 2 && port > 0 &&
        port < 65536) {
        a.host = host;
        a.port = port;
        return a;
    }
    throw std::invalid_argument("--redis-url: '" + url +
                                "' is neither unix:///PATH nor redis://IP:PORT");
}

// The two differ only in how they wait for the socket (lab/drivers/socket_wait.hpp).
std::string cache_call_blocking(const RedisAddress& redis, Micros wait) {
    RedisExchange exchange(redis, wait);
    while (exchange.sending()) wait_until(exchange.socket(), Ready::to_write);
    while (exchange.awaiting_reply())
        wait_until(exchange.socket(), Ready::to_read);  // this thread waits for Redis
    return exchange.reply();
}

asio::awaitable<std::string> cache_call_awaiting(const RedisAddress& redis, Micros wait) {
    RedisExchange exchange(redis, wait);
    Watched socket(co_await asio::this_coro::executor, exchange.socket());
    while (exchange.sending()) co_await socket.until(Ready::to_write);
    while (exchange.awaiting_reply())
        co_await socket.until(Ready::to_read);  // the loop serves others meanwhile
    co_return exchange.reply();
}

const RedisAddress* redis() { return process_redis.get(); }

void use_redis(const std::string& url) {
    process_redis = std::make_unique<RedisAddress>(redis_address(url));
}

}  // namespace lab
