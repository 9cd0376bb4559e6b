/* Storage layer, version 2: streaming uploads (commit / commit-if-absent /
 * abort on the local, memory and fault backends: nothing is visible before
 * the commit, an abort leaves neither object nor temporary file), pruning
 * of emptied local folders, named memory:// stores shared by every open,
 * mounts (the library's own opens of a mounted location get the mounted
 * storage), a v1 backend still uploading through put, and reading a local
 * file. */
#include "deltalake/sys/storage.h"
#include "harness.h"
#include <dirent.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

/* Files in folder dir (names starting with prefix), counted. */
static int count_files(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
            !strncmp(de->d_name, prefix, strlen(prefix)))
            n++;
    closedir(d);
    return n;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static int visible(dlk_storage *s, const char *key)
{
    dlk_storage_entry e;
    int rc = dlk_storage_head(s, key, &e);
    if (rc == DLK_NOT_FOUND) dlk_error_clear();
    return rc == DLK_OK;
}

static int list_count(dlk_storage *s, const char *prefix)
{
    dlk_storage_list l;
    if (dlk_storage_list_prefix(s, prefix, NULL, &l)) return -1;
    int n = (int)l.count;
    dlk_storage_list_free(&l);
    return n;
}

/* The behaviour every backend shares. */
static void exercise_upload(dlk_storage *s)
{
    dlk_storage_upload *up = NULL;
    CHECK_OK(dlk_storage_upload_open(s, "p=1/f.bin", &up));
    CHECK_OK(dlk_storage_upload_write(up, "hello ", 6));
    CHECK_OK(dlk_storage_upload_write(up, "", 0));
    CHECK_OK(dlk_storage_upload_write(up, "world", 5));
    CHECK_EQ_INT(dlk_storage_upload_size(up), 11);
    CHECK_STR(dlk_storage_upload_key(up), "p=1/f.bin");
    CHECK(!visible(s, "p=1/f.bin"));        /* not before the commit */
    CHECK_EQ_INT(list_count(s, "p=1/"), 0); /* nor in a listing */
    CHECK_OK(dlk_storage_upload_commit(&up));
    CHECK(up == NULL);
    uint8_t *p = NULL;
    size_t n = 0;
    CHECK_OK(dlk_storage_get(s, "p=1/f.bin", &p, &n));
    CHECK(n == 11 && p && !memcmp(p, "hello world", 11));
    dlk_storage_bytes_free(p);
    CHECK_EQ_INT(list_count(s, "p=1/"), 1);

    /* commit replaces; commit-if-absent does not */
    CHECK_OK(dlk_storage_upload_open(s, "p=1/f.bin", &up));
    CHECK_OK(dlk_storage_upload_write(up, "new", 3));
    CHECK_RC(dlk_storage_upload_commit_if_absent(&up), DLK_ALREADY_EXISTS);
    CHECK(up == NULL);
    CHECK_OK(dlk_storage_get(s, "p=1/f.bin", &p, &n));
    CHECK(n == 11);
    dlk_storage_bytes_free(p);
    CHECK_OK(dlk_storage_upload_open(s, "p=1/f.bin", &up));
    CHECK_OK(dlk_storage_upload_write(up, "new", 3));
    CHECK_OK(dlk_storage_upload_commit(&up));
    CHECK_OK(dlk_storage_get(s, "p=1/f.bin", &p, &n));
    CHECK(n == 3 && !memcmp(p, "new", 3));
    dlk_storage_bytes_free(p);
    CHECK_OK(dlk_storage_upload_open(s, "p=1/g.bin", &up));
    CHECK_OK(dlk_storage_upload_commit_if_absent(&up)); /* empty object */
    CHECK_OK(dlk_storage_get(s, "p=1/g.bin", &p, &n));
    CHECK_EQ_INT(n, 0);
    dlk_storage_bytes_free(p);

    /* abort: nothing visible; abort of NULL is fine */
    CHECK_OK(dlk_storage_upload_open(s, "p=2/aborted.bin", &up));
    CHECK_OK(dlk_storage_upload_write(up, "xyz", 3));
    dlk_storage_upload_abort(&up);
    CHECK(up == NULL);
    dlk_storage_upload_abort(&up);
    CHECK(!visible(s, "p=2/aborted.bin"));
    CHECK_EQ_INT(list_count(s, "p=2/"), 0);
    CHECK_RC(dlk_storage_upload_open(s, "", &up), DLK_INVALID_ARGUMENT);
}

