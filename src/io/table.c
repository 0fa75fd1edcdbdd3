/* table.c — see pelab/io/table.h */
#include "pelab/io/table.h"

#include "pelab/base/numtext.h"

#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/fileio.h"
#include "pelab/base/mem.h"

/* Growable array of char pointers and their lines. */
typedef struct ptrs {
    char **p;
    int *line;
    size_t n, cap;
} ptrs;

/* Append s (starting on line) to a, growing it by doubling. */
static void ptrs_push(ptrs *a, char *s, int line) {
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 256;
        char **np = realloc(a->p, nc * sizeof *np);
        int *nl = realloc(a->line, nc * sizeof *nl);
        if (!np || !nl) {
            fprintf(stderr, "pelab: out of memory reading a table\n");
            abort();
        }
        a->p = np, a->line = nl, a->cap = nc;
    }
    a->p[a->n] = s;
    a->line[a->n++] = line;
}

void pelab_table_free(pelab_table *t) {
    if (!t) return;
    free(t->cols);
    free(t->cells);
    free(t->line);
    free(t->store);
    memset(t, 0, sizeof *t);
}

/* Fail: free what was gathered, leave *t empty, and set err. */
static pelab_status parse_fail(pelab_table *t, ptrs *fields, ptrs *rows, char *store, pelab_error *err,
                               const char *display, int line, const char *what) {
    free(fields->p), free(fields->line), free(rows->p), free(rows->line), free(store);
    memset(t, 0, sizeof *t);
    if (line > 0) return pelab_error_set(err, PELAB_STATUS_RUN, "%s:%d: %s", display, line, what);
    return pelab_error_set(err, PELAB_STATUS_RUN, "%s: %s", display, what);
}

