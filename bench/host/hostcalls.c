/* Host baseline for the kernel benchmark (bench/host.ts): a null system call (getppid) and a pipe
 * round trip between two processes (one byte each way), timed on this host with CLOCK_MONOTONIC.
 * Prints one JSON line: {"syscallNs", "syscallCpuNs", "pipeRoundTripNs"}, each the best of 5 runs
 * (syscallCpuNs: process CPU time, the comparable figure on a busy host).
 * getppid is issued with syscall(2): glibc does not cache it, but the raw call rules that out. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static double clock_ns(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}
static double now_ns(void) { return clock_ns(CLOCK_MONOTONIC); }

static double time_syscall(long n, double *cpu) {
  double c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID), t0 = now_ns();
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  *cpu = (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - c0) / n;
  return (now_ns() - t0) / n;
}

/* The child echoes each byte back; the parent times n round trips. */
static double time_pipe(long n) {
  int to_child[2], to_parent[2];
  if (pipe(to_child) || pipe(to_parent)) { perror("pipe"); exit(1); }
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); exit(1); }
  char c = 0;
  if (pid == 0) {
    close(to_child[1]); close(to_parent[0]);
    while (read(to_child[0], &c, 1) == 1) if (write(to_parent[1], &c, 1) != 1) break;
    _exit(0);
  }
  close(to_child[0]); close(to_parent[1]);
  double t0 = now_ns();
  for (long i = 0; i < n; i++) {
    if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1) { perror("pipe round trip"); exit(1); }
  }
  double ns = (now_ns() - t0) / n;
  close(to_child[1]);
  waitpid(pid, NULL, 0);
  close(to_parent[0]);
  return ns;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 200000;
  double sys = 1e18, sys_cpu = 1e18, rt = 1e18;
  for (int r = 0; r < 5; r++) {
    double cpu, s = time_syscall(n, &cpu), p = time_pipe(n / 4);
    if (s < sys) sys = s;
    if (cpu < sys_cpu) sys_cpu = cpu;
    if (p < rt) rt = p;
  }
  printf("{\"syscallNs\": %.1f, \"syscallCpuNs\": %.1f, \"pipeRoundTripNs\": %.1f}\n", sys, sys_cpu, rt);
  return 0;
}
