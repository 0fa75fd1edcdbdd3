/* test_base.c — the base layer: the JSON reader, the string builder,
 * "did you mean", number syntax, duplicate finding, files. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pelab/base/fileio.h"
#include "pelab/base/json.h"
#include "pelab/base/keyed.h"
#include "pelab/base/numtext.h"
#include "pelab/base/strbuf.h"
#include "pelab/base/suggest.h"
#include "test.h"

/* ---- json ---------------------------------------------------------------------- */

static void test_json_values(void) {
    const char *text = " {\"a\": [1, -2.5e3, true, false, null], \"s\": \"x\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\","
                       " \"o\": {}, \"e\": []} ";
    pelab_json_doc doc;
    pelab_error err;
    ASSERT_EQ(pelab_json_parse(&doc, text, strlen(text), "t.json", &err), PELAB_STATUS_OK);
    const pelab_json *a = pelab_json_get(doc.root, "a");
    ASSERT(a && a->type == PELAB_JSON_TYPE_ARRAY && a->n == 5);
    ASSERT_DBL_EQ(a->items[0]->number, 1);
    ASSERT_DBL_EQ(a->items[1]->number, -2500);
    ASSERT(a->items[2]->type == PELAB_JSON_TYPE_BOOL && a->items[2]->boolean == 1);
    ASSERT(a->items[3]->boolean == 0);
    ASSERT(a->items[4]->type == PELAB_JSON_TYPE_NULL);
    const char *s = NULL;
    ASSERT(pelab_json_get_string(doc.root, "s", &s));
    ASSERT_STR_EQ(s, "x\"\\/\n\xc3\xa9\xf0\x9f\x98\x80"); /* é and 😀 as UTF-8 */
    ASSERT(pelab_json_get(doc.root, "o")->type == PELAB_JSON_TYPE_OBJECT);
    ASSERT_EQ(pelab_json_get(doc.root, "e")->n, 0);
    ASSERT(pelab_json_get(doc.root, "missing") == NULL);
    long long i = 0;
    ASSERT(!pelab_json_get_int(doc.root, "s", &i));
    /* the raw text of a value, by its offsets */
    const pelab_json *o = pelab_json_get(doc.root, "a");
    ASSERT_EQ(o->end - o->start, strlen("[1, -2.5e3, true, false, null]"));
    ASSERT(memcmp(text + o->start, "[1, -2.5e3", 10) == 0);
    pelab_json_free(&doc);
}

static void test_json_errors(void) {
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"", "t.json: byte 0: expected a value, found the end"},
        {"{\"a\": 1,}", "t.json: byte 8: expected a member name in quotes"},
        {"{\"a\": 1, \"a\": 2}", "t.json: byte 9: a repeated member name"},
        {"[1 2]", "t.json: byte 3: expected ',' or ']'"},
        {"\"abc", "t.json: byte 4: unterminated string"},
        {"\"\\ud800\"", "t.json: byte 7: a lone surrogate in a \\u escape"},
        {"\"\\u0000\"", "t.json: byte 7: \\u0000 in a string"},
        {"01", "t.json: byte 1: text after the value"},
        {"1.", "t.json: byte 2: a digit must follow the decimal point"},
        {"1e999", "t.json: byte 5: a number out of range"},
        {"[1] x", "t.json: byte 4: text after the value"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        pelab_json_doc doc;
        pelab_error err;
        ASSERT_EQ(pelab_json_parse(&doc, cases[k].text, strlen(cases[k].text), "t.json", &err), PELAB_STATUS_RUN);
        ASSERT_STR_EQ(err.msg, cases[k].msg);
        ASSERT(doc.root == NULL && doc.n_all == 0);
    }
    /* nested deeper than 64 */
    char deep[200];
    memset(deep, '[', 70);
    memset(deep + 70, ']', 70);
    pelab_json_doc doc;
    pelab_error err;
    ASSERT_EQ(pelab_json_parse(&doc, deep, 140, "t.json", &err), PELAB_STATUS_RUN);
    ASSERT_STR_CONTAINS(err.msg, "nested deeper than 64 levels");
}

/* ---- strbuf -------------------------------------------------------------------- */

