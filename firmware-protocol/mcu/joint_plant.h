/*
 * joint_plant.h - the emulated motors of the QEMU board: one rotor per joint, no coupling.
 *
 * Each joint is a rigid rotor of inertia J (kg*m^2) with viscous damping b (N*m*s/rad), driven by
 * the commanded torque tau:  J * dqd/dt = tau - b * qd,  dq/dt = qd.
 * The board integrates it at a fixed step h (the SysTick's 1 ms) with tau held over the step,
 * which has an exact solution (a linear ODE with a constant input), so the step size changes
 * when a new torque takes effect but never the accuracy or the stability, whatever J and b are:
 *   qd' = a * qd + beta * tau,      q' = q + g * qd + d * tau,
 * with x = h * b / J, a = exp(-x), beta = (h / J) * f1(x), g = h * f1(x), d = (h^2 / J) * f2(x),
 * f1(x) = (1 - exp(-x)) / x and f2(x) = (x - 1 + exp(-x)) / x^2 (f1 = 1, f2 = 1/2 at b = 0).
 * A joint with a range stops at its ends: a step that would pass one leaves the joint there at
 * rest (an inelastic stop), the way a hard stop ends travel; a continuous joint has -inf/+inf.
 *
 * What it leaves out, on purpose (the issue asks for a per-joint plant): the links' coupling
 * through the mass matrix, Coriolis forces and gravity. J is the description's mass-matrix
 * diagonal at the straight pose (rotor armature included), so a horizontal arm whose links are
 * light next to its rotors - the reacher, armature 1 kg*m^2 against links of ~1e-4 - moves almost
 * as the full model does; a vertical arm here would feel no gravity.
 *
 * Pure C99 without registers, so the host tests run it (tests/test_joint_plant.c).
 */
#ifndef ARMATURE_JOINT_PLANT_H
#define ARMATURE_JOINT_PLANT_H

/** One joint's rotor: state, the torque in force, its stops and the step's coefficients. */
typedef struct joint_plant {
    float q;     /* rad */
    float qd;    /* rad/s */
    float tau;   /* N*m, held until the next command */
    float low;   /* rad, -inf for none */
    float high;  /* rad, +inf for none */
    float decay; /* a: velocity kept over one step */
    float velocity_gain;          /* beta: velocity gained per N*m over one step */
    float position_from_velocity; /* g */
    float position_gain;          /* d */
} joint_plant;

/**
 * At rest at q = 0 (or the nearer end of a range that excludes 0) with no torque; step_s the
 * integration step (s, > 0), inertia > 0, damping >= 0, low <= high. Returns 0, or -1 for values
 * it cannot integrate (nothing is set then).
 */
int joint_plant_init(joint_plant *p, double inertia, double damping, double step_s, float low, float high);

/** Advances one step under the torque in force. */
void joint_plant_step(joint_plant *p);

#endif
