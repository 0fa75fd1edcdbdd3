/* safetensors.c — see pelab/io/safetensors.h */
#include "pelab/io/safetensors.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/fileio.h"
#include "pelab/base/json.h"
#include "pelab/base/mem.h"
#include "pelab/base/strbuf.h"

/* The tensor bytes are copied as they are in memory, so the host must store
 * numbers little-endian, as the format does: checked when compiling where
 * the compiler says (GCC, Clang), and at run time everywhere. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors.c needs a little-endian host");
#endif

static int host_little_endian(void) {
    const uint16_t one = 1;
    unsigned char low;
    memcpy(&low, &one, 1);
    return low == 1;
}

#define META_KEY "__metadata__"
#define MAX_WHOLE 9007199254740992.0 /* 2^53: every smaller whole double is exact */

/* the dtypes pelab reads and writes in safetensors files: F32 and F64 (the
 * model's; bf16 and f16 are the probe's storage formats, never saved) */
#define ST_DTYPES 2
static const char *const g_dtype_names[ST_DTYPES] = {"F32", "F64"};
static const size_t g_dtype_sizes[ST_DTYPES] = {4, 8};

const char *pelab_safetensors_dtype_str(pelab_dtype t) {
    return (unsigned)t < ST_DTYPES ? g_dtype_names[t] : "unknown";
}

size_t pelab_safetensors_dtype_size(pelab_dtype t) { return (unsigned)t < ST_DTYPES ? g_dtype_sizes[t] : 0; }

size_t pelab_safetensor_numel(const pelab_safetensor *t) {
    size_t n = 1;
    for (int i = 0; i < t->rank && i < PELAB_SAFETENSORS_MAX_RANK; i++) {
        if (t->shape[i] != 0 && n > SIZE_MAX / t->shape[i]) return SIZE_MAX; /* saturates */
        n *= t->shape[i];
    }
    return n;
}

/* ---- shared helpers ---------------------------------------------------- */

/* 1 when the len bytes at s are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF); else 0 with *bad the first bad byte. */
static int utf8_valid(const unsigned char *s, size_t len, size_t *bad) {
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) n = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else goto fail;
        if (len - i <= n) goto fail;
        for (size_t k = 1; k <= n; k++) {
            unsigned d = s[i + k];
            if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF)) goto fail;
        }
        i += n + 1;
    }
    return 1;
fail:
    if (bad) *bad = i;
    return 0;
}

static int str_utf8(const char *s) { return utf8_valid((const unsigned char *)s, strlen(s), NULL); }

/* "[2, 3]" of n values into buf. */
static const char *fmt_list(char *buf, size_t cap, const uint64_t *v, size_t n) {
    size_t at = 0;
    at += (size_t)snprintf(buf, cap, "[");
    for (size_t i = 0; i < n && at < cap; i++)
        at += (size_t)snprintf(buf + at, cap - at, "%s%llu", i ? ", " : "", (unsigned long long)v[i]);
    if (at < cap) snprintf(buf + at, cap - at, "]");
    return buf;
}

/* a * b into *out; 0 on overflow */
static int mul_u64(uint64_t a, uint64_t b, uint64_t *out) {
    if (a != 0 && b > UINT64_MAX / a) return 0;
    *out = a * b;
    return 1;
}

/* ---- writing ----------------------------------------------------------- */

