/* Unit tests for api/toml: the TOML subset of deltalake.toml, with the
 * TOML v1.0.0 spec's examples for that subset, and errors with lines. */
#include "api/toml.h"
#include "harness.h"
#include "util/error.h"

#include <math.h>

static dlk_toml_doc doc;

static int parse(const char *s)
{
    dlk_toml_free(&doc);
    return dlk_toml_parse(s, strlen(s), "t.toml", &doc);
}

static const dlk_toml_value *get(const char *k)
{
    const dlk_toml_entry *e = dlk_toml_find(&doc, k);
    return e ? &e->value : NULL;
}

TEST(seed_config)
{
    const char *s = "# deltalake.toml\n"
                    "[deltalake]\n"
                    "table_path = \"./data/spans\"  # where\n"
                    "table_name = 'spans'\n"
                    "partition_columns = [\"service_name\", \"date\"]\n"
                    "retention_hours = 168\n"
                    "\n"
                    "[deltalake.operations]\n"
                    "upsert_enabled = true\n"
                    "delete_enabled = false\n"
                    "[deltalake.storage]\n"
                    "file_size_target = 134_217_728\n"
                    "ratio = 0.5\n";
    CHECK_OK(parse(s));
    CHECK_EQ_INT(doc.n_entries, 8);
    CHECK_STR(get("deltalake.table_path")->str, "./data/spans");
    CHECK_STR(get("deltalake.table_name")->str, "spans");
    const dlk_toml_value *pc = get("deltalake.partition_columns");
    CHECK(pc && pc->type == DLK_TOML_ARRAY && pc->n_items == 2);
    CHECK_STR(pc->items[1].str, "date");
    CHECK_EQ_INT(get("deltalake.retention_hours")->i, 168);
    CHECK(get("deltalake.operations.upsert_enabled")->b == true);
    CHECK(get("deltalake.operations.delete_enabled")->b == false);
    CHECK_EQ_INT(get("deltalake.storage.file_size_target")->i, 134217728);
    CHECK(get("deltalake.storage.ratio")->f == 0.5);
    CHECK_EQ_INT(dlk_toml_find(&doc, "deltalake.storage.ratio")->line, 13);
}

TEST(spec_examples)
{
    /* keys (spec: Keys) */
    CHECK_OK(parse("key = \"value\"\nbare_key = \"value\"\nbare-key = \"value\"\n1234 = \"value\"\n"
                   "\"127.0.0.1\" = \"value\"\n\"character encoding\" = \"value\"\n'key2' = \"value\"\n"
                   "'quoted \"value\"' = \"value\"\n"));
    CHECK(get("127.0.0.1") != NULL);
    CHECK(get("quoted \"value\"") != NULL);
    CHECK_OK(parse("name = \"Orange\"\nphysical.color = \"orange\"\nphysical.shape = \"round\"\n"
                   "site.\"google.com\" = true\n"));
    CHECK(get("site.google.com")->b);
    CHECK_STR(get("physical.shape")->str, "round");
    /* strings */
    CHECK_OK(parse("str = \"I'm a string. \\\"You can quote me\\\". Name\\tJos\\u00E9\\nLocation\\tSF.\"\n"));
    CHECK_STR(get("str")->str, "I'm a string. \"You can quote me\". Name\tJos\xC3\xA9\nLocation\tSF.");
    CHECK_OK(parse("winpath = 'C:\\Users\\nodejs\\templates'\nregex = '<\\i\\c*\\s*>'\n"));
    CHECK_STR(get("winpath")->str, "C:\\Users\\nodejs\\templates");
    /* integers */
    CHECK_OK(parse("int1 = +99\nint2 = 42\nint3 = 0\nint4 = -17\nint5 = 1_000\nint6 = 5_349_221\n"
                   "int7 = 53_49_221\nint8 = 1_2_3_4_5\nhex1 = 0xDEADBEEF\nhex3 = 0xdead_beef\n"
                   "oct1 = 0o01234567\nbin1 = 0b11010110\nbig = 9223372036854775807\n"
                   "small = -9223372036854775808\n"));
    CHECK_EQ_INT(get("int1")->i, 99);
    CHECK_EQ_INT(get("int4")->i, -17);
    CHECK_EQ_INT(get("int8")->i, 12345);
    CHECK_EQ_INT(get("hex1")->i, 0xDEADBEEF);
    CHECK_EQ_INT(get("hex3")->i, 0xdeadbeef);
    CHECK_EQ_INT(get("oct1")->i, 01234567);
    CHECK_EQ_INT(get("bin1")->i, 214);
    CHECK(get("big")->i == INT64_MAX);
    CHECK(get("small")->i == INT64_MIN);
    /* floats */
    CHECK_OK(parse("flt1 = +1.0\nflt2 = 3.1415\nflt3 = -0.01\nflt4 = 5e+22\nflt5 = 1e06\nflt6 = -2E-2\n"
                   "flt7 = 6.626e-34\nflt8 = 224_617.445_991_228\nsf1 = inf\nsf2 = +inf\nsf3 = -inf\nsf4 = nan\n"));
    CHECK(get("flt2")->f == 3.1415);
    CHECK(get("flt4")->f == 5e22);
    CHECK(get("flt8")->f == 224617.445991228);
    CHECK(isinf(get("sf3")->f) && get("sf3")->f < 0);
    CHECK(isnan(get("sf4")->f));
    /* arrays */
    CHECK_OK(parse("integers = [ 1, 2, 3 ]\ncolors = [ \"red\", \"yellow\", \"green\" ]\n"
                   "nested = [ [ 1, 2 ], [3, 4, 5] ]\nstring_array = [ \"all\", 'strings' ]\n"
                   "integers2 = [\n  1, 2, 3\n]\nintegers3 = [\n  1,\n  2, # this is ok\n]\n"));
    CHECK_EQ_INT(get("nested")->items[1].n_items, 3);
    CHECK_EQ_INT(get("integers3")->n_items, 2);
    /* tables */
    CHECK_OK(parse("[table-1]\nkey1 = \"some string\"\n[table-2]\nkey1 = \"another string\"\n"
                   "[dog.\"tater.man\"]\ntype.name = \"pug\"\n[ j . \"k\" . 'l' ]\nx = 1\n"));
    CHECK_STR(get("dog.tater.man.type.name")->str, "pug");
    CHECK_EQ_INT(get("j.k.l.x")->i, 1);
    CHECK_OK(parse("# [x] you\n# [x.y] don't\n[x.y.z.w]\na = 1\n[x]\nb = 2\n"));
}