static void test_strbuf(void) {
    pelab_strbuf b = PELAB_STRBUF_INIT;
    for (int i = 0; i < 1000; i++) pelab_strbuf_printf(&b, "%d,", i);
    ASSERT_EQ(b.len, strlen(b.data));
    ASSERT(strncmp(b.data, "0,1,2,", 6) == 0);
    ASSERT_STR_CONTAINS(b.data, ",999,");
    pelab_strbuf_free(&b);
    pelab_strbuf_json_str(&b, "a\"b\\c\nd\te\x01");
    ASSERT_STR_EQ(b.data, "\"a\\\"b\\\\c\\nd\\te\\u0001\"");
    pelab_strbuf_free(&b);
    pelab_strbuf_html(&b, "<a href=\"x\">&</a>");
    ASSERT_STR_EQ(b.data, "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
    char *t = pelab_strbuf_take(&b);
    ASSERT(b.data == NULL && b.len == 0);
    free(t);
    t = pelab_strbuf_take(&b); /* empty: "", never NULL */
    ASSERT_STR_EQ(t, "");
    free(t);
}

/* ---- suggest, numbers, keys ------------------------------------------------------- */

static void test_suggest(void) {
    static const char *const keys[] = {"seq_len", "d_model", "scheme", "order_token_dist"};
    char buf[128];
    ASSERT_EQ(pelab_edit_distance("kitten", "sitting"), 3);
    ASSERT_EQ(pelab_edit_distance("SEQ_LEN", "seq_len"), 0);
    ASSERT_STR_EQ(pelab_suggest(buf, sizeof buf, "seqlen", keys, 4), " (did you mean 'seq_len'?)");
    ASSERT_STR_EQ(pelab_suggest(buf, sizeof buf, "order_tok", keys, 4), " (did you mean 'order_token_dist'?)");
    ASSERT_STR_EQ(pelab_suggest(buf, sizeof buf, "zebra", keys, 4), "");
    ASSERT_STR_EQ(pelab_suggest(buf, sizeof buf, "ab", keys, 4), ""); /* too short to guess */
    ASSERT_STR_EQ(pelab_suggest_list(buf, sizeof buf, keys, 3), "seq_len, d_model or scheme");
    ASSERT_STR_EQ(pelab_suggest_list(buf, 24, keys, 4), "seq_len, d_model...");
}

static void test_number_syntax(void) {
    ASSERT(pelab_text_is_int("-12") && !pelab_text_is_int("1.0") && !pelab_text_is_int(""));
    ASSERT(pelab_text_is_real("1e-5") && pelab_text_is_real(".5") && pelab_text_is_real("5.") &&
           !pelab_text_is_real("e5") && !pelab_text_is_real("1e") && !pelab_text_is_real("0x10"));
    ASSERT(pelab_text_is_nonfinite(".inf") && pelab_text_is_nonfinite("-Infinity") && pelab_text_is_nonfinite("NaN") &&
           !pelab_text_is_nonfinite("info"));
    double v = 0;
    ASSERT(pelab_parse_double("2.5", &v) && v == 2.5);
    ASSERT(pelab_parse_double("1e-400", &v)); /* underflow is a number */
    ASSERT(!pelab_parse_double("1e400", &v)); /* overflow is not */
    ASSERT(!pelab_parse_double("3x", &v) && !pelab_parse_double("", &v));
}

static void test_keyed(void) {
    pelab_keyed k[5] = {{"b", 1, 0, 0}, {"a", 1, 0, 1}, {"c", 1, 0, 2}, {"a", 1, 0, 3}, {"b", 1, 0, 4}};
    int first = -1, dup = -1;
    ASSERT_EQ(pelab_keyed_find_dup(k, 5, &first, &dup), 1);
    ASSERT_EQ(first, 1); /* 'a' at 1 repeats at 3, before 'b' repeats at 4 */
    ASSERT_EQ(dup, 3);
    ASSERT_EQ(pelab_keyed_find(k, 5, "c"), 2);
    ASSERT_EQ(pelab_keyed_find(k, 5, "z"), -1);
    pelab_keyed ints[3] = {{NULL, 0, 7, 0}, {NULL, 0, 8, 1}, {NULL, 0, 9, 2}};
    ASSERT_EQ(pelab_keyed_find_dup(ints, 3, &first, &dup), 0);
}

/* ---- files ---------------------------------------------------------------------- */

/* pelab_read_file_max (what pelab_table_read reads with): a file of exactly
 * max bytes is read whole, one byte more is refused, past the first buffer
 * too (100000 bytes > the 64 KiB it starts with). */
static void test_read_file_max(void) {
    char path[] = "/tmp/pelab-read-max-XXXXXX";
    const int fd = mkstemp(path);
    ASSERT(fd >= 0);
    const size_t size = 100000;
    char *data = malloc(size);
    ASSERT(data != NULL);
    for (size_t i = 0; i < size; i++) data[i] = (char)('a' + i % 26);
    FILE *f = fdopen(fd, "wb");
    ASSERT(f != NULL);
    ASSERT_EQ(fwrite(data, 1, size, f), size);
    ASSERT_EQ(fclose(f), 0);
    char *got = NULL;
    size_t len = 0;
    pelab_error err = {PELAB_STATUS_OK, ""};
    ASSERT_EQ(pelab_read_file_max(&got, &len, path, size, &err), PELAB_STATUS_OK);
    ASSERT_EQ(len, size);
    ASSERT(memcmp(got, data, size) == 0 && got[size] == '\0');
    free(got);
    got = NULL;
    ASSERT_EQ(pelab_read_file_max(&got, &len, path, size - 1, &err), PELAB_STATUS_RUN);
    ASSERT_STR_CONTAINS(err.msg, "file is larger than");
    ASSERT(got == NULL);
    ASSERT_EQ(pelab_read_file_max(&got, &len, path, 1000, &err), PELAB_STATUS_RUN);
    ASSERT(got == NULL);
    remove(path);
    free(data);
}

static void test_atomic_write_and_paths(void) {
    char dir[] = "/tmp/pelab-base-XXXXXX";
    ASSERT(mkdtemp(dir) != NULL);
    char sub[256], path[300];
    snprintf(sub, sizeof sub, "%s/a/b/c", dir);
    pelab_error err;
    ASSERT_EQ(pelab_mkdir_p(sub, &err), PELAB_STATUS_OK);
    ASSERT_EQ(pelab_mkdir_p(sub, &err), PELAB_STATUS_OK); /* again: fine */
    snprintf(path, sizeof path, "%s/f.txt", sub);
    ASSERT_EQ(pelab_write_file_atomic(path, "one", 3, &err), PELAB_STATUS_OK);
    ASSERT_EQ(pelab_write_file_atomic(path, "two!", 4, &err), PELAB_STATUS_OK);
    char *got = NULL;
    size_t len = 0;
    ASSERT_EQ(pelab_read_file(&got, &len, path, &err), PELAB_STATUS_OK);
    ASSERT_EQ(len, 4);
    ASSERT_STR_EQ(got, "two!");
    free(got);
    char tmp[320];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    ASSERT(access(tmp, F_OK) != 0); /* no temporary left behind */
    ASSERT_EQ(pelab_read_file(&got, &len, sub, &err), PELAB_STATUS_IO); /* a folder */
    ASSERT_STR_CONTAINS(err.msg, "Is a directory");
    snprintf(path, sizeof path, "%s/a/b/c/f.txt/x", dir); /* through a file */
    ASSERT_EQ(pelab_mkdir_p(path, &err), PELAB_STATUS_IO);
    ASSERT_STR_CONTAINS(err.msg, "f.txt");
    char buf[64];
    ASSERT_STR_EQ(pelab_path_dir(buf, sizeof buf, "a/b/c.yaml"), "a/b");
    ASSERT_STR_EQ(pelab_path_dir(buf, sizeof buf, "c.yaml"), ".");
    ASSERT_STR_EQ(pelab_path_dir(buf, sizeof buf, "/c.yaml"), "/");
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ASSERT_EQ(system(cmd), 0);
}

int main(void) {
    TEST_RUN(test_json_values);
    TEST_RUN(test_json_errors);
    TEST_RUN(test_strbuf);
    TEST_RUN(test_suggest);
    TEST_RUN(test_number_syntax);
    TEST_RUN(test_keyed);
    TEST_RUN(test_read_file_max);
    TEST_RUN(test_atomic_write_and_paths);
    return TEST_DONE();
}
