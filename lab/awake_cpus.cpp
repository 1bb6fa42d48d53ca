#include "lab/awake_cpus.hpp"

#include <cstdint>

#include <fcntl.h>
#include <unistd.h>

namespace lab {

AwakeCpus::AwakeCpus(bool wanted) {
    if (!wanted) return;
    // (O_CLOEXEC: the servers it starts meanwhile do not hold the request too.)
    fd_ = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) return;  // not root, or no such interface: the machine's own idle states
    const std::int32_t no_exit_latency_us = 0;
    // (A write that fails, or is cut short, leaves the machine as it was: the run measures anyway.)
    if (write(fd_, &no_exit_latency_us, sizeof no_exit_latency_us) != sizeof no_exit_latency_us) {
        close(fd_);
        fd_ = -1;
    }
}

AwakeCpus::~AwakeCpus() {
    if (fd_ >= 0) close(fd_);  // Linux drops the request with the file
}

}  // namespace lab
