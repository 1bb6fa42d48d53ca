#include "lab/services/private_postgres.hpp"

#include <cstdlib>

#include <libpq-fe.h>

namespace lab {
namespace {

// A database of the cluster in `folder`, reached as the superuser lab through its unix socket.
std::string url_of(const std::filesystem::path& folder, const std::string& database) {
    return "postgresql://lab@/" + database + "?host=" + folder.string();
}

}  // namespace

PrivatePostgres::PrivatePostgres(int max_connections) {
    const char* bin_env = std::getenv("LAB_PG_BIN");
    std::string bin = bin_env && *bin_env ? bin_env : "/usr/lib/postgresql/15/bin";
    kept_ = std::make_unique<KeptService>("pg", [&](const std::filesystem::path& folder) {
        url_ = url_of(folder, "postgres");
        std::string data = (folder / "data").string();
        ServiceSpec spec;
        spec.name = "PostgreSQL";
        spec.missing = "PostgreSQL is not installed: apt-get install postgresql-15";
        // A superuser named lab that needs no password: the socket is in the folder, which only
        // its owner (and root) can enter (mkdtemp makes it 0700).
        spec.setup = {{bin + "/initdb", "-D", data, "-U", "lab", "--auth=trust", "--no-sync", "-E",
                       "UTF8", "--no-locale", "--no-instructions"}};
        spec.command = {bin + "/postgres",
                        "-D",
                        data,
                        "-k",
                        folder.string(),
                        "-c",
                        "listen_addresses=",
                        "-c",
                        "fsync=off",
                        "-c",
                        "synchronous_commit=off",
                        "-c",
                        "full_page_writes=off",
                        "-c",
                        "max_connections=" + std::to_string(max_connections)};
        spec.ready = [url = url_] { return PQping(url.c_str()) == PQPING_OK; };
        // SIGINT is "fast shutdown": roll back, close connections, stop. It must be postgres that
        // stops its backends: each leads a process group of its own, out of reach of the keeper's
        // signal to the group (and each exits by itself when it sees postgres gone).
        spec.polite_signal = SIGINT;
        spec.as_postgres_user = true;
        return spec;
    });
}

std::string PrivatePostgres::database_url(const std::string& database) const {
    return url_of(folder(), database);
}

// kept_ goes: the keeper stops it, deletes the folder
PrivatePostgres::~PrivatePostgres() = default;

}  // namespace lab
