/* test_safetensors.c — the safetensors writer and reader (pelab/io/safetensors.h):
 * a round trip, byte-exact files built by hand from the spec both ways, and
 * every malformed file and bad argument refused with its message. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pelab/base/fileio.h"
#include "pelab/io/safetensors.h"
#include "test.h"

static char g_dir[] = "/tmp/pelab-st-XXXXXX";

static const char *tmp_path(char *buf, size_t cap, const char *name) {
    snprintf(buf, cap, "%s/%s", g_dir, name);
    return buf;
}

/* Write len raw bytes to DIR/name; returns the path in buf. */
static const char *put_bytes(char *buf, size_t cap, const char *name, const void *bytes, size_t len) {
    tmp_path(buf, cap, name);
    FILE *f = fopen(buf, "wb");
    if (!f) return NULL;
    if (len && fwrite(bytes, 1, len, f) != len) buf = NULL;
    fclose(f);
    return buf;
}

/* A file of the 8-byte length of header, header, and data_len bytes of 0x11. */
static const char *put_file(char *buf, size_t cap, const char *name, const char *header, size_t data_len) {
    size_t hl = strlen(header), len = 8 + hl + data_len;
    unsigned char *b = malloc(len);
    for (int k = 0; k < 8; k++) b[k] = (unsigned char)((uint64_t)hl >> (8 * k));
    memcpy(b + 8, header, hl);
    memset(b + 8 + hl, 0x11, data_len);
    const char *p = put_bytes(buf, cap, name, b, len);
    free(b);
    return p;
}

/* 1 when the len bytes at hay hold the string needle */
static int contains(const char *hay, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0) return 1;
    return 0;
}

/* Read path, expect failure with status RUN and a message containing want. */
#define ASSERT_REFUSED(path, want)                                                   \
    do {                                                                             \
        pelab_safetensors_file f_;                                                   \
        pelab_error e_ = {0};                                                        \
        ASSERT_EQ(pelab_safetensors_read(&f_, (path), &e_), PELAB_STATUS_RUN);       \
        ASSERT_STR_CONTAINS(e_.msg, (path));                                         \
        ASSERT_STR_CONTAINS(e_.msg, (want));                                         \
        ASSERT(f_.n == 0 && f_.bytes == NULL && f_.tensors == NULL);                 \
        pelab_safetensors_free(&f_);                                                 \
    } while (0)