TEST(upload_local)
{
    char root[300], path[400];
    snprintf(root, sizeof root, "%s/local", tmpdir);
    dlk_storage *s = NULL;
    CHECK_OK(dlk_storage_open_local(root, &s));
    exercise_upload(s);
    snprintf(path, sizeof path, "%s/p=1", root);
    CHECK_EQ_INT(count_files(path, ""), 2); /* f.bin, g.bin: no temporary file left */
    snprintf(path, sizeof path, "%s/p=2", root);
    CHECK(!exists(path)); /* the aborted upload left nothing, not even its folder */

    /* while an upload is open its bytes sit in a hidden file beside the key */
    dlk_storage_upload *up = NULL;
    CHECK_OK(dlk_storage_upload_open(s, "p=3/a/b/deep.bin", &up)); /* folders created */
    CHECK_OK(dlk_storage_upload_write(up, "1234", 4));
    snprintf(path, sizeof path, "%s/p=3/a/b", root);
    CHECK_EQ_INT(count_files(path, ".deep.bin.tmp.dlk-"), 1);
    CHECK_EQ_INT(count_files(path, "deep.bin"), 0);
    CHECK_EQ_INT(list_count(s, "p=3/"), 0); /* listings skip it */
    dlk_storage_upload_abort(&up);
    snprintf(path, sizeof path, "%s/p=3", root);
    CHECK(!exists(path)); /* the folders it created went with it */
    /* an abort keeps folders that existed before it */
    CHECK_OK(dlk_storage_put(s, "p=4/keep.bin", "k", 1));
    CHECK_OK(dlk_storage_upload_open(s, "p=4/new/x.bin", &up));
    dlk_storage_upload_abort(&up);
    snprintf(path, sizeof path, "%s/p=4/new", root);
    CHECK(!exists(path));
    snprintf(path, sizeof path, "%s/p=4/keep.bin", root);
    CHECK(exists(path));

    /* put creates missing parent folders */
    CHECK_OK(dlk_storage_put(s, "x/y/z/put.bin", "p", 1));
    snprintf(path, sizeof path, "%s/x/y/z/put.bin", root);
    CHECK(exists(path));
    snprintf(path, sizeof path, "%s/x/y/z", root);
    CHECK_EQ_INT(count_files(path, ""), 1);

    /* pruning: emptied folders go, innermost first, up to the root */
    CHECK_OK(dlk_storage_put(s, "x/keep.bin", "k", 1));
    CHECK_OK(dlk_storage_delete(s, "x/y/z/put.bin"));
    CHECK_OK(dlk_storage_prune_dirs(s, "x/y/z/put.bin", 0));
    snprintf(path, sizeof path, "%s/x/y", root);
    CHECK(!exists(path));
    snprintf(path, sizeof path, "%s/x", root);
    CHECK(exists(path));                                          /* still holds keep.bin */
    CHECK_OK(dlk_storage_prune_dirs(s, "p=3/a/b/deep.bin", 0));   /* already gone: fine */
    CHECK_OK(dlk_storage_prune_dirs(s, "/elsewhere/a/b.bin", 1)); /* outside the root: nothing */
    CHECK(exists(root));

    /* a root emptied completely goes only with include_root */
    char root2[300];
    snprintf(root2, sizeof root2, "%s/gone", tmpdir);
    dlk_storage *s2 = NULL;
    CHECK_OK(dlk_storage_open_local(root2, &s2));
    CHECK_OK(dlk_storage_put(s2, "a/b.bin", "b", 1));
    CHECK_OK(dlk_storage_delete(s2, "a/b.bin"));
    CHECK_OK(dlk_storage_prune_dirs(s2, "a/b.bin", 0));
    CHECK(exists(root2));
    CHECK_OK(dlk_storage_prune_dirs(s2, "a/b.bin", 1));
    CHECK(!exists(root2));
    CHECK_OK(dlk_storage_put(s2, "c.bin", "c", 1));
    CHECK_OK(dlk_storage_prune_dirs(s2, "", 1)); /* not empty: stays */
    CHECK(exists(root2));
    CHECK_OK(dlk_storage_delete(s2, "c.bin"));
    CHECK_OK(dlk_storage_prune_dirs(s2, "", 0));
    CHECK(exists(root2));
    CHECK_OK(dlk_storage_prune_dirs(s2, "", 1)); /* the empty root itself */
    CHECK(!exists(root2));
    dlk_storage_free(&s2);
    dlk_storage_free(&s);
}

