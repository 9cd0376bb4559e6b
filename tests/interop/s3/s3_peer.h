/*
 * tests/interop/s3/s3_peer.h - start a node S3 server (the s3rver peer, or
 * the small fault server fake_s3.mjs) on a free loopback port for the S3
 * backend tests, point the backend's environment at it, and stop it.
 * The server watches its stdin (a pipe we hold): if the test dies, the
 * server exits too.
 */
#ifndef DLK_TESTS_S3_PEER_H
#define DLK_TESTS_S3_PEER_H

#include "deltalake/errors.h"
#include "deltalake/sys/storage.h"
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef struct s3_peer {
    pid_t pid;
    int in_fd; /* write end of the server's stdin */
    int port;
    char endpoint[64];
} s3_peer;

/* The peers folder (tests/peers), or NULL when s3rver is not installed. */
static inline const char *s3_peer_dir(void)
{
    static char dir[4096];
    const char *p = getenv("DLK_PEERS");
    if (p && *p)
        snprintf(dir, sizeof dir, "%s", p);
    else
        snprintf(dir, sizeof dir, "%s/tests/peers", DLK_SOURCE_DIR);
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/node_modules/s3rver/package.json", dir);
    struct stat sb;
    return stat(probe, &sb) == 0 ? dir : NULL;
}

/* Start `node tests/interop/s3/<script> --watch-stdin <args...>`; read
 * "port=N" (30 s at most). 0 on success. */
static inline int s3_peer_start(s3_peer *p, const char *script, const char *const *args)
{
    memset(p, 0, sizeof *p);
    p->pid = -1;
    char path[4200];
    snprintf(path, sizeof path, "%s/tests/interop/s3/%s", DLK_SOURCE_DIR, script);
    /* s3rver's continuation tokens use DES, a legacy cipher in OpenSSL 3 */
    const char *argv[32] = {"node", "--openssl-legacy-provider", path, "--watch-stdin"};
    int n = 4;
    for (; args && *args && n < 30; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    int in[2], out[2];
    if (pipe(in) || pipe(out)) return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    int rc = posix_spawnp(&p->pid, "node", &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    if (rc) {
        close(in[1]);
        close(out[0]);
        p->pid = -1;
        return -1;
    }
    p->in_fd = in[1];
    char line[128];
    size_t len = 0;
    while (len < sizeof line - 1) {
        struct pollfd pf = {out[0], POLLIN, 0};
        if (poll(&pf, 1, 30000) <= 0) break;
        ssize_t r = read(out[0], line + len, 1);
        if (r <= 0) break;
        if (line[len] == '\n') break;
        len++;
    }
    line[len] = 0;
    close(out[0]);
    if (sscanf(line, "port=%d", &p->port) != 1 || p->port <= 0) {
        fprintf(stderr, "s3 peer %s did not start (said '%s')\n", script, line);
        return -1;
    }
    snprintf(p->endpoint, sizeof p->endpoint, "http://127.0.0.1:%d", p->port);
    setenv("DELTALAKE_S3_ENDPOINT", p->endpoint, 1);
    setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    setenv("AWS_REGION", "us-east-1", 1);
    unsetenv("AWS_SESSION_TOKEN");
    return 0;
}

static inline void s3_peer_stop(s3_peer *p)
{
    if (p->in_fd > 0) close(p->in_fd);
    p->in_fd = 0;
    if (p->pid > 0) {
        kill(p->pid, SIGTERM);
        int st;
        waitpid(p->pid, &st, 0);
    }
    p->pid = -1;
}

/* Open an s3:// location (NULL, message on stderr, on failure). */
static inline dlk_storage *open_s3(const char *loc)
{
    dlk_storage *s = NULL;
    if (dlk_storage_open(loc, &s) != 0) {
        fprintf(stderr, "open %s: %s\n", loc, dlk_error_last()->message);
        return NULL;
    }
    return s;
}

/* The object at key as a NUL-terminated string (cut to cap - 1 bytes). */
static inline int get_str(dlk_storage *s, const char *key, char *buf, size_t cap)
{
    uint8_t *d = NULL;
    size_t n = 0;
    int rc = dlk_storage_get(s, key, &d, &n);
    if (rc) return rc;
    if (n >= cap) n = cap - 1;
    memcpy(buf, d, n);
    buf[n] = 0;
    dlk_storage_bytes_free(d);
    return 0;
}

#endif
