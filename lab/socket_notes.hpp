#pragma once
// A read that brings the kernel's note beside the bytes: asked to (a socket option), Linux hands
// over with each read what it knows of them, such as when they arrived (SO_TIMESTAMPNS) or which
// process sent them (SO_PASSCRED), or a descriptor sent with them (SCM_RIGHTS). Used by a
// server's arrival stamps, by round-robin's handed connections and by the live view's marks.
#include <cstddef>

namespace lab {

// Reads what waits on `fd` into `into` (never blocking), and the note of `type` (SCM_TIMESTAMPNS,
// SCM_CREDENTIALS, ...), if the kernel gave one, into `note`, of `note_size` bytes (at most 64).
// Returns the bytes read, 0 or -1 as recvmsg(2) does.
long read_with_note(int fd, void* into, std::size_t room, int type, void* note,
                    std::size_t note_size);

}  // namespace lab
