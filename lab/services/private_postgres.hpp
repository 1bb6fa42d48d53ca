#pragma once
// A PostgreSQL cluster of the lab's own (Debian's postgresql-15): initdb in a temporary folder,
// listening on a unix socket there and on no TCP port, fsync off (nothing here needs to survive
// a crash), removed when this object goes and, by its keeper, however `lab` ends. Its
// start_seconds() are initdb's and the start's, until it answers.
#include <string>

#include "lab/services/keeper.hpp"

namespace lab {

class PrivatePostgres : public KeptService {
public:
    explicit PrivatePostgres(int max_connections = 200);  // throws std::runtime_error, one line
    // postgresql://lab@/postgres?host=FOLDER
    const std::string& url() const { return url_; }
    // postgresql://lab@/DATABASE?host=FOLDER
    std::string database_url(const std::string& database) const;

private:
    std::string url_;
};

}  // namespace lab
