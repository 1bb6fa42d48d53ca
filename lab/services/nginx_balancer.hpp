#pragma once
// nginx (Debian's nginx-light) in front of H `lab serve` hosts: the lab's load balancer for
// scale-out. Its config is generated into a temporary folder, with an upstream of the hosts
// balanced `round-robin` (nginx's default: each request to the next host) or `least_conn` (to
// the host with the fewest requests in progress). It listens on 127.0.0.1 only, runs as one
// process (master_process off), and is stopped, its folder deleted, when this object goes and,
// by its keeper, however `lab` ends.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lab/named.hpp"
#include "lab/services/keeper.hpp"

namespace lab {

// nginx's balancing of the hosts: each request to the next host, or to the least busy one.
enum class Upstream { round_robin, least_conn };
template <>
struct Names<Upstream> {
    static constexpr std::pair<Upstream, std::string_view> list[] = {
        {Upstream::round_robin, "round-robin"}, {Upstream::least_conn, "least_conn"}};
};

class NginxBalancer : public KeptService {
public:
    // Throws std::runtime_error (one line) if nginx is missing or does not start.
    NginxBalancer(const std::vector<std::uint16_t>& host_ports, Upstream upstream);
    std::uint16_t port() const { return port_; }

    // nginx.conf for these hosts, listening on `port`, with its files in `folder`.
    static std::string config(const std::vector<std::uint16_t>& host_ports, Upstream upstream,
                              std::uint16_t port, const std::filesystem::path& folder);

private:
    // On `port`, a free one found beforehand.
    NginxBalancer(const std::vector<std::uint16_t>& host_ports, Upstream upstream,
                  std::uint16_t port);
    std::uint16_t port_ = 0;
};

}  // namespace lab