pelab_status pelab_safetensors_encode(char **data, size_t *len, const pelab_safetensor *tensors, size_t n,
                                      const pelab_safetensors_meta *meta, size_t n_meta, const char *display,
                                      pelab_error *err) {
    PELAB_ASSERT(data && len && (tensors || n == 0) && (meta || n_meta == 0));
    PELAB_ASSERT(host_little_endian());
    const char *d = display ? display : "<safetensors>";
    *data = NULL;
    *len = 0;
    for (size_t i = 0; i < n_meta; i++) {
        const char *k = meta[i].key, *v = meta[i].value;
        if (!k || !v) return pelab_error_set(err, PELAB_STATUS_USAGE, "%s: metadata entry %zu has no key or no value", d, i);
        if (!str_utf8(k)) return pelab_error_set(err, PELAB_STATUS_USAGE, "%s: metadata key %zu is not UTF-8", d, i);
        if (!str_utf8(v))
            return pelab_error_set(err, PELAB_STATUS_USAGE, "%s: metadata '%s': the value is not UTF-8", d, k);
        for (size_t j = 0; j < i; j++)
            if (strcmp(meta[j].key, k) == 0)
                return pelab_error_set(err, PELAB_STATUS_USAGE, "%s: metadata key '%s' is given twice", d, k);
    }
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const pelab_safetensor *t = &tensors[i];
        if (!t->name || !t->name[0])
            return pelab_error_set(err, PELAB_STATUS_USAGE, "%s: tensor %zu has an empty name", d, i);
        if (!str_utf8(t->name)) return pelab_error_set(err, PELAB_STATUS_USAGE, "%s: tensor %zu: the name is not UTF-8", d, i);
        if (strcmp(t->name, META_KEY) == 0)
            return pelab_error_set(err, PELAB_STATUS_USAGE, "%s: tensor %zu: the name '%s' is reserved for metadata", d, i,
                                   META_KEY);
        for (size_t j = 0; j < i; j++)
            if (strcmp(tensors[j].name, t->name) == 0)
                return pelab_error_set(err, PELAB_STATUS_USAGE, "%s: tensor '%s' is given twice (tensors %zu and %zu)", d,
                                       t->name, j, i);
        if ((unsigned)t->dtype >= ST_DTYPES)
            return pelab_error_set(err, PELAB_STATUS_USAGE, "%s: tensor '%s': unknown dtype %d", d, t->name, (int)t->dtype);
        if (t->rank < 0 || t->rank > PELAB_SAFETENSORS_MAX_RANK)
            return pelab_error_set(err, PELAB_STATUS_USAGE, "%s: tensor '%s': rank %d, not 0 to %d", d, t->name, t->rank,
                                   PELAB_SAFETENSORS_MAX_RANK);
        uint64_t bytes = g_dtype_sizes[t->dtype];
        for (int k = 0; k < t->rank; k++)
            if (!mul_u64(bytes, t->shape[k], &bytes)) bytes = UINT64_MAX;
        if (bytes > PELAB_SAFETENSORS_MAX_BYTES || total + bytes > PELAB_SAFETENSORS_MAX_BYTES)
            return pelab_error_set(err, PELAB_STATUS_USAGE,
                                   "%s: tensor '%s': the file would be larger than the %zu bytes pelab reads back", d,
                                   t->name, PELAB_SAFETENSORS_MAX_BYTES);
        if (bytes && !t->data) return pelab_error_set(err, PELAB_STATUS_USAGE, "%s: tensor '%s' has no data", d, t->name);
        total += bytes;
    }

    pelab_strbuf h = PELAB_STRBUF_INIT;
    pelab_strbuf_putc(&h, '{');
    if (n_meta) {
        pelab_strbuf_puts(&h, "\"" META_KEY "\":{");
        for (size_t i = 0; i < n_meta; i++) {
            if (i) pelab_strbuf_putc(&h, ',');
            pelab_strbuf_json_str(&h, meta[i].key);
            pelab_strbuf_putc(&h, ':');
            pelab_strbuf_json_str(&h, meta[i].value);
        }
        pelab_strbuf_putc(&h, '}');
    }
    /* the data order: 8-byte elements before 4-byte ones, each in the order
     * given, so that every tensor is aligned to its element size */
    size_t *ord = pelab_xmalloc((n ? n : 1) * sizeof *ord), n_ord = 0;
    for (size_t size = 8; size >= 4; size /= 2)
        for (size_t i = 0; i < n; i++)
            if (g_dtype_sizes[tensors[i].dtype] == size) ord[n_ord++] = i;
    PELAB_ASSERT(n_ord == n);
    uint64_t off = 0;
    for (size_t i = 0; i < n; i++) {
        const pelab_safetensor *t = &tensors[ord[i]];
        if (i || n_meta) pelab_strbuf_putc(&h, ',');
        pelab_strbuf_json_str(&h, t->name);
        pelab_strbuf_printf(&h, ":{\"dtype\":\"%s\",\"shape\":[", g_dtype_names[t->dtype]);
        uint64_t bytes = g_dtype_sizes[t->dtype];
        for (int k = 0; k < t->rank; k++) {
            pelab_strbuf_printf(&h, "%s%zu", k ? "," : "", t->shape[k]);
            bytes *= t->shape[k];
        }
        pelab_strbuf_printf(&h, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)off,
                            (unsigned long long)(off + bytes));
        off += bytes;
    }
    pelab_strbuf_putc(&h, '}');
    while ((8 + h.len) % 8) pelab_strbuf_putc(&h, ' '); /* the data starts 8-aligned */
    if (8 + h.len + total > PELAB_SAFETENSORS_MAX_BYTES) {
        pelab_strbuf_free(&h);
        free(ord);
        return pelab_error_set(err, PELAB_STATUS_USAGE, "%s: the file would be larger than the %zu bytes pelab reads back",
                               d, PELAB_SAFETENSORS_MAX_BYTES);
    }

    size_t flen = 8 + h.len + (size_t)total;
    char *out = pelab_xmalloc(flen);
    uint64_t hl = h.len;
    for (int k = 0; k < 8; k++) out[k] = (char)(unsigned char)(hl >> (8 * k));
    memcpy(out + 8, h.data, h.len);
    size_t at = 8 + h.len;
    for (size_t i = 0; i < n; i++) {
        const pelab_safetensor *t = &tensors[ord[i]];
        size_t bytes = pelab_safetensor_numel(t) * g_dtype_sizes[t->dtype];
        if (bytes) memcpy(out + at, t->data, bytes);
        at += bytes;
    }
    PELAB_ASSERT(at == flen);
    free(ord);
    pelab_strbuf_free(&h);
    *data = out;
    *len = flen;
    return PELAB_STATUS_OK;
}

