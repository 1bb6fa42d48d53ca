#include "lab/drivers/socket_wait.hpp"

#include <cerrno>

#include <poll.h>

namespace lab {

void wait_until(int fd, Ready ready) {
    pollfd p{fd, static_cast<short>(ready == Ready::to_read ? POLLIN : POLLOUT), 0};
    while (poll(&p, 1, -1) < 0 && errno == EINTR) {}
    // (An error or hang-up is ready too: the next library call on the socket says what happened.)
}

asio::awaitable<void> Watched::until(Ready ready) {
    co_await socket_.async_wait(ready == Ready::to_read
                                    ? asio::posix::stream_descriptor::wait_read
                                    : asio::posix::stream_descriptor::wait_write,
                                asio::use_awaitable);
}

}  // namespace lab