pelab_status pelab_table_parse(pelab_table *t, const char *text, size_t len, const char *display_path,
                               pelab_error *err) {
    memset(t, 0, sizeof *t);
    const char *display = display_path ? display_path : "table";
    ptrs fields = {0}, rows = {0}; /* rows: the first field of each row */
    char *store = NULL;
    char msg[256];
    if (len > PELAB_TABLE_MAX_BYTES) return parse_fail(t, &fields, &rows, store, err, display, 0, "file too large");
    if (memchr(text, '\0', len)) return parse_fail(t, &fields, &rows, store, err, display, 0, "contains a NUL byte");
    /* Each decoded field is no longer than its raw text, and its NUL takes
     * the place of the separator after it (or the one extra byte at the end). */
    store = pelab_xmalloc(len + 2);
    size_t i = 0, o = 0;
    int line = 1, n_cols = -1;
    while (i < len) {
        /* one record: fields until an unquoted newline or the end */
        int rec_line = line;
        size_t first = fields.n;
        if (text[i] == '\n' || (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')) {
            i += text[i] == '\r' ? 2 : 1; /* a blank line: skipped */
            line++;
            continue;
        }
        for (;;) {
            char *f = store + o;
            ptrs_push(&fields, f, line);
            if (i < len && text[i] == '"') {
                int field_line = line;
                i++;
                for (;;) {
                    if (i >= len) {
                        snprintf(msg, sizeof msg, "a quoted field that starts here never ends");
                        return parse_fail(t, &fields, &rows, store, err, display, field_line, msg);
                    }
                    if (text[i] == '"') {
                        if (i + 1 < len && text[i + 1] == '"') {
                            store[o++] = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (text[i] == '\n') line++;
                    store[o++] = text[i++];
                }
                if (i < len && text[i] != ',' && text[i] != '\n' && !(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n'))
                    return parse_fail(t, &fields, &rows, store, err, display, line,
                                      "text after the closing quote of a field");
            } else {
                while (i < len && text[i] != ',' && text[i] != '\n' && !(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')) {
                    if (text[i] == '"')
                        return parse_fail(t, &fields, &rows, store, err, display, line,
                                          "a quote inside an unquoted field");
                    store[o++] = text[i++];
                }
            }
            store[o++] = '\0';
            if (i < len && text[i] == ',') {
                i++;
                continue;
            }
            if (i < len) i += text[i] == '\r' ? 2 : 1, line++;
            break;
        }
        int got = (int)(fields.n - first);
        if (n_cols < 0) {
            if (got > PELAB_TABLE_MAX_COLS)
                return parse_fail(t, &fields, &rows, store, err, display, rec_line, "too many columns");
            n_cols = got;
        } else if (got != n_cols) {
            snprintf(msg, sizeof msg, "a row of %d fields; the header has %d", got, n_cols);
            return parse_fail(t, &fields, &rows, store, err, display, rec_line, msg);
        } else {
            ptrs_push(&rows, fields.p[first], rec_line);
        }
    }
    if (n_cols < 0) return parse_fail(t, &fields, &rows, store, err, display, 0, "empty: no header line");
    for (int a = 0; a < n_cols; a++) {
        if (!fields.p[a][0]) {
            snprintf(msg, sizeof msg, "column %d of the header has no name", a + 1);
            return parse_fail(t, &fields, &rows, store, err, display, 1, msg);
        }
        for (int b = 0; b < a; b++)
            if (strcmp(fields.p[a], fields.p[b]) == 0) {
                snprintf(msg, sizeof msg, "the header names column '%.64s' twice", fields.p[a]);
                return parse_fail(t, &fields, &rows, store, err, display, 1, msg);
            }
    }
    snprintf(t->path, sizeof t->path, "%s", display);
    t->n_cols = n_cols;
    t->n_rows = rows.n;
    t->cols = pelab_xmalloc((size_t)n_cols * sizeof *t->cols);
    memcpy(t->cols, fields.p, (size_t)n_cols * sizeof *t->cols);
    t->cells = pelab_xmalloc((rows.n ? rows.n : 1) * (size_t)n_cols * sizeof *t->cells);
    if (rows.n) memcpy(t->cells, fields.p + n_cols, rows.n * (size_t)n_cols * sizeof *t->cells);
    t->line = pelab_xmalloc((rows.n ? rows.n : 1) * sizeof *t->line);
    if (rows.n) memcpy(t->line, rows.line, rows.n * sizeof *t->line);
    t->store = store;
    free(fields.p), free(fields.line), free(rows.p), free(rows.line);
    return PELAB_STATUS_OK;
}

pelab_status pelab_table_read(pelab_table *t, const char *path, pelab_error *err) {
    memset(t, 0, sizeof *t);
    char *buf = NULL;
    size_t len = 0;
    pelab_status s = pelab_read_file_max(&buf, &len, path, PELAB_TABLE_MAX_BYTES, err);
    if (s) return s;
    s = pelab_table_parse(t, buf, len, path, err);
    free(buf);
    return s;
}

int pelab_table_col(const pelab_table *t, const char *name) {
    for (int c = 0; c < t->n_cols; c++)
        if (strcmp(t->cols[c], name) == 0) return c;
    return -1;
}

pelab_results_layout pelab_results_layout_of(const char *const *cols, int n_cols) {
    pelab_results_layout l = {0, -1, -1, 0};
    for (int c = 0; c < n_cols; c++) {
        if (l.width < 0 && strcmp(cols[c], "width") == 0) l.width = c;
        if (l.status < 0 && strcmp(cols[c], "status") == 0) l.status = c;
    }
    l.n_id = l.width >= 0 ? l.width : l.status >= 0 ? l.status : 0;
    l.first_metric = l.status >= 0 ? l.status + 1 : l.n_id;
    return l;
}

pelab_results_layout pelab_table_layout(const pelab_table *t) {
    return pelab_results_layout_of((const char *const *)t->cols, t->n_cols);
}

const char *pelab_table_get(const pelab_table *t, size_t row, int col) {
    PELAB_ASSERT(row < t->n_rows && col >= 0 && col < t->n_cols);
    return t->cells[row * (size_t)t->n_cols + (size_t)col];
}


pelab_table_num pelab_table_number(const pelab_table *t, size_t row, int col, double *out) {
    const char *s = pelab_table_get(t, row, col);
    *out = NAN;
    if (!s[0]) return PELAB_TABLE_NUM_EMPTY;
    return pelab_parse_double(s, out) ? PELAB_TABLE_NUM_OK : PELAB_TABLE_NUM_BAD;
}

/* ---- a matrix of numbers ------------------------------------------------------ */

#define MATRIX_MAX_LINE (1 << 26) /* bytes in one line     */
#define MATRIX_MAX_FIELD 128      /* bytes in one value    */
#define QBUF 128

/* "PATH:LINE:COL: message" (status CONFIG: the file is user input). */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void located(pelab_error *err, const char *path, int line, int col, const char *fmt, ...) {
    char msg[PELAB_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pelab_error_set(err, PELAB_STATUS_CONFIG, "%s:%d:%d: %s", path, line, col, msg);
}

/* A field for a message: control bytes as \xNN, at most ~48 bytes. */
static const char *pelab_table_quote(char buf[QBUF], const char *s, size_t len) {
    size_t o = 0;
    for (size_t i = 0; i < len && o + 8 < QBUF; i++) {
        unsigned char b = (unsigned char)s[i];
        if (o >= 48) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (b < 0x20 || b == 0x7F) o += (size_t)snprintf(buf + o, QBUF - o, "\\x%02x", b);
        else buf[o++] = (char)b;
    }
    buf[o] = '\0';
    return buf;
}

pelab_status pelab_table_read_matrix(double **out, int *out_rows, int *out_cols, const char *path, int max_rows,
                                     int max_cols, size_t max_values, pelab_error *err) {
    FILE *f = fopen(path, "rb");
    char *line = NULL, q[QBUF];
    pelab_status rc = PELAB_STATUS_CONFIG;
    size_t cap = 0, dcap = 0, nvals = 0;
    double *data = NULL;
    int rows = 0, cols = 0, lineno = 0;
    struct stat st;
    if (!f) return pelab_error_set(err, PELAB_STATUS_IO, "%s", strerror(errno));
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return pelab_error_set(err, PELAB_STATUS_IO, "%s", strerror(EISDIR));
    }
    for (;;) {
        size_t len = 0, p = 0;
        int ch, got_nl = 0, ncols = 0;
        line = pelab_xgrow(line, &cap, 1, 1);
        while ((ch = getc(f)) != EOF) {
            if (ch == '\n') {
                got_nl = 1;
                break;
            }
            if (ch == 0) {
                located(err, path, lineno + 1, (int)len + 1, "NUL byte in the inputs file");
                goto out;
            }
            if (len >= MATRIX_MAX_LINE) {
                located(err, path, lineno + 1, 1, "line longer than %d bytes", MATRIX_MAX_LINE);
                goto out;
            }
            line = pelab_xgrow(line, &cap, len + 2, 1);
            line[len++] = (char)ch;
        }
        if (ferror(f)) {
            pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: %s", path, strerror(errno));
            goto out;
        }
        if (!got_nl && len == 0) break;
        lineno++;
        if (len && line[len - 1] == '\r') len--;
        line[len] = '\0';
        if (len == 0) {
            located(err, path, lineno, 1, "blank line: every line must be a row of numbers");
            goto out;
        }
        if (rows >= max_rows) {
            located(err, path, lineno, 1, "more than %d rows", max_rows);
            goto out;
        }
        for (;;) {
            size_t s, e;
            char field[MATRIX_MAX_FIELD];
            double v;
            while (p < len && (line[p] == ' ' || line[p] == '\t')) p++;
            s = p;
            while (p < len && line[p] != ',') p++;
            e = p;
            while (e > s && (line[e - 1] == ' ' || line[e - 1] == '\t')) e--;
            if (e == s) {
                located(err, path, lineno, (int)s + 1, "empty value");
                goto out;
            }
            if (e - s >= sizeof field) {
                located(err, path, lineno, (int)s + 1, "value '%s' is not a number", pelab_table_quote(q, line + s, e - s));
                goto out;
            }
            memcpy(field, line + s, e - s);
            field[e - s] = '\0';
            if (pelab_text_is_nonfinite(field)) {
                located(err, path, lineno, (int)s + 1, "value '%s' is not a finite number", pelab_table_quote(q, field, strlen(field)));
                goto out;
            }
            if (!pelab_text_is_real(field)) {
                located(err, path, lineno, (int)s + 1, "value '%s' is not a number", pelab_table_quote(q, field, strlen(field)));
                goto out;
            }
            v = strtod(field, NULL);
            if (!isfinite(v)) {
                located(err, path, lineno, (int)s + 1, "value '%s' is not a finite number", pelab_table_quote(q, field, strlen(field)));
                goto out;
            }
            if (ncols >= max_cols) {
                located(err, path, lineno, (int)s + 1, "more than %d columns", max_cols);
                goto out;
            }
            if (nvals >= max_values) {
                located(err, path, lineno, (int)s + 1, "more than %zu values", max_values);
                goto out;
            }
            data = pelab_xgrow(data, &dcap, nvals + 1, sizeof *data);
            data[nvals++] = v;
            ncols++;
            if (p >= len) break;
            p++; /* the comma */
        }
        if (rows == 0) {
            cols = ncols;
        } else if (ncols != cols) {
            located(err, path, lineno, 1, "row has %d values, expected %d as in the first row", ncols, cols);
            goto out;
        }
        rows++;
        if (!got_nl) break;
    }
    if (rows == 0) {
        located(err, path, 1, 1, "inputs file is empty");
        goto out;
    }
    *out = data;
    *out_rows = rows;
    *out_cols = cols;
    data = NULL;
    rc = PELAB_STATUS_OK;
out:
    free(data);
    free(line);
    fclose(f);
    return rc;
}
