/* pelab/io/safetensors.h — tensors in the safetensors format, so that a
 * model pelab trained opens in PyTorch or NumPy without pelab.
 *
 * The file (https://github.com/huggingface/safetensors):
 *   8 bytes    N, the header's length, an unsigned little-endian integer;
 *   N bytes    the header: UTF-8 JSON, an object mapping each tensor's name
 *              to {"dtype": "F32" | "F64", "shape": [d0, ...],
 *              "data_offsets": [begin, end]}, plus an optional
 *              "__metadata__": {string: string}; trailing spaces may pad it;
 *   the rest   the tensors' bytes, little-endian, row-major; begin and end
 *              count from the first byte after the header, and the tensors
 *              tile that buffer exactly: from 0 to its end, no gap, no
 *              overlap.
 * pelab writes the header compact, padded with spaces so that the data
 * starts at a multiple of 8 bytes; "__metadata__" first, then the tensors
 * in the order of their data: the F64 ones, then the F32 ones, each in the
 * order given, so that every tensor is aligned to its element size. It
 * reads and writes F32 and F64 only, rank 0 (a scalar) to 4.
 *
 * Every error names the path and the reason ("model.safetensors:
 * safetensors header: tensor 'w': data_offsets [0, 20] do not match shape
 * [2, 3] F32 (24 bytes)"). The host must be little-endian (checked at
 * compile time where the compiler says, and at run time). */
#ifndef PELAB_IO_SAFETENSORS_H
#define PELAB_IO_SAFETENSORS_H

#include <stddef.h>

#include "pelab/base/status.h"
#include "pelab/kernels/types.h"

#define PELAB_SAFETENSORS_MAX_RANK 4
/* The largest file pelab reads, and so the largest it writes. */
#define PELAB_SAFETENSORS_MAX_BYTES ((size_t)1 << 30)

/* A view of one tensor: nothing is owned. data holds the product of
 * shape[0..rank) elements (1 for rank 0) of dtype, row-major, in host
 * order; it may be unaligned in a file read back (copy it out with
 * pelab_safetensors_get_f32/_f64, or memcpy). */
typedef struct pelab_safetensor {
    const char *name;
    pelab_dtype dtype;          /* PELAB_DTYPE_F32 or PELAB_DTYPE_F64        */
    int rank;                   /* 0 .. PELAB_SAFETENSORS_MAX_RANK           */
    size_t shape[PELAB_SAFETENSORS_MAX_RANK];
    const void *data;
} pelab_safetensor;

/* One "__metadata__" entry. */
typedef struct pelab_safetensors_meta {
    const char *key, *value;
} pelab_safetensors_meta;

/* A file read back: it owns every string and byte its views point to. */
typedef struct pelab_safetensors_file {
    char path[4096];            /* as given, for messages                    */
    size_t n;                   /* tensors, in the order of their data       */
    pelab_safetensor *tensors;
    size_t n_meta;              /* metadata, in header order                 */
    pelab_safetensors_meta *meta;
    char *bytes;                /* the whole file                            */
    size_t len;
    char *store;                /* names, keys and values                    */
} pelab_safetensors_file;

/* "F32", "F64" as the format spells them ("unknown" out of range). */
const char *pelab_safetensors_dtype_str(pelab_dtype t);

/* Bytes of one element of t: 4, 8 (0 out of range). */
size_t pelab_safetensors_dtype_size(pelab_dtype t);

/* Elements of t (the product of its shape; 1 for rank 0). */
size_t pelab_safetensor_numel(const pelab_safetensor *t);

/* The whole file for n tensors and n_meta metadata entries (meta may be
 * NULL when n_meta is 0) into *data (malloc'ed, the caller frees; *len its
 * length). Refused (PELAB_STATUS_USAGE, "DISPLAY: reason"): an empty name,
 * the name "__metadata__", a name or a metadata key given twice, a name, key
 * or value that is not UTF-8, an unknown dtype, a rank above 4, data NULL
 * for a tensor with elements, a file larger than
 * PELAB_SAFETENSORS_MAX_BYTES. Names with quotes, backslashes or control
 * characters are JSON-escaped. On failure *data is NULL. */
pelab_status pelab_safetensors_encode(char **data, size_t *len, const pelab_safetensor *tensors, size_t n,
                                      const pelab_safetensors_meta *meta, size_t n_meta, const char *display,
                                      pelab_error *err);

/* pelab_safetensors_encode to path, written atomically
 * (pelab_write_file_atomic): a reader sees the old file or the new one,
 * never half of one. USAGE for what encode refuses ("PATH: reason"); IO
 * error naming the path when it cannot be written. */
pelab_status pelab_safetensors_write(const char *path, const pelab_safetensor *tensors, size_t n,
                                     const pelab_safetensors_meta *meta, size_t n_meta, pelab_error *err);

/* Read the safetensors file at path into *f (free with
 * pelab_safetensors_free), reading at most PELAB_SAFETENSORS_MAX_BYTES. On
 * failure *f is left empty (safe to free) and err says why: IO when the
 * file cannot be read; RUN "PATH: reason" when it is larger than the cap,
 * shorter than 8 bytes, its header length runs past the end, the header is
 * not UTF-8 JSON ("PATH: safetensors header: byte K: reason", K counted
 * from the header's first byte) or not an object, and "PATH: safetensors
 * header: tensor 'x': reason" for an entry that is not {dtype, shape,
 * data_offsets}, a dtype other than F32 and F64, a rank above 4, a shape
 * whose byte count overflows, data_offsets that do not match the shape, or
 * that leave a gap, overlap another tensor's, or run past the end of the
 * data; trailing data after the last tensor is refused too, as is a
 * "__metadata__" that is not an object of strings. */
pelab_status pelab_safetensors_read(pelab_safetensors_file *f, const char *path, pelab_error *err);

/* The same from len bytes in memory (copied); display names them in
 * messages. */
pelab_status pelab_safetensors_parse(pelab_safetensors_file *f, const char *bytes, size_t len, const char *display,
                                     pelab_error *err);

/* Release what *f owns and leave it zeroed (safe on a zeroed or failed
 * file). */
void pelab_safetensors_free(pelab_safetensors_file *f);

/* The tensor named name, or NULL. */
const pelab_safetensor *pelab_safetensors_find(const pelab_safetensors_file *f, const char *name);

/* The metadata value of key, or NULL. */
const char *pelab_safetensors_meta_get(const pelab_safetensors_file *f, const char *key);

/* Copy the tensor named name into out (room for cap elements), converting
 * F64 to F32 (rounded to nearest; out of range becomes +-inf) or F32 to F64
 * (exact) when its dtype is the other one; *numel (when not NULL) its
 * element count. RUN "PATH: no tensor 'x' (N tensors in the file)" when
 * there is none, "PATH: tensor 'x' has N elements, more than the CAP room
 * given" when out is too small (out untouched). */
pelab_status pelab_safetensors_get_f32(const pelab_safetensors_file *f, const char *name, float *out, size_t cap,
                                       size_t *numel, pelab_error *err);
pelab_status pelab_safetensors_get_f64(const pelab_safetensors_file *f, const char *name, double *out, size_t cap,
                                       size_t *numel, pelab_error *err);

#endif /* PELAB_IO_SAFETENSORS_H */
