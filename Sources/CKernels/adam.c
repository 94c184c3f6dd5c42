#include "ckernels.h"
#include <math.h>

void armature_adam_f32(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, size_t count,
                       float beta2, float weight1, float weight2, float step_size, float correction2_root, float epsilon) {
    for (size_t i = 0; i < count; i++) {
        float grad = g[i];
        float first = m[i] + weight1 * (grad - m[i]);
        float second = v[i] * beta2 + weight2 * grad * grad;
        m[i] = first;
        v[i] = second;
        p[i] -= step_size * (first / (sqrtf(second) / correction2_root + epsilon));
    }
}
