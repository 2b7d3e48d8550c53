#ifndef RECONCILE_CSPAWN_H
#define RECONCILE_CSPAWN_H

#include <spawn.h>

/// The pipe and posix_spawn file actions that glibc declares only under _GNU_SOURCE, which the Swift Glibc
/// module does not expose. Each returns 0 or an errno value, like the glibc function it wraps.

/// The child closes every descriptor from `lowest` up (glibc 2.34+), so it inherits nothing
/// but the standard three from a parent whose other threads open files at the same moment.
int reconcile_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int lowest);

/// The child changes to `path` before it runs the program (glibc 2.29+).
int reconcile_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path);

/// pipe2(fds, O_CLOEXEC): a pipe whose ends no spawned program inherits.
int reconcile_pipe_cloexec(int fds[2]);

#endif