TEST(upload_memory)
{
    dlk_storage *s = NULL;
    CHECK_OK(dlk_storage_open_memory(&s));
    exercise_upload(s);
    CHECK_OK(dlk_storage_prune_dirs(s, "p=1/f.bin", 1)); /* a no-op */
    CHECK(visible(s, "p=1/f.bin"));
    dlk_storage_free(&s);
}

TEST(upload_fault)
{
    /* every call of an upload counts; a failed write poisons the upload,
     * a failed commit leaves nothing */
    dlk_storage *m = NULL, *f = NULL;
    CHECK_OK(dlk_storage_open_memory(&m));
    CHECK_OK(dlk_storage_open_fault(m, 0, 0, &f));
    exercise_upload(f);
    for (long nth = 1; nth <= 4; nth++) {
        dlk_storage_fault_set(f, nth, 0);
        dlk_storage_upload *up = NULL;
        int rc = dlk_storage_upload_open(f, "n.bin", &up);                     /* call 1 */
        if (!rc) rc = dlk_storage_upload_write(up, "ab", 2);                   /* call 2 */
        if (!rc) rc = dlk_storage_upload_write(up, "cd", 2);                   /* call 3 */
        if (rc && up) CHECK_RC(dlk_storage_upload_write(up, "ef", 2), DLK_IO); /* poisoned */
        if (up) {
            int crc = dlk_storage_upload_commit(&up); /* call 4 */
            if (!rc) rc = crc;
        }
        CHECK_EQ_INT(rc, DLK_IO);
        dlk_storage_fault_set(f, 0, 0);
        CHECK(!visible(f, "n.bin"));
    }
    dlk_storage_fault_set(f, 5, 0); /* past the upload: it lands */
    dlk_storage_upload *up = NULL;
    CHECK_OK(dlk_storage_upload_open(f, "n.bin", &up));
    CHECK_OK(dlk_storage_upload_write(up, "ab", 2));
    CHECK_OK(dlk_storage_upload_commit(&up));
    CHECK_EQ_INT(dlk_storage_fault_calls(f), 3);
    CHECK(visible(m, "n.bin"));
    dlk_storage_free(&f);
}

/* A backend compiled against version 1 of the vtable (no upload members):
 * uploads reach it as one put at the commit. */
typedef struct {
    int version;
    const char *name;
    int (*get)(void *, const char *, int64_t, int64_t, uint8_t **, size_t *);
    int (*list)(void *, const char *, const char *, dlk_storage_list *);
    int (*head)(void *, const char *, dlk_storage_entry *);
    int (*put)(void *, const char *, const void *, size_t, int);
    int (*del)(void *, const char *);
    void (*free)(void *);
} v1_ops;

typedef struct {
    int puts;
    size_t last_len;
    char last_key[64];
} v1_state;

