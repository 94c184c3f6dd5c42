/* The position controller MOVE runs (PROTOCOL.md 8.6): a setpoint that travels to the target at a
 * bounded speed, and a PD law on it. Pure functions of their arguments, so that the device, a
 * lockstep simulator and the host's simulated arm all run the very same arithmetic. */
#include "armproto_internal.h"

static float abs_f(float v)
{
    return v < 0.0f ? -v : v;
}

void armproto_move_set(armproto_move *m, const armproto_msg *req)
{
    uint8_t n = req->joint_count;
    memcpy(m->target, req->q, sizeof(float) * n);
    memcpy(m->kp, req->kp, sizeof(float) * n);
    memcpy(m->kd, req->kd, sizeof(float) * n);
    m->max_velocity = req->max_velocity;
    m->position_tolerance = req->position_tolerance;
    m->velocity_tolerance = req->velocity_tolerance;
    m->integral_time = req->integral_time;
}

void armproto_move_start(armproto_move *m, const float *q, uint8_t n, uint64_t now_us)
{
    memcpy(m->setpoint, q, sizeof(float) * n);
    memset(m->integral, 0, sizeof m->integral);
    m->updated_us = now_us;
}

/* The microseconds from `from` to `to` as a float, rounded to nearest like a plain (float) cast of
 * the 64-bit difference, but without one: on a Cortex-M4F a u64 -> float conversion is a libgcc
 * call (__aeabi_ul2f) that drags in about 540 bytes of software floating point, while a u32 ->
 * float conversion is one instruction. The difference fits 32 bits whenever the controller runs
 * at least every 71 minutes, which it always does (every millisecond while moving); a longer gap
 * is shifted into 32 bits with the bits shifted out kept as a sticky bit, so that the single
 * rounding of the conversion still sees whether they were zero, and scaled back by a power of two
 * (exact). Either way the result is the bit pattern of (float)(to - from). */
static float elapsed_us(uint64_t from, uint64_t to)
{
    uint64_t d = to - from;
    float scale = 1.0f;

    while ((d >> 32) != 0) {
        d = (d >> 1) | (d & 1u);
        scale *= 2.0f;
    }
    return (float)(uint32_t)d * scale;
}

int armproto_move_update(armproto_move *m, const float *q, const float *qd, const float *limit, uint8_t n,
                         uint64_t now_us, float *tau)
{
    /* A clock that went backwards (it must not) moves nothing rather than everything. */
    float dt = now_us > m->updated_us ? elapsed_us(m->updated_us, now_us) * 1e-6f : 0.0f;
    float step = m->max_velocity * dt;
    int flags = ARMPROTO_MOVE_SETTLED;
    uint8_t j;

    m->updated_us = now_us;
    for (j = 0; j < n; j++) {
        float error = m->target[j] - m->setpoint[j];
        float v_ref;
        float t;
        float e;
        float p_term;
        float d_term;
        if (error > step) {
            m->setpoint[j] += step;
            v_ref = m->max_velocity;
        } else if (error < -step) {
            m->setpoint[j] -= step;
            v_ref = -m->max_velocity;
        } else {
            m->setpoint[j] = m->target[j];
            v_ref = 0.0f;
        }
        e = m->setpoint[j] - q[j];
        if (m->integral_time > 0.0f) {
            /* Integral action holds a pose against a steady load (gravity, friction) that a
             * proportional term alone leaves an error against. Bounded so that the integral term
             * alone never asks for more than the torque limit: no windup while the arm is blocked. */
            float bound = m->kp[j] > 0.0f ? limit[j] * m->integral_time / m->kp[j] : 0.0f;
            float step_i = e * dt;
            m->integral[j] += step_i;
            if (m->integral[j] > bound) {
                m->integral[j] = bound;
            } else if (m->integral[j] < -bound) {
                m->integral[j] = -bound;
            }
            e += m->integral[j] / m->integral_time;
        }
        /* Named products, then the sum: no compiler may fuse them into one rounding, so every
         * build of this file computes the same torque. */
        p_term = m->kp[j] * e;
        d_term = m->kd[j] * (v_ref - qd[j]);
        t = p_term + d_term;
        if (t > limit[j]) {
            t = limit[j];
            flags |= ARMPROTO_MOVE_CLAMPED;
        } else if (t < -limit[j]) {
            t = -limit[j];
            flags |= ARMPROTO_MOVE_CLAMPED;
        }
        /* Finite gains so large that a product overflows can still leave no torque: +-inf on a
         * joint without a limit, NaN where the two terms overflow in opposite directions. No
         * motor may be commanded a non-finite torque (a TORQUE carrying one is refused), so the
         * joint gets none, flagged like a clamp. */
        if (!ap_is_finite(t)) {
            t = 0.0f;
            flags |= ARMPROTO_MOVE_CLAMPED;
        }
        tau[j] = t;
        if (m->setpoint[j] != m->target[j] || !(abs_f(m->target[j] - q[j]) <= m->position_tolerance) ||
            !(abs_f(qd[j]) <= m->velocity_tolerance)) {
            flags &= ~ARMPROTO_MOVE_SETTLED;
        }
    }
    return flags;
}

uint8_t armproto_move_check(const armproto_msg *req, const float *low, const float *high, uint8_t *joint,
                            uint32_t *bits)
{
    uint8_t n = req->joint_count;
    const float *scalars[4];
    const float *arrays[3];
    uint8_t j;
    int k;

    scalars[0] = &req->max_velocity;
    scalars[1] = &req->position_tolerance;
    scalars[2] = &req->velocity_tolerance;
    scalars[3] = &req->integral_time;
    arrays[0] = req->q;
    arrays[1] = req->kp;
    arrays[2] = req->kd;
    *joint = ARMPROTO_NO_JOINT;
    *bits = 0;
    for (k = 0; k < 4; k++) {
        if (!ap_is_finite(*scalars[k])) {
            memcpy(bits, scalars[k], sizeof *bits);
            return ARMPROTO_RESULT_NON_FINITE;
        }
    }
    /* The lowest joint with a bad value names the fault; target before kp before kd. */
    for (j = 0; j < n; j++) {
        for (k = 0; k < 3; k++) {
            if (!ap_is_finite(arrays[k][j])) {
                *joint = j;
                memcpy(bits, &arrays[k][j], sizeof *bits);
                return ARMPROTO_RESULT_NON_FINITE;
            }
        }
    }
    if (!(req->max_velocity > 0.0f) || req->position_tolerance < 0.0f || req->velocity_tolerance < 0.0f ||
        req->integral_time < 0.0f) {
        return ARMPROTO_RESULT_OUT_OF_RANGE;
    }
    for (j = 0; j < n; j++) {
        if (req->kp[j] < 0.0f || req->kd[j] < 0.0f || !(req->q[j] >= low[j] && req->q[j] <= high[j])) {
            *joint = j;
            return ARMPROTO_RESULT_OUT_OF_RANGE;
        }
    }
    return 0;
}
