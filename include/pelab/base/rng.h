/* pelab/base/rng.h — counter-based random numbers keyed by identity.
 *
 * A stream is (key, counter). Draw k of a stream is a pure function of
 * (key, k): splitmix64's finaliser applied to key + k * golden-gamma. Keys
 * are built by hashing the config seed with what a draw is *for* (the cell's
 * identity, the trial, the purpose), so no number depends on the order cells
 * run in, the thread that ran them, a resume or a shard split. */
#ifndef PELAB_RNG_H
#define PELAB_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct pelab_rng {
    uint64_t key;
    uint64_t counter;
} pelab_rng;

/* 64-bit hash of a byte string (FNV-1a folded through a splitmix64 finaliser). */
uint64_t pelab_hash_bytes(const void *data, size_t len);
/* Hash of a NUL-terminated string. */
uint64_t pelab_hash_str(const char *s);
/* Order-sensitive combination of two hashes. */
uint64_t pelab_hash_mix(uint64_t a, uint64_t b);

/* A stream whose key is mix(seed, stream_id). */
pelab_rng pelab_rng_make(uint64_t seed, uint64_t stream_id);
/* Next 64 random bits. */
uint64_t pelab_rng_u64(pelab_rng *r);
/* Uniform in (0, 1): never exactly 0 or 1. */
double pelab_rng_uniform(pelab_rng *r);
/* Standard normal N(0, 1) by Box-Muller (two uniforms per draw, no cached
 * second value, so draw k depends only on the counter). */
double pelab_rng_normal(pelab_rng *r);
/* Uniform integer in [0, n), n >= 1 (Lemire's multiply-shift, rejection-free
 * bias below 2^-32 for n < 2^32: fine for permutations). */
uint64_t pelab_rng_below(pelab_rng *r, uint64_t n);

#endif /* PELAB_RNG_H */