static int v1_put(void *self, const char *key, const void *d, size_t n, int if_absent)
{
    (void)d;
    (void)if_absent;
    v1_state *st = self;
    st->puts++;
    st->last_len = n;
    snprintf(st->last_key, sizeof st->last_key, "%s", key);
    return DLK_OK;
}

TEST(upload_v1_backend)
{
    static const v1_ops ops = {1, "v1", NULL, NULL, NULL, v1_put, NULL, NULL};
    static v1_state st;
    dlk_storage *s = NULL;
    CHECK_OK(dlk_storage_new((const dlk_storage_ops *)&ops, &st, "v1:", &s));
    dlk_storage_upload *up = NULL;
    CHECK_OK(dlk_storage_upload_open(s, "k.bin", &up));
    CHECK_OK(dlk_storage_upload_write(up, "abc", 3));
    CHECK_OK(dlk_storage_upload_write(up, "de", 2));
    CHECK_EQ_INT(st.puts, 0);
    CHECK_OK(dlk_storage_upload_commit(&up));
    CHECK_EQ_INT(st.puts, 1);
    CHECK_EQ_INT(st.last_len, 5);
    CHECK_STR(st.last_key, "k.bin");
    CHECK_OK(dlk_storage_upload_open(s, "k2.bin", &up));
    dlk_storage_upload_abort(&up);
    CHECK_EQ_INT(st.puts, 1);
    CHECK_OK(dlk_storage_prune_dirs(s, "a/k.bin", 1)); /* no member: a no-op */
    dlk_storage_free(&s);
}

TEST(memory_named)
{
    dlk_storage *a = NULL, *b = NULL, *c = NULL;
    CHECK_OK(dlk_storage_open("memory://shared-a", &a));
    CHECK_OK(dlk_storage_open("memory://shared-a/", &b)); /* the same store */
    CHECK_OK(dlk_storage_open("memory://shared-b", &c));  /* another one */
    CHECK_STR(dlk_storage_root(a), "memory://shared-a");
    CHECK_OK(dlk_storage_put(a, "k", "v", 1));
    CHECK(visible(b, "k"));
    CHECK(!visible(c, "k"));
    /* handles are freed independently: the store outlives them */
    dlk_storage_free(&a);
    CHECK(visible(b, "k"));
    dlk_storage_free(&b);
    CHECK_OK(dlk_storage_open("memory://shared-a", &a));
    CHECK(visible(a, "k"));
    /* dropped: a later open starts empty; an open handle keeps working */
    CHECK_OK(dlk_storage_unmount("memory://shared-a"));
    CHECK(visible(a, "k"));
    CHECK_OK(dlk_storage_open("memory://shared-a", &b));
    CHECK(!visible(b, "k"));
    dlk_storage_free(&a);
    dlk_storage_free(&b);
    dlk_storage_free(&c);
    CHECK_RC(dlk_storage_open("memory://", &a), DLK_INVALID_ARGUMENT);
    CHECK_OK(dlk_storage_unmount("memory://shared-a"));
    CHECK_OK(dlk_storage_unmount("memory://shared-b"));
    CHECK_RC(dlk_storage_unmount("memory://shared-b"), DLK_NOT_FOUND);
}

