/* The deployed actor on the device (armproto_actor.h, PROTOCOL.md 8.7). */
#include <math.h>

#include "armproto_actor.h"
#include "armproto_internal.h"

uint16_t armproto_actor_observation_size(const armproto_actor *actor)
{
    uint16_t n = actor->joint_count;
    switch (actor->observation_layout) {
    case ARMPROTO_OBSERVATION_PLANAR_REACH: return (uint16_t)(3u * n + 4u);
    case ARMPROTO_OBSERVATION_PLANAR_REACH_PREVIOUS_ACTION: return (uint16_t)(4u * n + 4u);
    default: return 0;
    }
}

static int all_finite(const float *v, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++) {
        if (!ap_is_finite(v[i])) {
            return 0;
        }
    }
    return 1;
}

/* isfinite() on a double without relying on the math library's classification macros' flags. */
static int finite_double(double v)
{
    return v == v && v - v == 0.0;
}

int armproto_actor_check(const armproto_actor *actor)
{
    uint8_t l;
    uint8_t j;
    uint16_t width;

    if (actor == NULL || actor->layers == NULL || actor->joints == NULL || actor->layer_count < 1 ||
        actor->layer_count > ARMPROTO_ACTOR_MAX_LAYERS || actor->joint_count < 1 ||
        actor->joint_count > ARMPROTO_MAX_JOINTS || actor->goal_count != 2 || actor->control_period_us == 0) {
        return ARMPROTO_ACTOR_ERR_SHAPE;
    }
    width = armproto_actor_observation_size(actor);
    if (width == 0) {
        return ARMPROTO_ACTOR_ERR_SHAPE;
    }
    for (l = 0; l < actor->layer_count; l++) {
        const armproto_actor_layer *layer = &actor->layers[l];
        if (layer->inputs != width || layer->outputs < 1 || layer->inputs > ARMPROTO_ACTOR_MAX_WIDTH ||
            layer->outputs > ARMPROTO_ACTOR_MAX_WIDTH || layer->weight == NULL || layer->bias == NULL ||
            layer->activation > ARMPROTO_ACTIVATION_TANH) {
            return ARMPROTO_ACTOR_ERR_SHAPE;
        }
        width = layer->outputs;
    }
    if (width != actor->joint_count) {
        return ARMPROTO_ACTOR_ERR_SHAPE;
    }
    for (l = 0; l < actor->layer_count; l++) {
        const armproto_actor_layer *layer = &actor->layers[l];
        if (!all_finite(layer->weight, (size_t)layer->inputs * layer->outputs) ||
            !all_finite(layer->bias, layer->outputs)) {
            return ARMPROTO_ACTOR_ERR_VALUE;
        }
    }
    for (j = 0; j < actor->joint_count; j++) {
        const armproto_actor_joint *joint = &actor->joints[j];
        /* NaN fails every comparison below, so each bound is checked as well as ordered. */
        if (!finite_double(joint->torque_low) || !finite_double(joint->torque_high) ||
            !(joint->torque_low < joint->torque_high) || !(joint->position_low <= joint->position_high) ||
            !(joint->velocity_limit > 0.0) || !finite_double(joint->link_length) ||
            !ap_is_finite(joint->action_scale) || !ap_is_finite(joint->action_bias)) {
            return ARMPROTO_ACTOR_ERR_VALUE;
        }
    }
    return 0;
}

/*
 * One dense layer. Each output starts at its bias and adds x[i] * W[o][i] for i in order, each
 * step one fused multiply-add: the order and the rounding of the Swift deploy copy
 * (VectorKernels.affineTransposed), so that the host and the device agree to the last bit on a
 * machine where fmaf is exact (C99 requires it to be) and tanhf is the same function. On a
 * Cortex-M4F, fmaf is the single VFMA.F32 instruction.
 */
static void dense(const armproto_actor_layer *layer, const float *x, float *y)
{
    uint16_t o;
    uint16_t i;
    for (o = 0; o < layer->outputs; o++) {
        const float *row = layer->weight + (size_t)o * layer->inputs;
        float acc = layer->bias[o];
        for (i = 0; i < layer->inputs; i++) {
            acc = fmaf(x[i], row[i], acc);
        }
        switch (layer->activation) {
        case ARMPROTO_ACTIVATION_RELU:
            /* As the Swift kernel: negatives to +0; -0 and NaN pass unchanged. */
            if (acc < 0.0f) {
                acc = 0.0f;
            }
            break;
        case ARMPROTO_ACTIVATION_TANH:
            acc = tanhf(acc);
            break;
        default:
            break;
        }
        y[o] = acc;
    }
}

