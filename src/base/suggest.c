/* suggest.c — see pelab/base/suggest.h */
#include "pelab/base/suggest.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

int pelab_edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    int row[65], prev[65];
    if (la > 64 || lb > 64) return INT_MAX;
    for (size_t j = 0; j <= lb; j++) prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int ca = a[i - 1], cb = b[j - 1];
            if (ca >= 'A' && ca <= 'Z') ca += 'a' - 'A';
            if (cb >= 'A' && cb <= 'Z') cb += 'a' - 'A';
            int best = prev[j - 1] + (ca != cb);
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
        }
        memcpy(prev, row, (lb + 1) * sizeof *row);
    }
    return prev[lb];
}

const char *pelab_suggest_nearest(const char *word, const char *const *cands, int n) {
    const char *best = NULL;
    int bd = INT_MAX;
    size_t lw = strlen(word);
    for (int i = 0; i < n; i++) {
        int d = pelab_edit_distance(word, cands[i]);
        size_t lc = strlen(cands[i]), lm = lw > lc ? lw : lc;
        int near = d != INT_MAX && (size_t)d <= (lm + 2) / 3 && (size_t)d < lw;
        if (lw >= 3 && lc > lw && strncmp(word, cands[i], lw) == 0) near = 1, d = (int)(lc - lw);
        if (near && d < bd) bd = d, best = cands[i];
    }
    return best;
}

const char *pelab_suggest(char *buf, size_t cap, const char *word, const char *const *cands, int n) {
    const char *best = pelab_suggest_nearest(word, cands, n);
    buf[0] = '\0';
    if (best) snprintf(buf, cap, " (did you mean '%.64s'?)", best);
    return buf;
}

const char *pelab_suggest_list(char *buf, size_t cap, const char *const *names, int n) {
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
        size_t need = strlen(sep) + strlen(names[i]);
        if (o + need + 4 >= cap) {
            if (o + 4 < cap) snprintf(buf + o, cap - o, "...");
            break;
        }
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", sep, names[i]);
    }
    return buf;
}
