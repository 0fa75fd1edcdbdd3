/* rng.c — see pelab/base/rng.h */
#include "pelab/base/rng.h"

#include <math.h>

static uint64_t splitmix64_mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t pelab_hash_bytes(const void *data, size_t len) {
    const unsigned char *p = (const unsigned char *)data;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return splitmix64_mix(h);
}

uint64_t pelab_hash_str(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return pelab_hash_bytes(s, n);
}

uint64_t pelab_hash_mix(uint64_t a, uint64_t b) {
    return splitmix64_mix(a ^ splitmix64_mix(b + 0x9e3779b97f4a7c15ULL));
}

pelab_rng pelab_rng_make(uint64_t seed, uint64_t stream_id) {
    pelab_rng r = {pelab_hash_mix(seed, stream_id), 0};
    return r;
}

uint64_t pelab_rng_u64(pelab_rng *r) {
    uint64_t k = r->counter++;
    return splitmix64_mix(r->key + (k + 1) * 0x9e3779b97f4a7c15ULL);
}

double pelab_rng_uniform(pelab_rng *r) {
    /* 53 random bits, shifted by half an ulp so 0 is impossible. */
    return ((double)(pelab_rng_u64(r) >> 11) + 0.5) * 0x1.0p-53;
}

double pelab_rng_normal(pelab_rng *r) {
    double u1 = pelab_rng_uniform(r);
    double u2 = pelab_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925286766559 * u2);
}

uint64_t pelab_rng_below(pelab_rng *r, uint64_t n) {
    if (n <= 0xffffffffULL) return ((pelab_rng_u64(r) >> 32) * n) >> 32;
    return pelab_rng_u64(r) % n;
}