pelab_status pelab_safetensors_write(const char *path, const pelab_safetensor *tensors, size_t n,
                                     const pelab_safetensors_meta *meta, size_t n_meta, pelab_error *err) {
    char *data;
    size_t len;
    pelab_status s = pelab_safetensors_encode(&data, &len, tensors, n, meta, n_meta, path, err);
    if (s != PELAB_STATUS_OK) return s;
    s = pelab_write_file_atomic(path, data, len, err);
    free(data);
    return s;
}

/* ---- reading ----------------------------------------------------------- */

void pelab_safetensors_free(pelab_safetensors_file *f) {
    if (!f) return;
    free(f->tensors);
    free(f->meta);
    free(f->bytes);
    free(f->store);
    memset(f, 0, sizeof *f);
}

/* "PATH: safetensors header: tensor 'NAME': WHY" (RUN) */
static pelab_status bad_tensor(pelab_error *err, const char *path, const char *name, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static pelab_status bad_tensor(pelab_error *err, const char *path, const char *name, const char *fmt, ...) {
    char why[PELAB_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return pelab_error_set(err, PELAB_STATUS_RUN, "%s: safetensors header: tensor '%s': %s", path, name, why);
}

/* v as a whole number 0 .. 2^53 into *out; 0 when it is not one */
static int whole(const pelab_json *v, uint64_t *out) {
    if (!v || v->type != PELAB_JSON_TYPE_NUMBER) return 0;
    double x = v->number;
    if (!(x >= 0 && x <= MAX_WHOLE) || x != (double)(uint64_t)x) return 0;
    *out = (uint64_t)x;
    return 1;
}

/* The entries of the header while they are checked. */
typedef struct entry {
    const char *name;
    pelab_dtype dtype;
    int rank;
    uint64_t shape[PELAB_SAFETENSORS_MAX_RANK];
    uint64_t begin, end;
} entry;

static int entry_cmp(const void *a, const void *b) {
    const entry *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return 0;
}

/* Check one header member (name: v) into *e. */
static pelab_status parse_entry(entry *e, const char *name, const pelab_json *v, const char *path, pelab_error *err) {
    memset(e, 0, sizeof *e);
    e->name = name;
    if (!name[0]) return bad_tensor(err, path, name, "an empty name");
    if (v->type != PELAB_JSON_TYPE_OBJECT)
        return bad_tensor(err, path, name, "not an object {\"dtype\", \"shape\", \"data_offsets\"}");
    const char *dt;
    if (!pelab_json_get_string(v, "dtype", &dt)) return bad_tensor(err, path, name, "no \"dtype\" string");
    int found = 0;
    for (int i = 0; i < ST_DTYPES; i++)
        if (strcmp(dt, g_dtype_names[i]) == 0) e->dtype = (pelab_dtype)i, found = 1;
    if (!found) return bad_tensor(err, path, name, "dtype '%s' is not one pelab reads (F32, F64)", dt);
    const pelab_json *sh = pelab_json_get(v, "shape");
    if (!sh || sh->type != PELAB_JSON_TYPE_ARRAY) return bad_tensor(err, path, name, "no \"shape\" list");
    if (sh->n > PELAB_SAFETENSORS_MAX_RANK)
        return bad_tensor(err, path, name, "rank %zu, more than the %d pelab reads", sh->n, PELAB_SAFETENSORS_MAX_RANK);
    e->rank = (int)sh->n;
    for (size_t i = 0; i < sh->n; i++)
        if (!whole(sh->items[i], &e->shape[i]))
            return bad_tensor(err, path, name, "shape item %zu is not a whole number from 0 to 2^53", i);
    const pelab_json *of = pelab_json_get(v, "data_offsets");
    if (!of || of->type != PELAB_JSON_TYPE_ARRAY || of->n != 2 || !whole(of->items[0], &e->begin) ||
        !whole(of->items[1], &e->end))
        return bad_tensor(err, path, name, "\"data_offsets\" is not a list [begin, end] of two whole numbers");
    char sbuf[160], obuf[80];
    fmt_list(sbuf, sizeof sbuf, e->shape, (size_t)e->rank);
    uint64_t off[2] = {e->begin, e->end};
    fmt_list(obuf, sizeof obuf, off, 2);
    uint64_t bytes = g_dtype_sizes[e->dtype];
    for (int i = 0; i < e->rank; i++)
        if (!mul_u64(bytes, e->shape[i], &bytes))
            return bad_tensor(err, path, name, "shape %s %s overflows: more than 2^64 bytes", sbuf, dt);
    if (e->end < e->begin) return bad_tensor(err, path, name, "data_offsets %s end before they begin", obuf);
    if (e->end - e->begin != bytes)
        return bad_tensor(err, path, name, "data_offsets %s do not match shape %s %s (%llu bytes)", obuf, sbuf, dt,
                          (unsigned long long)bytes);
    return PELAB_STATUS_OK;
}

/* Check the header of the file in f->bytes and fill f's views. */
static pelab_status parse_file(pelab_safetensors_file *f, const char *path, pelab_error *err) {
    PELAB_ASSERT(host_little_endian());
    const unsigned char *b = (const unsigned char *)f->bytes;
    size_t len = f->len;
    if (len < 8)
        return pelab_error_set(err, PELAB_STATUS_RUN,
                               "%s: not a safetensors file: %zu bytes, fewer than the 8 of the header length", path, len);
    uint64_t hlen = 0;
    for (int k = 0; k < 8; k++) hlen |= (uint64_t)b[k] << (8 * k);
    if (hlen > len - 8)
        return pelab_error_set(err, PELAB_STATUS_RUN,
                               "%s: safetensors header length %llu runs past the end of the file (%zu bytes)", path,
                               (unsigned long long)hlen, len);
    size_t at;
    if (!utf8_valid(b + 8, (size_t)hlen, &at))
        return pelab_error_set(err, PELAB_STATUS_RUN, "%s: safetensors header: byte %zu: not UTF-8", path, at);
    char display[4200];
    snprintf(display, sizeof display, "%s: safetensors header", path);
    pelab_json_doc doc;
    pelab_status s = pelab_json_parse(&doc, f->bytes + 8, (size_t)hlen, display, err);
    if (s != PELAB_STATUS_OK) return s;
    const pelab_json *root = doc.root;
    entry *es = NULL;
    if (root->type != PELAB_JSON_TYPE_OBJECT) {
        s = pelab_error_set(err, PELAB_STATUS_RUN, "%s: safetensors header: not a JSON object", path);
        goto done;
    }
    const pelab_json *meta = NULL;
    size_t n = 0, strings = 0;
    es = pelab_xcalloc(root->n ? root->n : 1, sizeof *es);
    for (size_t i = 0; i < root->n; i++) {
        const char *key = root->keys[i];
        const pelab_json *v = root->items[i];
        if (strcmp(key, META_KEY) == 0) {
            if (v->type != PELAB_JSON_TYPE_OBJECT) {
                s = pelab_error_set(err, PELAB_STATUS_RUN, "%s: safetensors header: \"%s\" is not an object", path,
                                    META_KEY);
                goto done;
            }
            for (size_t j = 0; j < v->n; j++) {
                if (v->items[j]->type != PELAB_JSON_TYPE_STRING) {
                    s = pelab_error_set(err, PELAB_STATUS_RUN,
                                        "%s: safetensors header: \"%s\" '%s' is not a string", path, META_KEY,
                                        v->keys[j]);
                    goto done;
                }
                strings += strlen(v->keys[j]) + strlen(v->items[j]->string) + 2;
            }
            meta = v;
            continue;
        }
        s = parse_entry(&es[n], key, v, path, err);
        if (s != PELAB_STATUS_OK) goto done;
        strings += strlen(key) + 1;
        n++;
    }

    /* the tensors tile the data: from 0 to its end, no gap, no overlap */
    uint64_t data_len = len - 8 - hlen, pos = 0;
    qsort(es, n, sizeof *es, entry_cmp);
    for (size_t i = 0; i < n; i++) {
        const entry *e = &es[i];
        char obuf[80], pbuf[80];
        uint64_t off[2] = {e->begin, e->end};
        fmt_list(obuf, sizeof obuf, off, 2);
        if (e->end > data_len) {
            s = bad_tensor(err, path, e->name, "data_offsets %s run past the end of the data (%llu bytes after the header)",
                           obuf, (unsigned long long)data_len);
            goto done;
        }
        if (e->begin > pos) {
            s = bad_tensor(err, path, e->name, "data_offsets %s leave a gap: bytes [%llu, %llu) of the data belong to no tensor",
                           obuf, (unsigned long long)pos, (unsigned long long)e->begin);
            goto done;
        }
        if (e->begin < pos) {
            const entry *p = &es[i - 1];
            uint64_t poff[2] = {p->begin, p->end};
            s = bad_tensor(err, path, e->name, "data_offsets %s overlap those of tensor '%s' %s", obuf, p->name,
                           fmt_list(pbuf, sizeof pbuf, poff, 2));
            goto done;
        }
        pos = e->end;
    }
    if (pos != data_len) {
        s = pelab_error_set(err, PELAB_STATUS_RUN,
                            "%s: safetensors header: the tensors end at byte %llu of the data, but %llu bytes follow the "
                            "header (bytes [%llu, %llu) belong to no tensor)",
                            path, (unsigned long long)pos, (unsigned long long)data_len, (unsigned long long)pos,
                            (unsigned long long)data_len);
        goto done;
    }

    /* the views: names, keys and values copied into one store */
    f->store = pelab_xmalloc(strings ? strings : 1);
    char *sp = f->store;
    f->n = n;
    f->tensors = pelab_xcalloc(n ? n : 1, sizeof *f->tensors);
    const char *data = f->bytes + 8 + hlen;
    for (size_t i = 0; i < n; i++) {
        pelab_safetensor *t = &f->tensors[i];
        size_t l = strlen(es[i].name) + 1;
        memcpy(sp, es[i].name, l);
        t->name = sp;
        sp += l;
        t->dtype = es[i].dtype;
        t->rank = es[i].rank;
        for (int k = 0; k < t->rank; k++) t->shape[k] = (size_t)es[i].shape[k];
        t->data = data + es[i].begin;
    }
    f->n_meta = meta ? meta->n : 0;
    f->meta = pelab_xcalloc(f->n_meta ? f->n_meta : 1, sizeof *f->meta);
    for (size_t j = 0; j < f->n_meta; j++) {
        size_t kl = strlen(meta->keys[j]) + 1, vl = strlen(meta->items[j]->string) + 1;
        memcpy(sp, meta->keys[j], kl);
        f->meta[j].key = sp;
        sp += kl;
        memcpy(sp, meta->items[j]->string, vl);
        f->meta[j].value = sp;
        sp += vl;
    }
    s = PELAB_STATUS_OK;
done:
    free(es);
    pelab_json_free(&doc);
    return s;
}

pelab_status pelab_safetensors_read(pelab_safetensors_file *f, const char *path, pelab_error *err) {
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    pelab_status s = pelab_read_file_max(&f->bytes, &f->len, path, PELAB_SAFETENSORS_MAX_BYTES, err);
    if (s == PELAB_STATUS_OK) s = parse_file(f, path, err);
    if (s != PELAB_STATUS_OK) pelab_safetensors_free(f);
    return s;
}

pelab_status pelab_safetensors_parse(pelab_safetensors_file *f, const char *bytes, size_t len, const char *display,
                                     pelab_error *err) {
    memset(f, 0, sizeof *f);
    const char *d = display ? display : "<safetensors>";
    snprintf(f->path, sizeof f->path, "%s", d);
    f->bytes = pelab_xmemdup(bytes, len);
    f->len = len;
    pelab_status s = parse_file(f, d, err);
    if (s != PELAB_STATUS_OK) pelab_safetensors_free(f);
    return s;
}

/* ---- access ------------------------------------------------------------ */

const pelab_safetensor *pelab_safetensors_find(const pelab_safetensors_file *f, const char *name) {
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->tensors[i].name, name) == 0) return &f->tensors[i];
    return NULL;
}

