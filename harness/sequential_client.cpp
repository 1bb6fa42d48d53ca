// The sequential client: cpp-httplib's blocking client sends one request, waits for the answer,
// then sends the next, as code that awaits each call in turn does. N requests take at least N·d.
#include <httplib.h>

#include "harness/load_generator.hpp"
#include "lab/clock.hpp"

namespace lab {

Batch run_sequential_batch(const LoadSpec& spec, int batch_number) {
    const std::int64_t origin = monotonic_us();
    auto now = [origin] { return monotonic_us() - origin; };
    httplib::Client client(spec.host, spec.port);
    client.set_keep_alive(true);
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(spec.timeout).count();
    client.set_read_timeout(seconds, 0);
    client.set_connection_timeout(seconds, 0);

    Batch batch{batch_number, {}};
    for (int i = 0; i < spec.requests; ++i) {
        RequestRecord r;
        r.batch = batch_number;
        r.index = i;
        r.intended_us = r.send_us = now();
        auto result = spec.method == "POST" ? client.Post(spec.target.c_str())
                                            : client.Get(spec.target.c_str());
        r.end_us = now();
        if (!result) {
            r.error = result.error() == httplib::Error::Connection ? ErrorKind::connect
                    : result.error() == httplib::Error::Write      ? ErrorKind::write
                                                                   : ErrorKind::read;
        } else {
            r.status = result->status;
            r.bytes = result->body.size();
            if (r.status >= 400) r.error = ErrorKind::status;
            read_server_stamps(result->body, origin, r);
        }
        batch.requests.push_back(r);
        if (spec.on_answer) spec.on_answer(i + 1, spec.requests);
    }
    return batch;
}

}  // namespace lab