static void test_round_trip(void) {
    float w[12];
    for (int i = 0; i < 12; i++) w[i] = (float)i * 0.25f - 1.0f;
    w[3] = -0.0f;
    w[5] = NAN;
    w[7] = INFINITY;
    double p[16];
    for (int i = 0; i < 16; i++) p[i] = 1.0 / (i + 1);
    p[2] = -NAN;
    double scalar = 3.141592653589793;
    const char *odd = "we\"ird\\na\nme\t\x01 \xc3\xa9"; /* quote, backslash, LF, TAB, U+0001, é */
    pelab_safetensor ts[] = {
        {"layer0.weight", PELAB_DTYPE_F32, 2, {3, 4}, w},
        {"phi", PELAB_DTYPE_F64, 4, {2, 2, 2, 2}, p},
        {"temperature", PELAB_DTYPE_F64, 0, {0}, &scalar},
        {"empty", PELAB_DTYPE_F32, 2, {0, 5}, NULL},
        {odd, PELAB_DTYPE_F32, 1, {2}, w + 8},
    };
    pelab_safetensors_meta meta[] = {{"format", "pt"}, {"pelab \"config\"", "seq_len: 64\nd: 32"}};
    char path[256];
    tmp_path(path, sizeof path, "model.safetensors");
    pelab_error err = {0};
    ASSERT_EQ(pelab_safetensors_write(path, ts, 5, meta, 2, &err), PELAB_STATUS_OK);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    ASSERT(access(tmp, F_OK) != 0);

    pelab_safetensors_file f;
    ASSERT_EQ(pelab_safetensors_read(&f, path, &err), PELAB_STATUS_OK);
    ASSERT_STR_EQ(f.path, path);
    ASSERT_EQ(f.n, 5);
    /* the data is 8-aligned in the file, and the header is escaped JSON */
    uint64_t hl = 0;
    for (int k = 0; k < 8; k++) hl |= (uint64_t)(unsigned char)f.bytes[k] << (8 * k);
    ASSERT_EQ((8 + hl) % 8, 0);
    ASSERT(contains(f.bytes + 8, (size_t)hl, "\"we\\\"ird\\\\na\\nme\\t\\u0001 \xc3\xa9\""));
    /* in data order: F64 first, then F32, each in the order given */
    static const int data_order[5] = {1, 2, 0, 3, 4};
    for (size_t i = 0; i < 5; i++) {
        const pelab_safetensor *t = &f.tensors[i];
        ASSERT_STR_EQ(t->name, ts[data_order[i]].name);
        ASSERT((size_t)((const char *)t->data - f.bytes) % pelab_safetensors_dtype_size(t->dtype) == 0);
    }
    for (size_t i = 0; i < 5; i++) {
        const pelab_safetensor *t = pelab_safetensors_find(&f, ts[i].name);
        ASSERT(t != NULL);
        ASSERT_EQ(t->dtype, ts[i].dtype);
        ASSERT_EQ(t->rank, ts[i].rank);
        for (int k = 0; k < t->rank; k++) ASSERT_EQ(t->shape[k], ts[i].shape[k]);
        size_t bytes = pelab_safetensor_numel(t) * pelab_safetensors_dtype_size(t->dtype);
        ASSERT_EQ(bytes, pelab_safetensor_numel(&ts[i]) * pelab_safetensors_dtype_size(ts[i].dtype));
        if (bytes) ASSERT(memcmp(t->data, ts[i].data, bytes) == 0); /* bit-identical: NaNs, -0 */
    }
    ASSERT_EQ(pelab_safetensor_numel(pelab_safetensors_find(&f, "temperature")), 1);
    ASSERT_EQ(pelab_safetensor_numel(pelab_safetensors_find(&f, "empty")), 0);
    ASSERT(pelab_safetensors_find(&f, "nope") == NULL);
    ASSERT_EQ(f.n_meta, 2);
    ASSERT_STR_EQ(f.meta[1].key, "pelab \"config\"");
    ASSERT_STR_EQ(pelab_safetensors_meta_get(&f, "format"), "pt");
    ASSERT_STR_EQ(pelab_safetensors_meta_get(&f, "pelab \"config\""), "seq_len: 64\nd: 32");
    ASSERT(pelab_safetensors_meta_get(&f, "nope") == NULL);

    /* copies out, converting on request */
    float wf[12];
    double wd[12];
    size_t ne = 0;
    ASSERT_EQ(pelab_safetensors_get_f32(&f, "layer0.weight", wf, 12, &ne, &err), PELAB_STATUS_OK);
    ASSERT_EQ(ne, 12);
    ASSERT(memcmp(wf, w, sizeof w) == 0);
    ASSERT_EQ(pelab_safetensors_get_f64(&f, "layer0.weight", wd, 12, &ne, &err), PELAB_STATUS_OK);
    for (int i = 0; i < 12; i++)
        if (i != 5) ASSERT_DBL_EQ(wd[i], (double)w[i]);
    ASSERT(isnan(wd[5]) && signbit(wd[3]));
    float pf[16];
    ASSERT_EQ(pelab_safetensors_get_f32(&f, "phi", pf, 16, NULL, &err), PELAB_STATUS_OK);
    for (int i = 0; i < 16; i++)
        if (i != 2) ASSERT_DBL_EQ(pf[i], (float)p[i]);
    double t1 = 0;
    ASSERT_EQ(pelab_safetensors_get_f64(&f, "temperature", &t1, 1, &ne, &err), PELAB_STATUS_OK);
    ASSERT_EQ(ne, 1);
    ASSERT_DBL_EQ(t1, scalar);
    ASSERT_EQ(pelab_safetensors_get_f64(&f, "empty", NULL, 0, &ne, &err), PELAB_STATUS_OK);
    ASSERT_EQ(ne, 0);
    ASSERT_EQ(pelab_safetensors_get_f64(&f, "phi", wd, 12, &ne, &err), PELAB_STATUS_RUN);
    ASSERT_STR_CONTAINS(err.msg, "tensor 'phi' has 16 elements, more than the 12 room given");
    ASSERT_EQ(pelab_safetensors_get_f32(&f, "phy", wf, 12, NULL, &err), PELAB_STATUS_RUN);
    ASSERT_STR_CONTAINS(err.msg, path);
    ASSERT_STR_CONTAINS(err.msg, "no tensor 'phy' (5 tensors in the file)");
    pelab_safetensors_free(&f);
    ASSERT(f.bytes == NULL && f.n == 0);
    pelab_safetensors_free(&f); /* twice is fine */

    /* no tensors at all is a valid file */
    ASSERT_EQ(pelab_safetensors_write(path, NULL, 0, NULL, 0, &err), PELAB_STATUS_OK);
    ASSERT_EQ(pelab_safetensors_read(&f, path, &err), PELAB_STATUS_OK);
    ASSERT_EQ(f.n, 0);
    ASSERT_EQ(f.n_meta, 0);
    ASSERT_EQ(f.len, 16); /* 8 + "{}" padded to 8 */
    pelab_safetensors_free(&f);
}

