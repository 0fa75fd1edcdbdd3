/* pelab/base/mem.h — allocation that never returns NULL.
 *
 * For internal buffers whose size the validators have already bounded: on
 * failure they print the size to stderr and abort (an out-of-memory here is
 * not an error a caller could handle). A zero size allocates one byte, so a
 * non-NULL pointer always comes back. */
#ifndef PELAB_BASE_MEM_H
#define PELAB_BASE_MEM_H

#include <stddef.h>

void *pelab_xmalloc(size_t size);
void *pelab_xcalloc(size_t count, size_t size);
void *pelab_xrealloc(void *p, size_t size);
/* A NUL-terminated copy of the len bytes at s. */
char *pelab_xmemdup(const char *s, size_t len);
/* A copy of the string s. */
char *pelab_xstrdup(const char *s);
/* Room for `need` elements of `elem` bytes in array p of capacity *cap
 * (doubling from 8); returns the possibly moved array and updates *cap. */
void *pelab_xgrow(void *p, size_t *cap, size_t need, size_t elem);

#endif /* PELAB_BASE_MEM_H */
