/*
 * Conformance over every archive of testdata/delta/golden (tables written by
 * Spark/Delta): with expected/, our rows (all columns) must equal the
 * expected rows as a multiset of canonical JSON objects (expected files read
 * by our Parquet reader); invalid tables must fail with the listed error
 * kind and a message naming the problem; other log-only tables must load.
 * Prints PASS/FAIL per archive and the list at the end.
 */
#include "delta_util.h"
#include "testdata.h"
#include <unistd.h>

typedef struct {
    const char *name;
    int code;           /* expected failure; DLK_OK: must load (log-only) */
    const char *needle; /* substring of the message */
    const char *why;
} expectation;

static const expectation expect[] = {
    {"deltalog-invalid-protocol-version", DLK_UNSUPPORTED, "reader version 99",
     "minReaderVersion 99"},
    {"deltalog-state-reconstruction-without-metadata", DLK_CORRUPT, "no metaData",
     "log has no metaData"},
    {"deltalog-state-reconstruction-without-protocol", DLK_CORRUPT, "no protocol",
     "log has no protocol"},
    {"deltalog-state-reconstruction-from-checkpoint-missing-metadata", DLK_CORRUPT, "no metaData",
     "checkpoint has no metaData"},
    {"deltalog-state-reconstruction-from-checkpoint-missing-protocol", DLK_CORRUPT, "schemaString",
     "checkpoint's metaData row has a null schemaString (and no protocol)"},
    {"no-delta-log-folder", DLK_NOT_FOUND, "not a Delta table", "no _delta_log"},
    {"versions-not-contiguous", DLK_CORRUPT, "version 1 is missing", "commit 1 missing"},
    {"data-reader-absolute-paths-escaped-chars", DLK_CORRUPT, "no metaData",
     "log-only fixture without metaData"},
    {"deltalog-commit-info", DLK_CORRUPT, "schemaString", "fixture's metaData has no schemaString"},
    {"update-deleted-directory", DLK_CORRUPT, "schemaString",
     "fixture's checkpoint metaData has a null schemaString"},
};

static const expectation *find_expect(const char *name)
{
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++)
        if (!strcmp(expect[i].name, name)) return &expect[i];
    return NULL;
}

static char passed[8192], failed[16384];

static void note(bool ok, const char *name, const char *why)
{
    char *b = ok ? passed : failed;
    size_t cap = ok ? sizeof passed : sizeof failed;
    size_t l = strlen(b);
    snprintf(b + l, cap - l, "  %s%s%s\n", name, why ? ": " : "", why ? why : "");
    fprintf(stderr, "%s %s%s%s\n", ok ? "PASS" : "FAIL", name, why ? ": " : "", why ? why : "");
}

/* Load + scan a table with no expected rows; returns 0 when it works. */
static int load_and_scan(const char *root, char *msg, size_t cap)
{
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    rows_t got = {0};
    int rc = dlk_table_open(root, &t);
    if (!rc) rc = dlk_table_snapshot(t, -1, &s);
    if (!rc) rc = scan_rows(s, &got);
    if (rc)
        snprintf(msg, cap, "%s: %s", dlk_status_name(dlk_error_last()->code),
                 dlk_error_last()->message);
    else
        snprintf(msg, cap, "%zu rows", got.n);
    rows_free(&got);
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
    return rc;
}