/* The writer's bytes equal a file spelled out by hand from the spec. */
static void test_writer_byte_exact(void) {
    static const char header[] = "{\"__metadata__\":{\"format\":\"pt\"},"
                                 "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"
                                 "   "; /* 85 bytes of JSON, 3 spaces: 88 */
    ASSERT_EQ(sizeof header - 1, 88);
    unsigned char want[8 + 88 + 8];
    static const unsigned char len_le[8] = {0x58, 0, 0, 0, 0, 0, 0, 0}; /* 88 */
    static const unsigned char data[8] = {0x00, 0x00, 0x80, 0x3F,       /* 1.0f  */
                                          0x00, 0x00, 0x00, 0xC0};      /* -2.0f */
    memcpy(want, len_le, 8);
    memcpy(want + 8, header, 88);
    memcpy(want + 96, data, 8);

    float a[2] = {1.0f, -2.0f};
    pelab_safetensor t = {"a", PELAB_DTYPE_F32, 1, {2}, a};
    pelab_safetensors_meta m = {"format", "pt"};
    char path[256];
    tmp_path(path, sizeof path, "exact.safetensors");
    pelab_error err = {0};
    ASSERT_EQ(pelab_safetensors_write(path, &t, 1, &m, 1, &err), PELAB_STATUS_OK);
    char *got;
    size_t len;
    ASSERT_EQ(pelab_read_file(&got, &len, path, &err), PELAB_STATUS_OK);
    ASSERT_EQ(len, sizeof want);
    int same = memcmp(got, want, sizeof want) == 0;
    free(got);
    ASSERT(same);

    /* the F64 twin, no metadata: {"x":{"dtype":"F64","shape":[1,1],"data_offsets":[0,8]}} is 56 bytes, no padding */
    static const unsigned char want64[8 + 56 + 8] = {
        56, 0, 0, 0, 0, 0, 0, 0,
        '{', '"', 'x', '"', ':', '{', '"', 'd', 't', 'y', 'p', 'e', '"', ':', '"', 'F', '6', '4', '"', ',',
        '"', 's', 'h', 'a', 'p', 'e', '"', ':', '[', '1', ',', '1', ']', ',',
        '"', 'd', 'a', 't', 'a', '_', 'o', 'f', 'f', 's', 'e', 't', 's', '"', ':', '[', '0', ',', '8', ']', '}', '}',
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0xBF, /* -1.5 */
    };
    double x = -1.5;
    pelab_safetensor t64 = {"x", PELAB_DTYPE_F64, 2, {1, 1}, &x};
    char *enc;
    ASSERT_EQ(pelab_safetensors_encode(&enc, &len, &t64, 1, NULL, 0, "mem", &err), PELAB_STATUS_OK);
    ASSERT_EQ(len, sizeof want64);
    same = memcmp(enc, want64, sizeof want64) == 0;
    free(enc);
    ASSERT(same);
}

