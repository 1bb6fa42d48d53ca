#pragma once
// Handing a connection from one process to another: the descriptor itself travels over a unix
// socket (SCM_RIGHTS), and the receiver gets its own descriptor for the same TCP connection.
// This is how Node's cluster module balances: one process accepts, and deals connections out.
// Plain POSIX, no Asio: the supervisor's dealing thread must not take locks a fork could copy.

namespace lab {

// A connected pair of unix sockets, one descriptor per message (SOCK_SEQPACKET). false on error.
bool handoff_channel(int ends[2]);

// Sends `fd` on `channel` without blocking: sent, or the receiver's queue is full (it is busy),
// or the receiver is gone (no SIGPIPE).
enum class Handed { sent, full, gone };
Handed send_descriptor(int channel, int fd);

// Receives one descriptor without blocking: the descriptor; -1 if none is waiting yet; -2 if the
// sender has gone away.
int receive_descriptor(int channel);

}  // namespace lab
