#pragma once
// A PostgreSQL cluster of the lab's own (Debian's postgresql-15): initdb in a temporary folder,
// listening on a unix socket there and on no TCP port, fsync off (nothing here needs to survive
// a crash), removed when this object goes and, by its keeper, however `lab` ends.
#include <memory>
#include <string>

#include "lab/services/keeper.hpp"

namespace lab {

class PrivatePostgres {
public:
    explicit PrivatePostgres(int max_connections = 200);  // throws std::runtime_error, one line
    ~PrivatePostgres();
    const std::string& url() const { return url_; }  // postgresql://lab@/postgres?host=FOLDER
    std::string database_url(
        const std::string& database) const;  // postgresql://lab@/DATABASE?host=FOLDER
    const std::filesystem::path& folder() const { return kept_->folder(); }
    double start_seconds() const {
        return kept_->start_seconds();
    }  // initdb + start until it answers
    pid_t keeper_pid() const { return kept_->keeper_pid(); }

private:
    std::string url_;
    std::unique_ptr<KeptService> kept_;
};

}  // namespace lab