/* The reader on a file built by hand: another member order, metadata last,
 * no padding (so the data is unaligned), a \u escape, a scalar. */
static void test_reader_hand_built(void) {
    static const char header[] = "{\"b\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[8,16]},"
                                 "\"a\":{\"shape\":[1,2],\"data_offsets\":[0,8],\"dtype\":\"F32\"},"
                                 "\"__metadata__\":{\"k\":\"v\\u00e9\"}}";
    size_t hl = sizeof header - 1;
    ASSERT_LT(hl, 256);
    unsigned char file[8 + sizeof header - 1 + 16];
    memset(file, 0, 8);
    file[0] = (unsigned char)hl;
    memcpy(file + 8, header, hl);
    static const unsigned char data[16] = {0x00, 0x00, 0x00, 0x3F, 0x00, 0x00, 0x40, 0x40,  /* 0.5f, 3.0f */
                                           0, 0, 0, 0, 0, 0, 0xF8, 0x3F};                   /* 1.5 */
    memcpy(file + 8 + hl, data, 16);
    char path[256];
    ASSERT(put_bytes(path, sizeof path, "hand.safetensors", file, sizeof file));
    pelab_safetensors_file f;
    pelab_error err = {0};
    ASSERT_EQ(pelab_safetensors_read(&f, path, &err), PELAB_STATUS_OK);
    ASSERT_EQ(f.n, 2);
    ASSERT_STR_EQ(f.tensors[0].name, "a"); /* in data order */
    ASSERT_STR_EQ(f.tensors[1].name, "b");
    ASSERT_EQ(f.tensors[0].dtype, PELAB_DTYPE_F32);
    ASSERT_EQ(f.tensors[0].rank, 2);
    ASSERT_EQ(f.tensors[0].shape[0], 1);
    ASSERT_EQ(f.tensors[0].shape[1], 2);
    ASSERT_EQ(f.tensors[1].rank, 0);
    float a[2];
    double b, ad[2];
    ASSERT_EQ(pelab_safetensors_get_f32(&f, "a", a, 2, NULL, &err), PELAB_STATUS_OK);
    ASSERT_DBL_EQ(a[0], 0.5);
    ASSERT_DBL_EQ(a[1], 3.0);
    ASSERT_EQ(pelab_safetensors_get_f64(&f, "a", ad, 2, NULL, &err), PELAB_STATUS_OK);
    ASSERT_DBL_EQ(ad[1], 3.0);
    ASSERT_EQ(pelab_safetensors_get_f64(&f, "b", &b, 1, NULL, &err), PELAB_STATUS_OK);
    ASSERT_DBL_EQ(b, 1.5);
    ASSERT_STR_EQ(pelab_safetensors_meta_get(&f, "k"), "v\xc3\xa9");
    pelab_safetensors_free(&f);

    /* the same bytes through parse, from memory */
    ASSERT_EQ(pelab_safetensors_parse(&f, (const char *)file, sizeof file, "<mem>", &err), PELAB_STATUS_OK);
    ASSERT_EQ(f.n, 2);
    pelab_safetensors_free(&f);
    ASSERT_EQ(pelab_safetensors_parse(&f, (const char *)file, 7, "<mem>", &err), PELAB_STATUS_RUN);
    ASSERT_STR_CONTAINS(err.msg, "<mem>: not a safetensors file: 7 bytes");
}

