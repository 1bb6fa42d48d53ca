#pragma once
// Why a PID namespace for a learner's app: a cgroup (lab/containment/server_cgroup.hpp) can be left
// by a root app (it writes its pid into another group), and its guard killed or stopped. A PID
// namespace cannot be left at all. serve.py starts as its first process (PID 1, its init): the
// processes inside cannot kill or stop it (the kernel drops every signal they send it that it has
// no handler for, SIGKILL and SIGSTOP always), they cannot see lab, the guard or the services
// (the namespace has a /proc of its own), and when its init dies (lab stopped it, or lab died and
// its death signal came) the kernel kills everything in it. As root the namespace is the
// system's; as another user it comes inside a user namespace of its own that maps that user to
// itself. Where both are refused (a container without CAP_SYS_ADMIN) the app runs beside lab.
// Inside, the pids are the namespace's (serve.py is 1): the worker_id of the app's answers is
// unique there, all lab asks of it. (Orphans there are handed to serve.py, a subreaper already,
// which leaves them zombies until it stops and reaps them: harmless, and gone with it.)
#include <string>

#include <sys/types.h>

namespace lab {

// Why servers get no namespace here ("" when they do); the first call asks the system.
const std::string& pid_namespace_refused();

// As fork(), the child the first process of a new PID namespace with /proc of its own where
// pid_namespace_refused() is "" (else a plain fork). In the child only async-signal-safe calls.
pid_t fork_into_own_pid_namespace();

}  // namespace lab
