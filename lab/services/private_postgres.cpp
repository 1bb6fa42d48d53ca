#include "lab/services/private_postgres.hpp"

#include <cstdlib>

#include <libpq-fe.h>

namespace lab {
namespace {

// A database of the cluster in `folder`, reached as the superuser lab through its unix socket.
std::string url_of(const std::filesystem::path& folder, const std::string& database) {
    return "postgresql://lab@/" + database + "?host=" + folder.string();
}

ServiceSpec postgres_spec(const std::filesystem::path& folder, int max_connections) {
    const char* bin_env = std::getenv("LAB_PG_BIN");
    std::string bin = bin_env && *bin_env ? bin_env : "/usr/lib/postgresql/15/bin";
    std::string data = (folder / "data").string();
    ServiceSpec spec;
    spec.name = "PostgreSQL";
    spec.missing = "PostgreSQL is not installed: apt-get install postgresql-15";
    // A superuser named lab that needs no password: the socket is in the folder, which only
    // its owner (and root) can enter (mkdtemp makes it 0700).
    spec.setup = {{bin + "/initdb", "-D", data, "-U", "lab", "--auth=trust", "--no-sync", "-E",
                   "UTF8", "--no-locale", "--no-instructions"}};
    spec.command = {bin + "/postgres", "-D", data, "-k", folder.string()};
    for (const std::string& setting : std::vector<std::string>{
             "listen_addresses=", "fsync=off", "synchronous_commit=off", "full_page_writes=off",
             "max_connections=" + std::to_string(max_connections)})
        spec.command.insert(spec.command.end(), {"-c", setting});
    spec.ready = [url = url_of(folder, "postgres")] { return PQping(url.c_str()) == PQPING_OK; };
    // SIGINT is "fast shutdown": roll back, close connections, stop. It must be postgres that
    // stops its backends: each leads a process group of its own, out of reach of the keeper's
    // signal to the group (and each exits by itself when it sees postgres gone).
    spec.polite_signal = SIGINT;
    spec.as_postgres_user = true;
    return spec;
}

}  // namespace

PrivatePostgres::PrivatePostgres(int max_connections)
    : KeptService("pg",
                  [&](const std::filesystem::path& folder) {
                      return postgres_spec(folder, max_connections);
                  }),
      url_(url_of(folder(), "postgres")) {}

std::string PrivatePostgres::database_url(const std::string& database) const {
    return url_of(folder(), database);
}

}  // namespace lab
