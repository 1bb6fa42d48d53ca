#include "lab/figures/busy_machine.hpp"

#include "lab/layout.hpp"

namespace lab {

std::string Disturbance::said() const {
    const std::string amount =
        cores < 0.95 ? fixed(cores, 1) + " of a core" : fixed(cores, 1) + " cores";
    return "other processes used " + amount + " during batch " + std::to_string(batch);
}

std::optional<Disturbance> disturbance(const ConfigurationResult& r) {
    // A server the lab did not start is one of the "others" itself; a row that waits needs no core.
    if (r.configuration.server == Server::external || r.load.work_path() != "/cpu")
        return std::nullopt;
    return busiest_batch(r);
}

std::optional<Disturbance> busiest_batch(const ConfigurationResult& r) {
    std::optional<Disturbance> worst;
    for (const BatchRecord& b : r.batches) {
        const double cores = b.cpu.others_cores();
        if (cores >= others_disturb_from_cores && (!worst || cores > worst->cores))
            worst = Disturbance{b.number, cores};
    }
    return worst;
}

}  // namespace lab