TEST(mount)
{
    char loc[300];
    snprintf(loc, sizeof loc, "%s/mounted", tmpdir);
    dlk_storage *m = NULL, *f = NULL, *h = NULL, *h2 = NULL;
    CHECK_OK(dlk_storage_open_memory(&m));
    CHECK_OK(dlk_storage_open_fault(m, 0, 0, &f));
    CHECK_OK(dlk_storage_mount(loc, f));
    CHECK_OK(dlk_storage_open(loc, &h)); /* what the library's own open gets */
    CHECK_OK(dlk_storage_put(h, "a.bin", "1", 1));
    char path[400];
    snprintf(path, sizeof path, "%s/a.bin", loc);
    CHECK(!exists(path)); /* went to the memory store, not the folder */
    CHECK_EQ_INT(dlk_storage_fault_calls(f), 1);
    CHECK_EQ_INT(dlk_storage_fault_calls(h), 1); /* a handle on the wrapper is the wrapper */
    dlk_storage_fault_set(f, 1, 1);
    CHECK_OK(dlk_storage_open(loc, &h2));
    dlk_storage_upload *up = NULL;
    CHECK_RC(dlk_storage_upload_open(h2, "b.bin", &up), DLK_IO);
    CHECK(strstr(dlk_error_last()->message, "injected") != NULL);
    dlk_storage_fault_set(h2, 0, 0);
    CHECK_OK(dlk_storage_upload_open(h2, "b.bin", &up));
    CHECK_OK(dlk_storage_upload_commit(&up));
    CHECK(visible(h, "b.bin"));
    CHECK_RC(dlk_storage_mount(loc, NULL), DLK_INVALID_ARGUMENT);
    dlk_storage *other = NULL;
    CHECK_OK(dlk_storage_open_memory(&other));
    CHECK_RC(dlk_storage_mount(loc, other), DLK_ALREADY_EXISTS); /* other was freed */
    /* unmounted: new opens get the local folder; open handles still work */
    CHECK_OK(dlk_storage_unmount(loc));
    CHECK(visible(h, "a.bin"));
    dlk_storage_free(&h);
    CHECK(visible(h2, "b.bin"));
    dlk_storage_free(&h2); /* the last handle frees the wrapper and the store */
    CHECK_OK(dlk_storage_open(loc, &h));
    CHECK(!visible(h, "a.bin"));
    dlk_storage_free(&h);
    CHECK_RC(dlk_storage_unmount(loc), DLK_NOT_FOUND);
}

/* Threads opening, writing and freeing handles of one named store. */
static void *worker(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < 200; i++) {
        dlk_storage *s = NULL;
        if (dlk_storage_open("memory://threads", &s)) return (void *)1;
        char key[64];
        snprintf(key, sizeof key, "t%ld/%d", id, i);
        dlk_storage_upload *up = NULL;
        int rc = dlk_storage_upload_open(s, key, &up);
        if (!rc) rc = dlk_storage_upload_write(up, key, strlen(key));
        if (!rc) rc = dlk_storage_upload_commit(&up);
        dlk_storage_free(&s);
        if (rc) return (void *)1;
    }
    return NULL;
}

TEST(threads)
{
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    int bad = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += r != NULL;
    }
    CHECK_EQ_INT(bad, 0);
    dlk_storage *s = NULL;
    CHECK_OK(dlk_storage_open("memory://threads", &s));
    CHECK_EQ_INT(list_count(s, ""), 800);
    dlk_storage_free(&s);
    CHECK_OK(dlk_storage_unmount("memory://threads"));
}

TEST(read_local_file)
{
    char path[400];
    snprintf(path, sizeof path, "%s/conf.toml", tmpdir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs("name = 1\n", f);
    fclose(f);
    uint8_t *p = NULL;
    size_t n = 0;
    CHECK_OK(dlk_storage_read_local_file(path, 0, &p, &n));
    CHECK(n == 9 && p && !memcmp(p, "name = 1\n", 10)); /* NUL-terminated */
    dlk_storage_bytes_free(p);
    CHECK_RC(dlk_storage_read_local_file(path, 4, &p, &n), DLK_INVALID_ARGUMENT);
    snprintf(path, sizeof path, "%s/none.toml", tmpdir);
    CHECK_RC(dlk_storage_read_local_file(path, 0, &p, &n), DLK_NOT_FOUND);
    CHECK(strstr(dlk_error_last()->message, "none.toml") != NULL);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dlk-storage-upload-test-%d", (int)getpid());
    mkdir(tmpdir, 0777);
    RUN(upload_local);
    RUN(upload_memory);
    RUN(upload_fault);
    RUN(upload_v1_backend);
    RUN(memory_named);
    RUN(mount);
    RUN(threads);
    RUN(read_local_file);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
    return harness_done();
}
