#pragma once
// A Redis of the lab's own (Debian's redis-server): a unix socket in a temporary folder, no TCP
// port, nothing saved to disk; removed when this object goes and, by its keeper, however `lab`
// ends.
#include <memory>
#include <string>

#include "lab/services/keeper.hpp"

namespace lab {

class PrivateRedis {
public:
    PrivateRedis();  // throws std::runtime_error, one line
    ~PrivateRedis();
    const std::string& url() const { return url_; }  // unix:///FOLDER/redis.sock
    // FLUSHALL: every key gone; throws std::runtime_error (one line) if refused
    void flush() const;
    const std::filesystem::path& folder() const { return kept_->folder(); }
    double start_seconds() const { return kept_->start_seconds(); }
    pid_t keeper_pid() const { return kept_->keeper_pid(); }

private:
    std::string url_;
    std::unique_ptr<KeptService> kept_;
};

}  // namespace lab
