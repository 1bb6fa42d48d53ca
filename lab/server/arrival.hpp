#pragma once
// When a request's bytes reached the server, as against when its loop read them. A server sees
// only the second; in a blocked loop the first can be seconds earlier, the request waiting in
// its socket all the while. The kernel knows: asked to (SO_TIMESTAMPNS on the listening socket,
// which every accepted socket inherits), it stamps each packet as it arrives, and a read hands
// the stamp over beside the bytes. A server that explains (--explain) or sends live marks
// (--events-to, which --live passes) asks.
#include <cstddef>
#include <cstdint>

namespace lab {

// From now on, every connection accepted on `listening_fd` has its packets stamped on arrival.
void stamp_arrivals(int listening_fd);
bool stamping_arrivals();  // whether this process asked

struct WaitingBytes {
    long bytes = 0;  // read into the buffer: 0 when none were waiting
    std::int64_t arrived_us = 0;  // the kernel's stamp of the first, as monotonic µs (0: none)
};

// Reads what already waits on `fd` (never blocking), with the stamp of its arrival. Bytes that
// were not waiting are read by the server's usual read the moment they come, so their arrival is
// when they were read: only bytes that waited need a stamp.
WaitingBytes read_waiting(int fd, void* into, std::size_t room);

}  // namespace lab