void armproto_actor_forward(const armproto_actor *actor, const float *observation, float *action,
                            armproto_actor_scratch *scratch)
{
    const float *x = observation;
    float *y = scratch->a;
    uint8_t l;
    uint8_t j;

    for (l = 0; l < actor->layer_count; l++) {
        dense(&actor->layers[l], x, y);
        x = y;
        y = (y == scratch->a) ? scratch->b : scratch->a;
    }
    for (j = 0; j < actor->joint_count; j++) {
        /* Two statements: a compiler that contracts within an expression (clang's default) must
         * not fuse these into one FMA, which Swift does not do. */
        float scaled = x[j] * actor->joints[j].action_scale;
        action[j] = scaled + actor->joints[j].action_bias;
    }
}

void armproto_actor_observe(const armproto_actor *actor, const float *q, const float *qd, const float *goal,
                            const float *previous_action, float *observation)
{
    uint8_t n = actor->joint_count;
    uint8_t i;
    double theta = 0.0;
    double x = 0.0;
    double y = 0.0;

    /* Forward kinematics as the Swift PlanarArm: angles summed from the base, links added in turn. */
    for (i = 0; i < n; i++) {
        double length = actor->joints[i].link_length;
        double dx;
        double dy;
        theta += (double)q[i];
        /* Products and sums in separate statements: never contracted into an FMA, as in Swift. */
        dx = length * cos(theta);
        dy = length * sin(theta);
        x += dx;
        y += dy;
    }
    for (i = 0; i < n; i++) {
        observation[i] = (float)cos((double)q[i]);
        observation[n + i] = (float)sin((double)q[i]);
        observation[2 * n + 2 + i] = qd[i];
    }
    observation[2 * n] = goal[0];
    observation[2 * n + 1] = goal[1];
    observation[3 * n + 2] = (float)(x - (double)goal[0]);
    observation[3 * n + 3] = (float)(y - (double)goal[1]);
    if (actor->observation_layout == ARMPROTO_OBSERVATION_PLANAR_REACH_PREVIOUS_ACTION) {
        for (i = 0; i < n; i++) {
            float a = previous_action != NULL ? previous_action[i] : 0.0f;
            observation[3 * n + 4 + i] = a > 1.0f ? 1.0f : (a < -1.0f ? -1.0f : a);
        }
    }
}

int armproto_actor_torques(const armproto_actor *actor, const float *action, const float *q, const float *qd,
                           float *tau)
{
    uint8_t n = actor->joint_count;
    uint8_t j;
    int flags = 0;

    /* A non-finite action is refused whole before anything is computed: clamping NaN would turn
     * it into a full torque (the host's ActuatorMap refuses it the same way). */
    for (j = 0; j < n; j++) {
        if (!ap_is_finite(action[j])) {
            memset(tau, 0, (size_t)n * sizeof *tau);
            return -(1 + (int)j);
        }
    }
    for (j = 0; j < n; j++) {
        const armproto_actor_joint *joint = &actor->joints[j];
        double a = (double)action[j];
        double t;
        double lower;
        double upper;
        double position = (double)q[j];
        double velocity = (double)qd[j];

        a = a > 1.0 ? 1.0 : (a < -1.0 ? -1.0 : a);
        /* The interpolation hits low, high and the midpoint exactly at -1, +1 and 0. */
        lower = (1.0 - a) * joint->torque_low;
        upper = (1.0 + a) * joint->torque_high;
        t = (lower + upper) / 2.0;
        if (t < joint->torque_low || t > joint->torque_high) {
            t = t < joint->torque_low ? joint->torque_low : joint->torque_high;
            flags |= ARMPROTO_ACTOR_GUARDED;
        }
        if ((position >= joint->position_high && t > 0.0) || (position <= joint->position_low && t < 0.0)) {
            t = 0.0;
            flags |= ARMPROTO_ACTOR_GUARDED;
        }
        if ((velocity > joint->velocity_limit && t > 0.0) || (velocity < -joint->velocity_limit && t < 0.0)) {
            t = 0.0;
            flags |= ARMPROTO_ACTOR_GUARDED;
        }
        tau[j] = (float)t;
    }
    return flags;
}