static void test_reader_refuses(void) {
    char p[256];
    static const char ok_a[] = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
    char h[512];

    ASSERT(put_bytes(p, sizeof p, "empty", "", 0));
    ASSERT_REFUSED(p, "not a safetensors file: 0 bytes, fewer than the 8 of the header length");
    ASSERT(put_bytes(p, sizeof p, "short", "\x02\0\0\0", 4));
    ASSERT_REFUSED(p, "not a safetensors file: 4 bytes");
    static const unsigned char big[20] = {0xE8, 0x03, 0, 0, 0, 0, 0, 0, '{', '}'}; /* 1000 */
    ASSERT(put_bytes(p, sizeof p, "biglen", big, sizeof big));
    ASSERT_REFUSED(p, "safetensors header length 1000 runs past the end of the file (20 bytes)");
    static const unsigned char huge[16] = {0, 0, 0, 0, 0, 0, 0, 0x80, '{', '}'}; /* 2^63 */
    ASSERT(put_bytes(p, sizeof p, "hugelen", huge, sizeof huge));
    ASSERT_REFUSED(p, "safetensors header length 9223372036854775808 runs past the end of the file (16 bytes)");

    /* truncated: a good file less its last 4 bytes */
    float v[2] = {1, 2};
    pelab_safetensor t = {"a", PELAB_DTYPE_F32, 1, {2}, v};
    pelab_error err = {0};
    ASSERT_EQ(pelab_safetensors_write(tmp_path(p, sizeof p, "trunc"), &t, 1, NULL, 0, &err), PELAB_STATUS_OK);
    ASSERT_EQ(truncate(p, 8 + 56 + 4), 0);
    ASSERT_REFUSED(p, "safetensors header: tensor 'a': data_offsets [0, 8] run past the end of the data "
                      "(4 bytes after the header)");
    ASSERT_EQ(truncate(p, 30), 0);
    ASSERT_REFUSED(p, "safetensors header length 56 runs past the end of the file (30 bytes)");

    ASSERT(put_file(p, sizeof p, "badjson", "{\"a\":", 0));
    ASSERT_REFUSED(p, "safetensors header: byte 5:");
    ASSERT(put_file(p, sizeof p, "badjson2", "{\"a\":{}}x", 0));
    ASSERT_REFUSED(p, "safetensors header: byte 8: text after the value");
    ASSERT(put_file(p, sizeof p, "array", "[1, 2]", 0));
    ASSERT_REFUSED(p, "safetensors header: not a JSON object");
    ASSERT(put_file(p, sizeof p, "utf8", "{\"\xff\":1}", 0));
    ASSERT_REFUSED(p, "safetensors header: byte 2: not UTF-8");
    snprintf(h, sizeof h, "{%s,%s}", ok_a, ok_a);
    ASSERT(put_file(p, sizeof p, "dupkey", h, 8));
    ASSERT_REFUSED(p, "a repeated member name");

    ASSERT(put_file(p, sizeof p, "dtype", "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4));
    ASSERT_REFUSED(p, "safetensors header: tensor 'a': dtype 'F16' is not one pelab reads (F32, F64)");
    ASSERT(put_file(p, sizeof p, "nodtype", "{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8));
    ASSERT_REFUSED(p, "tensor 'a': no \"dtype\" string");
    ASSERT(put_file(p, sizeof p, "notobj", "{\"a\":[1]}", 0));
    ASSERT_REFUSED(p, "tensor 'a': not an object");
    ASSERT(put_file(p, sizeof p, "rank5", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,2],\"data_offsets\":[0,8]}}", 8));
    ASSERT_REFUSED(p, "tensor 'a': rank 5, more than the 4 pelab reads");
    ASSERT(put_file(p, sizeof p, "negshape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8));
    ASSERT_REFUSED(p, "tensor 'a': shape item 0 is not a whole number");
    ASSERT(put_file(p, sizeof p, "fracshape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,1.5],\"data_offsets\":[0,8]}}", 8));
    ASSERT_REFUSED(p, "tensor 'a': shape item 1 is not a whole number");
    ASSERT(put_file(p, sizeof p, "overflow",
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8));
    ASSERT_REFUSED(p, "tensor 'a': shape [4294967296, 4294967296] F32 overflows: more than 2^64 bytes");
    ASSERT(put_file(p, sizeof p, "badoffs", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8));
    ASSERT_REFUSED(p, "tensor 'a': \"data_offsets\" is not a list [begin, end] of two whole numbers");
    ASSERT(put_file(p, sizeof p, "backwards", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8));
    ASSERT_REFUSED(p, "tensor 'a': data_offsets [8, 0] end before they begin");

    /* offsets against the shape and against each other */
    ASSERT(put_file(p, sizeof p, "mismatch", "{\"x\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20));
    char want[600];
    snprintf(want, sizeof want,
             "%s: safetensors header: tensor 'x': data_offsets [0, 20] do not match shape [2, 3] F32 (24 bytes)", p);
    {
        pelab_safetensors_file f;
        ASSERT_EQ(pelab_safetensors_read(&f, p, &err), PELAB_STATUS_RUN);
        ASSERT_STR_EQ(err.msg, want);
    }
    ASSERT(put_file(p, sizeof p, "overlap",
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                    "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                    12));
    ASSERT_REFUSED(p, "tensor 'b': data_offsets [4, 12] overlap those of tensor 'a' [0, 8]");
    ASSERT(put_file(p, sizeof p, "same",
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                    "\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
                    8));
    ASSERT_REFUSED(p, "overlap those of tensor");
    ASSERT(put_file(p, sizeof p, "gap",
                    "{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]},"
                    "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                    20));
    ASSERT_REFUSED(p, "tensor 'b': data_offsets [12, 20] leave a gap: bytes [8, 12) of the data belong to no tensor");
    ASSERT(put_file(p, sizeof p, "late", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12));
    ASSERT_REFUSED(p, "tensor 'a': data_offsets [4, 12] leave a gap: bytes [0, 4) of the data");
    snprintf(h, sizeof h, "{%s}", ok_a);
    ASSERT(put_file(p, sizeof p, "trailing", h, 12));
    ASSERT_REFUSED(p, "the tensors end at byte 8 of the data, but 12 bytes follow the header");
    ASSERT(put_file(p, sizeof p, "past", h, 6));
    ASSERT_REFUSED(p, "tensor 'a': data_offsets [0, 8] run past the end of the data (6 bytes after the header)");

    /* metadata */
    snprintf(h, sizeof h, "{\"__metadata__\":{\"n\":3},%s}", ok_a);
    ASSERT(put_file(p, sizeof p, "metanum", h, 8));
    ASSERT_REFUSED(p, "safetensors header: \"__metadata__\" 'n' is not a string");
    snprintf(h, sizeof h, "{\"__metadata__\":[\"x\"],%s}", ok_a);
    ASSERT(put_file(p, sizeof p, "metaarr", h, 8));
    ASSERT_REFUSED(p, "safetensors header: \"__metadata__\" is not an object");

    /* a missing file is an IO error naming it */
    pelab_safetensors_file f;
    ASSERT_EQ(pelab_safetensors_read(&f, tmp_path(p, sizeof p, "missing"), &err), PELAB_STATUS_IO);
    ASSERT_STR_CONTAINS(err.msg, p);
    pelab_safetensors_free(&f);

    /* the good file the malformed ones were made from reads */
    snprintf(h, sizeof h, "{%s}", ok_a);
    ASSERT(put_file(p, sizeof p, "good", h, 8));
    ASSERT_EQ(pelab_safetensors_read(&f, p, &err), PELAB_STATUS_OK);
    pelab_safetensors_free(&f);
}

static void test_writer_refuses(void) {
    float v[4] = {1, 2, 3, 4};
    char p[256];
    tmp_path(p, sizeof p, "keep.safetensors");
    pelab_error err = {0};
    pelab_safetensor one = {"keep", PELAB_DTYPE_F32, 1, {4}, v};
    ASSERT_EQ(pelab_safetensors_write(p, &one, 1, NULL, 0, &err), PELAB_STATUS_OK);
    char *before;
    size_t before_len;
    ASSERT_EQ(pelab_read_file(&before, &before_len, p, &err), PELAB_STATUS_OK);

    pelab_safetensor dup[] = {{"w", PELAB_DTYPE_F32, 1, {2}, v}, {"b", PELAB_DTYPE_F32, 0, {0}, v},
                              {"w", PELAB_DTYPE_F32, 1, {1}, v}};
    ASSERT_EQ(pelab_safetensors_write(p, dup, 3, NULL, 0, &err), PELAB_STATUS_USAGE);
    ASSERT_STR_CONTAINS(err.msg, p);
    ASSERT_STR_CONTAINS(err.msg, "tensor 'w' is given twice (tensors 0 and 2)");

    pelab_safetensor bad = {"", PELAB_DTYPE_F32, 1, {2}, v};
    ASSERT_EQ(pelab_safetensors_write(p, &bad, 1, NULL, 0, &err), PELAB_STATUS_USAGE);
    ASSERT_STR_CONTAINS(err.msg, "tensor 0 has an empty name");
    bad.name = NULL;
    ASSERT_EQ(pelab_safetensors_write(p, &bad, 1, NULL, 0, &err), PELAB_STATUS_USAGE);
    ASSERT_STR_CONTAINS(err.msg, "tensor 0 has an empty name");
    bad.name = "__metadata__";
    ASSERT_EQ(pelab_safetensors_write(p, &bad, 1, NULL, 0, &err), PELAB_STATUS_USAGE);
    ASSERT_STR_CONTAINS(err.msg, "reserved for metadata");
    bad.name = "bad\xc3(";
    ASSERT_EQ(pelab_safetensors_write(p, &bad, 1, NULL, 0, &err), PELAB_STATUS_USAGE);
    ASSERT_STR_CONTAINS(err.msg, "tensor 0: the name is not UTF-8");
    bad.name = "r";
    bad.rank = 5;
    ASSERT_EQ(pelab_safetensors_write(p, &bad, 1, NULL, 0, &err), PELAB_STATUS_USAGE);
    ASSERT_STR_CONTAINS(err.msg, "tensor 'r': rank 5, not 0 to 4");
    bad.rank = 1;
    bad.dtype = PELAB_DTYPE_BF16; /* the probe's storage format: never written to a file */
    ASSERT_EQ(pelab_safetensors_write(p, &bad, 1, NULL, 0, &err), PELAB_STATUS_USAGE);
    ASSERT_STR_CONTAINS(err.msg, "tensor 'r': unknown dtype 2");
    bad.dtype = PELAB_DTYPE_F64;
    bad.data = NULL;
    ASSERT_EQ(pelab_safetensors_write(p, &bad, 1, NULL, 0, &err), PELAB_STATUS_USAGE);
    ASSERT_STR_CONTAINS(err.msg, "tensor 'r' has no data");
    bad.data = v;
    bad.rank = 3;
    bad.shape[0] = bad.shape[1] = bad.shape[2] = (size_t)1 << 22;
    ASSERT_EQ(pelab_safetensors_write(p, &bad, 1, NULL, 0, &err), PELAB_STATUS_USAGE);
    ASSERT_STR_CONTAINS(err.msg, "the file would be larger than the 1073741824 bytes pelab reads back");

    pelab_safetensors_meta m[] = {{"a", "1"}, {"a", "2"}};
    ASSERT_EQ(pelab_safetensors_write(p, &one, 1, m, 2, &err), PELAB_STATUS_USAGE);
    ASSERT_STR_CONTAINS(err.msg, "metadata key 'a' is given twice");
    m[1].key = "b";
    m[1].value = "\x80";
    ASSERT_EQ(pelab_safetensors_write(p, &one, 1, m, 2, &err), PELAB_STATUS_USAGE);
    ASSERT_STR_CONTAINS(err.msg, "metadata 'b': the value is not UTF-8");

    /* every refusal left the old file as it was, and no .tmp */
    char *after;
    size_t after_len;
    ASSERT_EQ(pelab_read_file(&after, &after_len, p, &err), PELAB_STATUS_OK);
    int same = after_len == before_len && memcmp(after, before, before_len) == 0;
    free(after);
    free(before);
    ASSERT(same);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", p);
    ASSERT(access(tmp, F_OK) != 0);

    /* a folder that does not exist: IO, naming the path */
    tmp_path(p, sizeof p, "no/such/dir/x.safetensors");
    ASSERT_EQ(pelab_safetensors_write(p, &one, 1, NULL, 0, &err), PELAB_STATUS_IO);
    ASSERT_STR_CONTAINS(err.msg, p);
}

int main(void) {
    if (!mkdtemp(g_dir)) return 1;
    TEST_RUN(test_round_trip);
    TEST_RUN(test_writer_byte_exact);
    TEST_RUN(test_reader_hand_built);
    TEST_RUN(test_reader_refuses);
    TEST_RUN(test_writer_refuses);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) return 1;
    return TEST_DONE();
}