static void expect_error(const char *s, int line, const char *needle)
{
    int rc = parse(s);
    if (rc != DLK_PARSE) {
        fprintf(stderr, "expected a parse error for: %s\n", s);
        h_cur_failed = 1;
        return;
    }
    char want[32];
    snprintf(want, sizeof want, "t.toml:%d:", line);
    if (!strstr(dlk_error_last()->message, want) || !strstr(dlk_error_last()->message, needle)) {
        fprintf(stderr, "error '%s' lacks '%s' / '%s'\n", dlk_error_last()->message, want, needle);
        h_cur_failed = 1;
    }
}

TEST(errors_name_the_line)
{
    expect_error("a = 1\na = 2\n", 2, "defined twice");
    expect_error("[t]\nx = 1\n[t]\n", 3, "defined twice");
    expect_error("a = 1\n[a]\n", 2, "already a value");
    expect_error("a = 1\na.b = 2\n", 2, "already a value");
    expect_error("key = # no value\n", 1, "missing value");
    expect_error("\n\nkey = \"unterminated\n", 3, "unterminated");
    expect_error("x = 01\n", 1, "leading zeros");
    expect_error("x = 1__0\n", 1, "misplaced");
    expect_error("x = _1\n", 1, "");
    expect_error("x = 1.\n", 1, "digits needed");
    expect_error("x = .7\n", 1, "");
    expect_error("x = 1979-05-27T07:32:00Z\n", 1, "not supported");
    expect_error("x = { a = 1 }\n", 1, "inline tables");
    expect_error("[[fruits]]\n", 1, "arrays of tables");
    expect_error("x = \"\"\"multi\"\"\"\n", 1, "multi-line");
    expect_error("x = 1 2\n", 1, "unexpected text");
    expect_error("x = [1, 2\n", 2, "");
    expect_error("x = 9223372036854775808\n", 1, "range");
    expect_error("x = \"bad \\q escape\"\n", 1, "invalid escape");
    expect_error("= 1\n", 1, "expected a key");
    expect_error("x = truex\n", 1, "");
    expect_error("x = \"\\uD800\"\n", 1, "Unicode");
}

int main(void)
{
    RUN(seed_config);
    RUN(spec_examples);
    RUN(errors_name_the_line);
    dlk_toml_free(&doc);
    return harness_done();
}
