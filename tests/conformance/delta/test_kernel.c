/*
 * Every table under testdata/delta/kernel (folders and .tar.zst archives)
 * loads and scans, or fails in the way listed below with its reason:
 * unsupported reader features must be named; fixtures that ship only the
 * log (no data files) must load; the 300k-file table's load time is printed
 * (not asserted; the benchmark measures it). Also checks what the tables
 * must contain where it follows from their log (DV row counts, app txns).
 */
#include "delta_util.h"
#include "testdata.h"
#include <unistd.h>

typedef struct {
    const char *name; /* table path relative to the kernel folder / archive */
    int mode;         /* 0: load + scan; 1: unsupported; 2: log only; 3: corrupt */
    const char *needle;
    const char *why;
} expectation;

static const expectation expect[] = {
    {"unshredded-variant", 1, "variantType",
     "variant type (reader feature variantType-preview) not supported"},
    {"table-with-geo", 1, "geospatial", "geospatial reader feature not supported"},
    {"300k-add-files-100-col-partitioned", 2, NULL,
     "log only (data files not shipped); load is timed"},
    {"app-txn-with-last-updated", 2, NULL, "log only (data files not shipped)"},
    {"with_checkpoint_no_last_checkpoint", 2, NULL, "log only (data files not shipped)"},
    {"crc-malformed", 3, "no commit or checkpoint", "_delta_log holds only a .crc file"},
};

static int fails;
static char summary[16384];

static void note(bool ok, const char *name, const char *msg)
{
    size_t l = strlen(summary);
    snprintf(summary + l, sizeof summary - l, "  %s %s: %s\n", ok ? "PASS" : "FAIL", name, msg);
    fprintf(stderr, "%s %s: %s\n", ok ? "PASS" : "FAIL", name, msg);
    if (!ok) fails++;
}

static const expectation *find_expect(const char *name)
{
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++)
        if (!strcmp(expect[i].name, name)) return &expect[i];
    return NULL;
}

static void check_root(const char *root, const char *name)
{
    const expectation *e = find_expect(name);
    char msg[2048];
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    rows_t rows = {0};
    double t0 = now_s();
    int rc = dlk_table_open(root, &t);
    if (!rc) rc = dlk_table_snapshot(t, -1, &s);
    double load = now_s() - t0;
    if (e && (e->mode == 1 || e->mode == 3)) {
        int want = e->mode == 1 ? DLK_UNSUPPORTED : DLK_CORRUPT;
        bool ok = rc == want && strstr(dlk_error_last()->message, e->needle);
        snprintf(msg, sizeof msg, "%s (%s)", e->why, rc ? dlk_error_last()->message : "loaded!");
        note(ok, name, msg);
    } else if (rc) {
        snprintf(msg, sizeof msg, "%s: %s", dlk_status_name(rc), dlk_error_last()->message);
        note(false, name, msg);
    } else if (e && e->mode == 2) {
        snprintf(msg, sizeof msg, "%s: version %lld, %zu files, snapshot load %.3f s", e->why,
                 (long long)dlk_snapshot_version(s), dlk_snapshot_file_count(s), load);
        note(true, name, msg);
    } else {
        rc = scan_rows(s, &rows);
        if (rc)
            snprintf(msg, sizeof msg, "scan: %s", dlk_error_last()->message);
        else
            snprintf(msg, sizeof msg, "version %lld, %zu files, %zu rows",
                     (long long)dlk_snapshot_version(s), dlk_snapshot_file_count(s), rows.n);
        bool ok = rc == 0;
        /* contents that follow from the log */
        if (ok && !strcmp(name, "table-with-dv-small"))
            ok = rows.n == 8; /* 10 rows, DV deletes 2 */
        if (ok && !strcmp(name, "table-without-dv-small")) ok = rows.n == 10;
        if (ok && (!strcmp(name, "app-txn-no-checkpoint") || !strcmp(name, "app-txn-checkpoint"))) {
            int64_t v1 = -1, v2 = -1; /* newest txn per appId wins */
            ok = dlk_snapshot_txn_version(s, "my-app", &v1) == DLK_OK &&
                 dlk_snapshot_txn_version(s, "my-app2", &v2) == DLK_OK && v1 == 3 && v2 == 2;
            if (!ok)
                fprintf(stderr, "    txn versions: my-app %lld, my-app2 %lld\n", (long long)v1,
                        (long long)v2);
        }
        note(ok, name, msg);
    }
    rows_free(&rows);
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
}

/* Find table roots (folders holding _delta_log) under dir, up to depth 3. */
static void walk(const char *dir, const char *label, int depth)
{
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/_delta_log", dir);
    if (is_dir(sub)) {
        check_root(dir, label);
        return;
    }
    if (depth >= 3) return;
    DIR *d = opendir(dir);
    if (!d) return;
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 256)
        if (de->d_name[0] != '.') names[n++] = strdup(de->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, str_cmp);
    for (size_t i = 0; i < n; i++) {
        char p[4096], l[1024];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        snprintf(l, sizeof l, "%s%s%s", label, label[0] ? "/" : "", names[i]);
        if (is_dir(p)) walk(p, l, depth + 1);
        free(names[i]);
    }
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    char kdir[4096];
    harness_testdata(kdir, sizeof kdir, "delta/kernel");
    DIR *d = opendir(kdir);
    if (!d) {
        fprintf(stderr, "FAIL: cannot open %s\n", kdir);
        return 1;
    }
    char tmpl[] = "/tmp/dlk-kernel-XXXXXX";
    char *tmp = mkdtemp(tmpl);
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 256)
        if (de->d_name[0] != '.') names[n++] = strdup(de->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, str_cmp);
    for (size_t i = 0; i < n; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", kdir, names[i]);
        size_t l = strlen(names[i]);
        if (l > 8 && !strcmp(names[i] + l - 8, ".tar.zst")) {
            if (run_cmd("tar --zstd -xf '%s' -C '%s'", p, tmp) != 0) {
                note(false, names[i], "cannot unpack");
                continue;
            }
            char base[1024], up[4096];
            snprintf(base, sizeof base, "%.*s", (int)(l - 8), names[i]);
            snprintf(up, sizeof up, "%s/%s", tmp, base);
            walk(up, base, 0);
            run_cmd("rm -rf '%s/%s'", tmp, base);
        } else if (is_dir(p)) {
            walk(p, names[i], 0);
        }
        free(names[i]);
    }
    run_cmd("rm -rf '%s'%s", tmp, "");
    printf("kernel tables:\n%s%d failing\n", summary, fails);
    return fails ? 1 : 0;
}
