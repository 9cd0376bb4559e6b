/* A corrupt data file through every internal reader of the scan: the
 * internal iterator (read/scan_iter.h), the public stream (EIO from
 * get_next, the dlk_status in dlk_error_last), dlk_where_count,
 * dlk_table_delete and the connector's dlk_query_execute all report
 * DLK_CORRUPT with the file named exactly once, and the iterator stays at
 * its end after the failure. The file is then restored and read whole. */
#include "deltalake/deltalake.h"
#include "read/scan_iter.h"
#include "unit/dml/dml_testutil.h"

#include <sys/stat.h>

static char g_root[512];
static char g_file[1100]; /* absolute path of the corrupted file */
static const char *g_rel; /* its path in the table */
static unsigned char *g_orig;
static size_t g_len;

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void put_file(const unsigned char *b, size_t n)
{
    FILE *f = fopen(g_file, "wb");
    if (!f || fwrite(b, 1, n, f) != n) abort();
    fclose(f);
}

/* The last error is CORRUPT and names the file once. */
static void check_corrupt(int rc, const char *what)
{
    const dlk_error *e = dlk_error_last();
    const char *base = strrchr(g_rel, '/') ? strrchr(g_rel, '/') + 1 : g_rel;
    if (rc != DLK_CORRUPT || e->code != DLK_CORRUPT || count_of(e->message, base) != 1)
        fprintf(stderr, "%s: rc %d, code %s: %s\n", what, rc, dlk_status_name(e->code), e->message);
    CHECK_EQ_INT(rc, DLK_CORRUPT);
    CHECK_EQ_INT(e->code, DLK_CORRUPT);
    CHECK_EQ_INT(count_of(e->message, base), 1);
}

static void setup(void)
{
    tmp_table(g_root, sizeof g_root, "scanerr");
    if (make_table(g_root, false, false, 900, 3, 3)) {
        fprintf(stderr, "make_table: %s\n", dlk_error_last()->message);
        abort();
    }
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    if (dlk_table_open(g_root, &t) || dlk_table_snapshot(t, -1, &s)) abort();
    static char rel[512];
    snprintf(rel, sizeof rel, "%s", dlk_snapshot_file(s, 0)->path);
    g_rel = rel;
    snprintf(g_file, sizeof g_file, "%s/%s", g_root, g_rel);
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
    struct stat st;
    if (stat(g_file, &st)) abort();
    g_len = (size_t)st.st_size;
    g_orig = malloc(g_len);
    FILE *f = fopen(g_file, "rb");
    if (!f || fread(g_orig, 1, g_len, f) != g_len) abort();
    fclose(f);
}

/* kinds of damage */
static void damage(int kind)
{
    unsigned char *b = malloc(g_len);
    memcpy(b, g_orig, g_len);
    size_t n = g_len;
    if (kind == 0) n = g_len / 2;                    /* truncated */
    if (kind == 1) memcpy(b + g_len - 4, "XXXX", 4); /* footer magic */
    /* 2 and 3 hit the first column chunk (id): what reads id fails */
    if (kind == 2) memset(b + 4, 0xff, 8);  /* first page header */
    if (kind == 3) memset(b + 40, 0xff, 6); /* page data */
    put_file(b, n);
    free(b);
}

TEST(iterator_keeps_corrupt)
{
    for (int kind = 0; kind < 4; kind++) {
        damage(kind);
        dlk_table *t = NULL;
        dlk_snapshot *s = NULL;
        CHECK_OK(dlk_table_open(g_root, &t));
        CHECK_OK(dlk_table_snapshot(t, -1, &s));
        dlk_read__scan *it = NULL;
        CHECK_OK(dlk_read__scan_open(s, NULL, &it));
        int rc = DLK_OK;
        int64_t rows = 0;
        for (;;) {
            struct ArrowArray b;
            if ((rc = dlk_read__scan_next(it, &b)) || !b.release) break;
            rows += b.length;
            b.release(&b);
        }
        check_corrupt(rc, "iterator");
        CHECK(rows < 900); /* the damaged file's rows never came out */
        /* at its end after the failure */
        struct ArrowArray b;
        CHECK_OK(dlk_read__scan_next(it, &b));
        CHECK(b.release == NULL);
        dlk_read__scan_free(&it);
        CHECK(it == NULL);

        /* the public stream: errno EIO, the status in dlk_error_last */
        struct ArrowArrayStream st;
        CHECK_OK(dlk_scan_open(s, NULL, &st));
        int e = 0;
        for (;;) {
            if ((e = st.get_next(&st, &b)) || !b.release) break;
            b.release(&b);
        }
        CHECK_EQ_INT(e, 5);
        check_corrupt(DLK_CORRUPT, "stream");
        CHECK(st.get_last_error(&st) && strstr(st.get_last_error(&st), "CORRUPT") == NULL &&
              strstr(st.get_last_error(&st), g_rel) != NULL);
        st.release(&st);

        dlk_where *w = NULL;
        int64_t n = 0;
        CHECK_OK(dlk_where_new(s, "id % 7 = 3", &w));
        check_corrupt(dlk_where_count(s, w, &n, NULL), "count");
        dlk_where_free(&w);
        dlk_snapshot_free(&s);
        dlk_table_free(&t);

        dlk_delete_options o = DLK_DELETE_OPTIONS_INIT;
        o.predicate = "id % 7 = 3";
        check_corrupt(dlk_table_delete(g_root, &o, NULL), "delete");
    }
}

TEST(connector_query_keeps_corrupt)
{
    damage(2);
    dlk_config cfg;
    dlk_config_init(&cfg);
    dlk_config_set_table_path(&cfg, g_root);
    dlk_connector *c = NULL;
    CHECK_OK(dlk_connector_new(&cfg, &c));
    dlk_config_free(&cfg);
    dlk_table_handle *t = NULL;
    CHECK_OK(dlk_connector_get_table(c, NULL, &t));
    dlk_query *q = NULL;
    CHECK_OK(dlk_query_new(t, &q));
    dlk_records *r = NULL;
    check_corrupt(dlk_query_execute(q, &r), "dlk_query_execute");
    CHECK(r == NULL);
    struct ArrowArrayStream st;
    CHECK_OK(dlk_query_execute_stream(q, &st));
    struct ArrowArray b;
    int e = 0;
    for (;;) {
        if ((e = st.get_next(&st, &b)) || !b.release) break;
        b.release(&b);
    }
    CHECK_EQ_INT(e, 5);
    check_corrupt(DLK_CORRUPT, "dlk_query_execute_stream");
    st.release(&st);
    dlk_query_free(&q);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

TEST(restored_file_reads_whole)
{
    put_file(g_orig, g_len);
    int64_t vals[900], dups = 0;
    CHECK_EQ_INT(read_rows(g_root, -1, vals, 900, &dups), 900);
    CHECK_EQ_INT(dups, 0);
    int64_t want[900];
    for (int64_t i = 0; i < 900; i++)
        want[i] = 1 + gen_v(i);
    CHECK_EQ_INT(compare_rows(vals, want, 900), 0);
    char v4[1200];
    snprintf(v4, sizeof v4, "%s/_delta_log/00000000000000000004.json", g_root);
    CHECK(access(v4, F_OK) != 0); /* nothing was committed */
}

int main(void)
{
    setup();
    RUN(iterator_keeps_corrupt);
    RUN(connector_query_keeps_corrupt);
    RUN(restored_file_reads_whole);
    rm_rf(g_root);
    free(g_orig);
    return harness_done();
}
