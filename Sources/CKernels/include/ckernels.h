#ifndef ARMATURE_CKERNELS_H
#define ARMATURE_CKERNELS_H

#include <stddef.h>

/// One Adam update of `count` float32 parameters with PyTorch's arithmetic:
/// m += w1 (g - m); v = v b2 + w2 g²; p -= step (m / (sqrt(v) / c2 + eps)).
/// In C because Swift's SIMD square root is scalarised; here it is one vector instruction.
void armature_adam_f32(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, size_t count,
                       float beta2, float weight1, float weight2, float step_size, float correction2_root, float epsilon);

#endif