static int check_table(const char *name, const char *dir)
{
    char root[4096], exp[4096], msg[2048];
    snprintf(root, sizeof root, "%s/%s/delta", dir, name);
    snprintf(exp, sizeof exp, "%s/%s/expected", dir, name);
    const expectation *e = find_expect(name);
    if (e && e->code != DLK_OK) {
        dlk_table *t = NULL;
        dlk_snapshot *s = NULL;
        int rc = dlk_table_open(root, &t);
        if (!rc) rc = dlk_table_snapshot(t, -1, &s);
        bool ok = rc == e->code && strstr(dlk_error_last()->message, e->needle);
        snprintf(msg, sizeof msg, "%s (%s: %s)", ok ? "fails as it must" : "wrong outcome",
                 rc ? dlk_status_name(rc) : "OK", rc ? dlk_error_last()->message : "loaded");
        note(ok, name, msg);
        dlk_snapshot_free(&s);
        dlk_table_free(&t);
        return ok ? 0 : 1;
    }
    if (!is_dir(exp)) {
        if (is_dir(root) && access(root, F_OK) == 0) {
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/_delta_log", root);
            if (!is_dir(sub)) {
                /* a folder of tables (hive/) */
                DIR *d = opendir(root);
                int bad = 0;
                struct dirent *de;
                while (d && (de = readdir(d))) {
                    if (de->d_name[0] == '.') continue;
                    char t[4096 + 256], lbl[1024];
                    snprintf(t, sizeof t, "%s/%s", root, de->d_name);
                    snprintf(lbl, sizeof lbl, "%s/%s", name, de->d_name);
                    snprintf(sub, sizeof sub, "%s/_delta_log", t);
                    if (!is_dir(sub)) continue;
                    int rc = load_and_scan(t, msg, sizeof msg);
                    note(rc == 0, lbl, msg);
                    bad |= rc != 0;
                }
                if (d) closedir(d);
                return bad;
            }
        }
        /* log-only fixture: the snapshot must load (data files may be absent) */
        dlk_table *t = NULL;
        dlk_snapshot *s = NULL;
        int rc = dlk_table_open(root, &t);
        if (!rc) rc = dlk_table_snapshot(t, -1, &s);
        if (rc)
            snprintf(msg, sizeof msg, "log-only table does not load: %s: %s", dlk_status_name(rc),
                     dlk_error_last()->message);
        else
            snprintf(msg, sizeof msg, "log-only table loads (version %lld, %zu files)",
                     (long long)dlk_snapshot_version(s), dlk_snapshot_file_count(s));
        note(rc == 0, name, msg);
        dlk_snapshot_free(&s);
        dlk_table_free(&t);
        return rc ? 1 : 0;
    }
    rows_t got = {0}, want = {0};
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    int rc = dlk_table_open(root, &t);
    if (!rc) rc = dlk_table_snapshot(t, -1, &s);
    if (!rc) rc = scan_rows(s, &got);
    int bad = 0;
    if (rc) {
        snprintf(msg, sizeof msg, "%s: %s", dlk_status_name(dlk_error_last()->code),
                 dlk_error_last()->message);
        bad = 1;
    } else if (parquet_dir_rows(exp, &want)) {
        snprintf(msg, sizeof msg, "cannot read expected rows");
        bad = 1;
    } else if (!rows_equal(&got, &want)) {
        snprintf(msg, sizeof msg, "rows differ (got %zu, expected %zu)", got.n, want.n);
        bad = 1;
    } else {
        snprintf(msg, sizeof msg, "%zu rows match", got.n);
    }
    note(!bad, name, msg);
    rows_free(&got);
    rows_free(&want);
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
    return bad;
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    char gdir[4096];
    harness_testdata(gdir, sizeof gdir, "delta/golden");
    DIR *d = opendir(gdir);
    if (!d) {
        fprintf(stderr, "FAIL: cannot open %s\n", gdir);
        return 1;
    }
    char tmpl[] = "/tmp/dlk-golden-XXXXXX";
    char *tmp = mkdtemp(tmpl);
    if (!tmp) return 1;
    struct dirent *de;
    char *names[512];
    size_t n = 0;
    while ((de = readdir(d)) && n < 512) {
        size_t l = strlen(de->d_name);
        if (l > 8 && !strcmp(de->d_name + l - 8, ".tar.zst"))
            names[n++] = strndup(de->d_name, l - 8);
    }
    closedir(d);
    qsort(names, n, sizeof *names, str_cmp);
    int fails = 0;
    double t0 = now_s();
    for (size_t i = 0; i < n; i++) {
        char arc[4096];
        snprintf(arc, sizeof arc, "%s/%s.tar.zst", gdir, names[i]);
        if (run_cmd("tar --zstd -xf '%s' -C '%s'", arc, tmp) != 0) {
            note(false, names[i], "cannot unpack");
            fails++;
            continue;
        }
        /* this table was written in America/Los_Angeles: zone-less timestamp
         * partition values are that zone's wall clock */
        bool pst = !strcmp(names[i], "data-reader-partition-values");
        if (pst) setenv("TZ", "PST8PDT,M3.2.0,M11.1.0", 1), tzset();
        fails += check_table(names[i], tmp);
        if (pst) setenv("TZ", "UTC", 1), tzset();
        run_cmd("rm -rf '%s/%s'", tmp, names[i]);
        free(names[i]);
    }
    run_cmd("rm -rf '%s'%s", tmp, "");
    printf("golden tables: %zu archives in %.1f s\n\npassing:\n%s\nfailing:\n%s\n", n, now_s() - t0,
           passed, failed[0] ? failed : "  (none)\n");
    printf("%d failing\n", fails);
    return fails ? 1 : 0;
}
