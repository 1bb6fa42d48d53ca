#include "lab/live/batch_replay.hpp"

#include <algorithm>
#include <initializer_list>
#include <tuple>
#include <utility>

#include "lab/live/batch_drawing.hpp"

namespace lab {

std::vector<nlohmann::json> replayed_batch(const Batch& batch, int c, int batches) {
    BatchDrawing drawing(0);  // (the batch's axis is the recorded one: its origin is 0)
    std::vector<nlohmann::json> events{
        drawing.configuration(c, batches),
        drawing.batch_started(batch.number, 0, static_cast<int>(batch.requests.size()))};
    // Each moment of each request, in the order they happened (a request's own in the order sent,
    // begun, ended, answered).
    enum Kind { sent, started, ended, answered, probe };
    struct Moment {
        std::int64_t at_us;
        Kind kind;
        const RequestRecord* record;
    };
    std::vector<Moment> moments;
    for (const RequestRecord& r : batch.requests)
        for (auto [at, kind] :
             std::initializer_list<std::pair<std::int64_t, Kind>>{{r.send_us, sent},
                                                                  {r.server_start_us, started},
                                                                  {r.server_end_us, ended},
                                                                  {r.end_us, answered}})
            if (at >= 0 && r.send_us >= 0) moments.push_back({at, kind, &r});
    for (const RequestRecord& p : batch.probes)
        if (p.send_us >= 0 && p.end_us >= 0) moments.push_back({p.end_us, probe, &p});
    std::stable_sort(moments.begin(), moments.end(), [](const Moment& x, const Moment& y) {
        return std::tie(x.at_us, x.kind) < std::tie(y.at_us, y.kind);
    });
    double t = 0;
    auto told = [&](std::optional<nlohmann::json> event) {
        if (!event) return;
        if (!event->contains("t")) (*event)["t"] = t;  // (a count: at the answer it follows)
        events.push_back(std::move(*event));
    };
    for (const Moment& m : moments) {
        const RequestRecord& r = *m.record;
        t = static_cast<double>(m.at_us) / 1e6;
        const int port = r.index + 1;  // (a connection's name for the marks: any, one per request)
        if (m.kind == sent) told(drawing.sent(r.index, r.send_us, port));
        if (m.kind == started || m.kind == ended)
            told(drawing.mark({.mark = m.kind == started ? live::Mark::started : live::Mark::ended,
                               .request = port,
                               .at_us = m.at_us,
                               .pid = 0,
                               .what = {}}));
        if (m.kind == answered)
            for (nlohmann::json& e : drawing.answered(r)) told(std::move(e));
        if (m.kind == probe) told(drawing.probe_answered(r));
    }
    told(drawing.batch_finished());
    return events;
}

}  // namespace lab
