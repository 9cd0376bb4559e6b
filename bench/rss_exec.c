/*
 * bench/rss_exec.c - run one command (fork/exec) and report its wall time,
 * CPU time and peak RSS (getrusage(RUSAGE_CHILDREN).ru_maxrss: the largest
 * resident set of any waited-for descendant) as one JSON object.
 *
 *   rss_exec [--timeout SECONDS] [--json FILE] [--stdout FILE] -- COMMAND [ARG...]
 *
 * The JSON goes to FILE (appended) or to stderr:
 *   {"wall_s":1.234,"user_s":1.1,"sys_s":0.1,"max_rss_kb":12345,"exit":0,"signal":0,"timed_out":false}
 * The command runs in its own process group; on timeout the whole group is
 * killed with SIGKILL. Exit status: the command's (124 on timeout, 128+N on
 * signal N, 127 if it could not be started).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t timed_out;
static void on_alarm(int sig)
{
    (void)sig;
    timed_out = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: rss_exec [--timeout SECONDS] [--json FILE] [--stdout FILE] -- COMMAND [ARG...]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    long timeout = 0;
    const char *json_path = NULL, *stdout_path = NULL;
    int i = 1;
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            char *end;
            errno = 0;
            timeout = strtol(argv[++i], &end, 10);
            if (errno || *end || timeout < 0)
                usage();
        } else if (!strcmp(argv[i], "--json") && i + 1 < argc)
            json_path = argv[++i];
        else if (!strcmp(argv[i], "--stdout") && i + 1 < argc)
            stdout_path = argv[++i];
        else if (argv[i][0] == '-')
            usage();
        else
            break;
    }
    if (i >= argc)
        usage();

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: waitpid returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);

    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0) {
        perror("rss_exec: fork");
        return 127;
    }
    if (pid == 0) {
        setpgid(0, 0);
        if (stdout_path) {
            int fd = open(stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || dup2(fd, 1) < 0) {
                perror(stdout_path);
                _exit(127);
            }
            close(fd);
        }
        execvp(argv[i], argv + i);
        fprintf(stderr, "rss_exec: %s: %s\n", argv[i], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    if (timeout > 0)
        alarm((unsigned)timeout);
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, 0);
        if (w == pid)
            break;
        if (w < 0 && errno == EINTR && timed_out) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            continue;
        }
        if (w < 0 && errno != EINTR) {
            perror("rss_exec: waitpid");
            return 127;
        }
    }
    double wall = now_s() - t0;
    alarm(0);
    if (timed_out)
        kill(-pid, SIGKILL); /* leftovers of the group */

    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    FILE *jf = json_path ? fopen(json_path, "a") : stderr;
    if (!jf) {
        perror(json_path);
        jf = stderr;
    }
    fprintf(jf,
            "{\"wall_s\":%.6f,\"user_s\":%.6f,\"sys_s\":%.6f,\"max_rss_kb\":%ld,\"exit\":%d,"
            "\"signal\":%d,\"timed_out\":%s}\n",
            wall, (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6,
            (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6, ru.ru_maxrss, code, sig,
            timed_out ? "true" : "false");
    if (jf != stderr)
        fclose(jf);
    if (timed_out)
        return 124;
    return sig ? 128 + sig : code;
}
