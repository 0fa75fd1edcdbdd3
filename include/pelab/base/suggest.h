/* pelab/base/suggest.h — "did you mean ...?" for every unknown name.
 *
 * One rule for configs, claims files and command lines, so the same slip
 * gets the same hint everywhere. */
#ifndef PELAB_BASE_SUGGEST_H
#define PELAB_BASE_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance of a and b, ASCII case-insensitive; INT_MAX when
 * either is longer than 64 bytes. */
int pelab_edit_distance(const char *a, const char *b);

/* The candidate nearest to word, or NULL when none is near. Near: an edit
 * distance at most a third of the longer name (rounded up) and less than
 * the word's length; or the word (3 bytes or more) is the start of the
 * candidate. Ties go to the earlier candidate. */
const char *pelab_suggest_nearest(const char *word, const char *const *cands, int n);

/* " (did you mean 'X'?)" for pelab_suggest_nearest, or "" when there is
 * none, into buf. Returns buf. */
const char *pelab_suggest(char *buf, size_t cap, const char *word, const char *const *cands, int n);

/* "a, b or c" (the names joined) into buf, cut with "..." when too long.
 * Returns buf. */
const char *pelab_suggest_list(char *buf, size_t cap, const char *const *names, int n);

#endif /* PELAB_BASE_SUGGEST_H */
