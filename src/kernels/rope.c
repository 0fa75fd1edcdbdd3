/* rope.c — RoPE's pairs and angles; see pelab/kernels/attention.h */
#include <math.h>

#include "pelab/base/status.h"
#include "pelab/kernels/attention.h"

void pelab_rope_pair(int i, int dk, int half, int *a, int *b) {
    PELAB_ASSERT(dk >= 2 && i >= 0 && i < dk / 2 && a != NULL && b != NULL);
    if (half) {
        *a = i;
        *b = i + dk / 2;
    } else {
        *a = 2 * i;
        *b = 2 * i + 1;
    }
}

double pelab_rope_inv_freq(int i, int width, double base) { return pow(base, -(2.0 * i) / (double)width); }

double pelab_rope_angle(int p, int i, int dk, double base) {
    PELAB_ASSERT(dk >= 2 && i >= 0 && i < dk / 2);
    return (double)p * pelab_rope_inv_freq(i, dk, base);
}
