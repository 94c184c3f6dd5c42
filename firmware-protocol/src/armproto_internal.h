/*
 * Private helpers of the reference implementation: little-endian field access
 * done with shifts (portable to any host byte order and to unaligned buffers)
 * and float bit casts through memcpy (the only defined way in C99).
 */
#ifndef ARMPROTO_INTERNAL_H
#define ARMPROTO_INTERNAL_H

#include <string.h>
#include "armproto.h"

/* The wire carries IEEE-754 binary32; refuse to build where float differs in size. */
typedef char armproto_float_is_32_bits[(sizeof(float) == 4) ? 1 : -1];

static inline void ap_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)(v >> 8);
}

static inline void ap_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)((v >> 8) & 0xFFu);
    p[2] = (uint8_t)((v >> 16) & 0xFFu);
    p[3] = (uint8_t)(v >> 24);
}

static inline void ap_put_u64(uint8_t *p, uint64_t v)
{
    ap_put_u32(p, (uint32_t)(v & 0xFFFFFFFFu));
    ap_put_u32(p + 4, (uint32_t)(v >> 32));
}

static inline void ap_put_f32(uint8_t *p, float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    ap_put_u32(p, bits);
}

static inline uint16_t ap_get_u16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] | (uint16_t)((uint16_t)p[1] << 8));
}

static inline uint32_t ap_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t ap_get_u64(const uint8_t *p)
{
    return (uint64_t)ap_get_u32(p) | ((uint64_t)ap_get_u32(p + 4) << 32);
}

static inline float ap_get_f32(const uint8_t *p)
{
    uint32_t bits = ap_get_u32(p);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Bit test rather than isfinite(): stays correct under -ffast-math. */
static inline int ap_is_finite(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return (bits & 0x7F800000u) != 0x7F800000u;
}

/* Index of the first NaN or infinity among n values, or -1. */
static inline int ap_first_non_finite(const float *v, uint8_t n)
{
    uint8_t j;
    for (j = 0; j < n; j++) {
        if (!ap_is_finite(v[j])) {
            return j;
        }
    }
    return -1;
}

#endif /* ARMPROTO_INTERNAL_H */
