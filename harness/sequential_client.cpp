// The sequential client: cpp-httplib's blocking client sends one request, waits for the answer,
// then sends the next, as code that awaits each call in turn does. N requests take at least N·d.
#include <algorithm>
#include <cstdint>

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
    client.set_connection_timeout(seconds, 0);
    // The batch's deadline bounds the whole batch: no request may wait past it.
    const std::int64_t deadline_us = spec.deadline.count() > 0 ? spec.deadline.count() * 1000 : INT64_MAX;

    Batch batch;
    batch.number = batch_number;
    for (int i = 0; i < spec.requests; ++i) {
        RequestRecord r;
        r.batch = batch_number;
        r.index = i;
        r.intended_us = r.send_us = now();
        std::int64_t left_us = std::min<std::int64_t>(deadline_us - r.send_us, seconds * 1'000'000);
        if (left_us <= 0 || batch.cut_off) {  // past the deadline: the rest are recorded, unsent
            batch.cut_off = true;
            r.send_us = -1;
            r.end_us = now();
            r.error = ErrorKind::timeout;
            batch.requests.push_back(r);
            continue;
        }
        client.set_read_timeout(left_us / 1'000'000, left_us % 1'000'000);
        auto result = spec.method == "POST" ? client.Post(spec.target.c_str())
                                            : client.Get(spec.target.c_str());
        r.end_us = now();
        // A read that lasted its whole allowance timed out (httplib says only "read"); when the
        // deadline was that allowance, the batch is cut off there.
        bool timed_out = !result && result.error() == httplib::Error::Read && r.end_us - r.send_us >= left_us * 9 / 10;
        if (timed_out) {
            r.error = ErrorKind::timeout;
            batch.cut_off = deadline_us - r.send_us <= left_us;
        } else if (!result) {
            r.error = result.error() == httplib::Error::Connection ? ErrorKind::connect
                    : result.error() == httplib::Error::Write      ? ErrorKind::write
                                                                   : ErrorKind::read;
        } else {
            r.status = result->status;
            r.bytes = result->body.size();
            if (r.status >= 400) r.error = ErrorKind::status;
            read_server_stamps(result->body, origin, r);
            HeaderStamps stamps;
            for (const auto& [name, value] : result->headers) stamps.read(name, value);
            stamps.apply(origin, r);
        }
        batch.requests.push_back(r);
        if (spec.on_answer) spec.on_answer(i + 1, spec.requests);
    }
    return batch;
}

}  // namespace lab