const char *pelab_safetensors_meta_get(const pelab_safetensors_file *f, const char *key) {
    for (size_t i = 0; i < f->n_meta; i++)
        if (strcmp(f->meta[i].key, key) == 0) return f->meta[i].value;
    return NULL;
}

/* The tensor to copy out, or an error. */
static const pelab_safetensor *get_checked(const pelab_safetensors_file *f, const char *name, size_t cap,
                                           size_t *numel, pelab_error *err) {
    const pelab_safetensor *t = pelab_safetensors_find(f, name);
    if (!t) {
        pelab_error_set(err, PELAB_STATUS_RUN, "%s: no tensor '%s' (%zu tensors in the file)", f->path, name, f->n);
        return NULL;
    }
    size_t ne = pelab_safetensor_numel(t);
    if (numel) *numel = ne;
    if (ne > cap) {
        pelab_error_set(err, PELAB_STATUS_RUN, "%s: tensor '%s' has %zu elements, more than the %zu room given", f->path,
                        name, ne, cap);
        return NULL;
    }
    return t;
}

pelab_status pelab_safetensors_get_f32(const pelab_safetensors_file *f, const char *name, float *out, size_t cap,
                                       size_t *numel, pelab_error *err) {
    const pelab_safetensor *t = get_checked(f, name, cap, numel, err);
    if (!t) return PELAB_STATUS_RUN;
    size_t ne = pelab_safetensor_numel(t);
    const char *src = t->data;
    if (t->dtype == PELAB_DTYPE_F32) {
        if (ne) memcpy(out, src, ne * sizeof(float));
    } else {
        for (size_t i = 0; i < ne; i++) {
            double x;
            memcpy(&x, src + i * sizeof x, sizeof x);
            out[i] = (float)x;
        }
    }
    return PELAB_STATUS_OK;
}

pelab_status pelab_safetensors_get_f64(const pelab_safetensors_file *f, const char *name, double *out, size_t cap,
                                       size_t *numel, pelab_error *err) {
    const pelab_safetensor *t = get_checked(f, name, cap, numel, err);
    if (!t) return PELAB_STATUS_RUN;
    size_t ne = pelab_safetensor_numel(t);
    const char *src = t->data;
    if (t->dtype == PELAB_DTYPE_F64) {
        if (ne) memcpy(out, src, ne * sizeof(double));
    } else {
        for (size_t i = 0; i < ne; i++) {
            float x;
            memcpy(&x, src + i * sizeof x, sizeof x);
            out[i] = (double)x;
        }
    }
    return PELAB_STATUS_OK;
}
