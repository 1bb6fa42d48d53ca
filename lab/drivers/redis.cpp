#include "lab/drivers/redis.hpp"

#include <cstdio>
#include <memory>
#include <stdexcept>

#include <hiredis/hiredis.h>

namespace lab {
namespace {

std::unique_ptr<RedisAddress> process_redis;

// The command, as hiredis writes it on the wire: GET lab:greeting, or BLPOP lab:never SECONDS.
std::string command_bytes(Micros wait) {
    char* bytes = nullptr;
    int length = wait.count() == 0
                     ? redisFormatCommand(&bytes, "GET lab:greeting")
                     : redisFormatCommand(&bytes, "BLPOP lab:never %.3f", static_cast<double>(wait.count()) / 1e6);
    if (length < 0) throw std::runtime_error("Redis: cannot format the command");
    std::string text(bytes, static_cast<std::size_t>(length));
    redisFreeCommand(bytes);
    return text;
}

// The reply as text, freed; an error reply throws.
std::string reply_text(redisReply* reply) {
    std::unique_ptr<redisReply, void (*)(void*)> owned{reply, freeReplyObject};
    if (reply->type == REDIS_REPLY_ERROR) throw std::runtime_error("Redis: " + std::string(reply->str, reply->len));
    if (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS) return {reply->str, reply->len};
    return "";  // nil (a missing key, or BLPOP's timeout)
}

}  // namespace

RedisAddress redis_address(const std::string& url) {
    RedisAddress a;
    if (url.rfind("unix://", 0) == 0 && url.size() > 7) {
        a.socket_path = url.substr(7);
        return a;
    }
    char host[64] = {};
    int port = 0;
    if (url.rfind("redis://", 0) == 0 && std::sscanf(url.c_str() + 8, "%63[0-9.]:%d", host, &port) == 2 && port > 0 && port < 65536) {
        a.host = host;
        a.port = port;
        return a;
    }
    throw std::invalid_argument("--redis-url: '" + url + "' is neither unix:///PATH nor redis://IP:PORT");
}

std::string cache_call_blocking(const RedisAddress& redis, Micros wait) {
    std::unique_ptr<redisContext, void (*)(redisContext*)> c{
        redis.socket_path.empty() ? redisConnect(redis.host.c_str(), redis.port) : redisConnectUnix(redis.socket_path.c_str()),
        redisFree};
    if (!c || c->err) throw std::runtime_error("cannot connect to Redis: " + std::string(c ? c->errstr : "out of memory"));
    std::string bytes = command_bytes(wait);
    redisAppendFormattedCommand(c.get(), bytes.data(), bytes.size());
    void* reply = nullptr;
    if (redisGetReply(c.get(), &reply) != REDIS_OK)  // this thread waits for Redis
        throw std::runtime_error("Redis: " + std::string(c->errstr));
    return reply_text(static_cast<redisReply*>(reply));
}

asio::awaitable<std::string> cache_call_awaiting(const RedisAddress& redis, Micros wait) {
    using protocol = asio::generic::stream_protocol;
    auto executor = co_await asio::this_coro::executor;
    protocol::socket socket{executor};
    if (redis.socket_path.empty())
        co_await socket.async_connect(protocol::endpoint{tcp::endpoint{asio::ip::make_address(redis.host),
                                                                       static_cast<unsigned short>(redis.port)}},
                                      asio::use_awaitable);
    else
        co_await socket.async_connect(protocol::endpoint{asio::local::stream_protocol::endpoint{redis.socket_path}},
                                      asio::use_awaitable);
    co_await asio::async_write(socket, asio::buffer(command_bytes(wait)), asio::use_awaitable);
    // Feed hiredis's parser whatever arrives until it has a whole reply; the loop runs meanwhile.
    std::unique_ptr<redisReader, void (*)(redisReader*)> parser{redisReaderCreate(), redisReaderFree};
    char chunk[4096];
    for (;;) {
        void* reply = nullptr;
        if (redisReaderGetReply(parser.get(), &reply) != REDIS_OK) throw std::runtime_error("Redis: unreadable reply");
        if (reply) co_return reply_text(static_cast<redisReply*>(reply));
        std::size_t n = co_await socket.async_read_some(asio::buffer(chunk), asio::use_awaitable);
        redisReaderFeed(parser.get(), chunk, n);
    }
}

const RedisAddress* redis() { return process_redis.get(); }

void use_redis(const std::string& url) { process_redis = std::make_unique<RedisAddress>(redis_address(url)); }

}  // namespace lab
