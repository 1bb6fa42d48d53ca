#pragma once
// A Redis of the lab's own (Debian's redis-server): a unix socket in a temporary folder, no TCP
// port, nothing saved; removed when this object goes and, by its keeper, however `lab` ends.
#include <string>

#include "lab/services/keeper.hpp"

namespace lab {

class PrivateRedis : public KeptService {
public:
    PrivateRedis();  // throws std::runtime_error, one line
    const std::string& url() const { return url_; }  // unix:///FOLDER/redis.sock
    // FLUSHALL: every key gone; throws std::runtime_error (one line) if refused
    void flush() const;

private:
    std::string url_;
};

}  // namespace lab
