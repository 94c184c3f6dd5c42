/*
 * armproto_actor.h - the deployed actor on the device (PROTOCOL.md 8.7): a float32 multilayer
 * perceptron run from constant weights (flash), the reach observation built from the device's
 * own readings and a goal, and the normalized action turned into torques through the actuator
 * map and the guard's limits, as the host's ActuatedArm and SafetyGuard do.
 *
 * No heap, no globals: weights are const arrays the caller (usually a header written by
 * `armature export-firmware`) owns; the two activation buffers are a caller-owned scratch.
 */
#ifndef ARMPROTO_ACTOR_H
#define ARMPROTO_ACTOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Most layers an actor may have (hidden layers and the output layer). */
#define ARMPROTO_ACTOR_MAX_LAYERS 8
/** Widest layer (and widest observation); sets the scratch size (2 x width floats). */
#ifndef ARMPROTO_ACTOR_MAX_WIDTH
#define ARMPROTO_ACTOR_MAX_WIDTH 256
#endif
/** Most goal values a GOAL carries (the reach task needs 2: x, y). */
#define ARMPROTO_ACTOR_MAX_GOAL 4

/* Activation after a layer: the Swift MLP's `Activation`. */
#define ARMPROTO_ACTIVATION_IDENTITY 0
#define ARMPROTO_ACTIVATION_RELU     1
#define ARMPROTO_ACTIVATION_TANH     2

/*
 * Observation layouts (the Swift ObservationLayout). Both are the planar reach order for n joints:
 * cos q (n), sin q (n), goal x, goal y, qd (n), fingertip x - goal x, fingertip y - goal y; the
 * second appends the previous action (n values, clamped to [-1, 1], zero at the start).
 * Reacher-v5 is the first for n = 2.
 */
#define ARMPROTO_OBSERVATION_PLANAR_REACH                 1
#define ARMPROTO_OBSERVATION_PLANAR_REACH_PREVIOUS_ACTION 2

/* armproto_actor_check results besides 0. */
#define ARMPROTO_ACTOR_ERR_SHAPE  (-20)  /* layer sizes do not chain, exceed the limits, or do not fit the layout */
#define ARMPROTO_ACTOR_ERR_VALUE  (-21)  /* a non-finite weight, bias or scale, or an unusable joint limit */

/* armproto_actor_torques flag: the guard changed a torque (effort clamp, position or velocity cut). */
#define ARMPROTO_ACTOR_GUARDED 1

/** One dense layer: y = activation(W x + b). */
typedef struct armproto_actor_layer {
    const float *weight;    /* outputs x inputs, row-major (PyTorch's [out, in]) */
    const float *bias;      /* outputs */
    uint16_t inputs;
    uint16_t outputs;
    uint8_t activation;     /* ARMPROTO_ACTIVATION_* */
    uint8_t reserved[3];
} armproto_actor_layer;

/**
 * One joint's actuation as the host's description gives it. Doubles, because the host computes
 * the map, the guard and the kinematics in double: the same arithmetic gives the same torques.
 */
typedef struct armproto_actor_joint {
    double torque_low;      /* N*m: action -1 (the actuator map and the guard's effort range) */
    double torque_high;     /* N*m: action +1 */
    double position_low;    /* rad: the guard cuts torque pushing further below it; -inf: none */
    double position_high;   /* rad: ... above it; +inf: none */
    double velocity_limit;  /* rad/s: the guard cuts torque accelerating past it; +inf: none */
    double link_length;     /* m: the link after this joint, for the fingertip */
    float action_scale;     /* applied to the network output (CleanRL's action_scale; 1 if none) */
    float action_bias;      /* ... then added (CleanRL's action_bias; 0 if none) */
} armproto_actor_joint;

/** A whole actor: network, observation layout, and per-joint actuation. Usually const in flash. */
typedef struct armproto_actor {
    const armproto_actor_layer *layers;
    const armproto_actor_joint *joints;
    uint32_t control_period_us;  /* the rate the policy was trained at; the device runs it at this period */
    uint8_t layer_count;
    uint8_t joint_count;         /* = the last layer's outputs */
    uint8_t observation_layout;  /* ARMPROTO_OBSERVATION_* */
    uint8_t goal_count;          /* values a GOAL carries: 2 for the reach layouts */
} armproto_actor;

/** The two activation buffers a forward pass ping-pongs between. */
typedef struct armproto_actor_scratch {
    float a[ARMPROTO_ACTOR_MAX_WIDTH];
    float b[ARMPROTO_ACTOR_MAX_WIDTH];
} armproto_actor_scratch;

/** Number of observation values the actor's layout builds for its joints (0 for an unknown layout). */
uint16_t armproto_actor_observation_size(const armproto_actor *actor);

/**
 * 0 if the actor can run: layers chain, fit ARMPROTO_ACTOR_MAX_WIDTH and the joint limits, the
 * first takes the layout's observation size, the last gives one action per joint; every weight,
 * bias and scale finite; torque_low < torque_high finite; position_low <= position_high; link
 * lengths finite. Else ARMPROTO_ACTOR_ERR_SHAPE or ARMPROTO_ACTOR_ERR_VALUE. Reads every weight
 * once: call it at start-up, not per step.
 */
int armproto_actor_check(const armproto_actor *actor);

/**
 * The normalized action for one observation (joint_count values): each layer's outputs
 * accumulate from the bias over the inputs in order with fused multiply-adds, as the Swift
 * deploy copy does, then its activation; then action_scale and action_bias. The actor must
 * have passed armproto_actor_check.
 */
void armproto_actor_forward(const armproto_actor *actor, const float *observation, float *action,
                            armproto_actor_scratch *scratch);

/**
 * Builds the observation (armproto_actor_observation_size values) from joint positions q (rad),
 * velocities qd (rad/s), the goal (goal_count values) and, for the previous-action layout, the
 * action sent one period before (NULL: zeros). Trigonometry and kinematics in double, then
 * rounded to float, as the Swift task does.
 */
void armproto_actor_observe(const armproto_actor *actor, const float *q, const float *qd, const float *goal,
                            const float *previous_action, float *observation);

/**
 * Torques (N*m) for a normalized action at state (q, qd): each action clamped to [-1, 1], mapped
 * to ((1 - a) low + (1 + a) high) / 2, then the guard: clamped to [low, high], cut to 0 when it
 * pushes a joint at or past a position limit further out or accelerates a joint already past
 * its velocity limit. A non-finite action component zeroes every torque and returns -(1 + j)
 * for the first such joint j; else returns 0 or ARMPROTO_ACTOR_GUARDED.
 */
int armproto_actor_torques(const armproto_actor *actor, const float *action, const float *q, const float *qd,
                           float *tau);

#ifdef __cplusplus
}
#endif

#endif /* ARMPROTO_ACTOR_H */
