/*
 * rusage: runs a command and prints what wait4() says it cost, as one line on
 * stderr after the command's own output:
 *   @@rusage=MAXRSS_KIB USER_US SYS_US
 * ru_maxrss is that of the largest single process (the command, or a child it
 * waited for); user and sys are in microseconds (GNU time prints hundredths of
 * a second, too coarse for a 50 ms start). The exit status is the command's
 * (128 + signal when killed). The benchmark compiles it with `cc` at start.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: rusage command [args...]\n");
    return 125;
  }
  pid_t pid = fork();
  if (pid < 0) return 125;
  if (pid == 0) {
    execvp(argv[1], argv + 1);
    perror(argv[1]);
    _exit(127);
  }
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) return 125;
  fprintf(stderr, "@@rusage=%ld %ld %ld\n", ru.ru_maxrss,
          (long)ru.ru_utime.tv_sec * 1000000L + (long)ru.ru_utime.tv_usec,
          (long)ru.ru_stime.tv_sec * 1000000L + (long)ru.ru_stime.tv_usec);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
