/*
 * joint_plant.c - the per-joint rotor model of joint_plant.h.
 */
#include "joint_plant.h"

#include <math.h>

/* f1(x) = (1 - e^-x) / x and f2(x) = (x - 1 + e^-x) / x^2, accurate as x -> 0: the direct forms
 * cancel there (a reacher joint has x = 1e-3 at 1 ms), so small x takes the Taylor series, whose
 * next term is below double precision for x < 1e-4. */
static void step_factors(double x, double *f1, double *f2)
{
    if (x < 1e-4) {
        *f1 = 1.0 - x / 2.0 + x * x / 6.0 - x * x * x / 24.0;
        *f2 = 0.5 - x / 6.0 + x * x / 24.0 - x * x * x / 120.0;
    } else {
        double em = expm1(-x); /* e^-x - 1, exact for small x too */
        *f1 = -em / x;
        *f2 = (x + em) / (x * x);
    }
}

int joint_plant_init(joint_plant *p, double inertia, double damping, double step_s, float low, float high)
{
    double x, f1, f2;
    /* The negated forms also refuse NaN. */
    if (!(inertia > 0.0) || !(damping >= 0.0) || !(step_s > 0.0) || !(low <= high)) {
        return -1;
    }
    x = step_s * damping / inertia;
    step_factors(x, &f1, &f2);
    /* At the zero pose, or at the nearer end of a range that excludes it. */
    p->q = 0.0f < low ? low : 0.0f > high ? high : 0.0f;
    p->qd = 0.0f;
    p->tau = 0.0f;
    p->low = low;
    p->high = high;
    p->decay = (float)exp(-x);
    p->velocity_gain = (float)(step_s / inertia * f1);
    p->position_from_velocity = (float)(step_s * f1);
    p->position_gain = (float)(step_s * step_s / inertia * f2);
    return 0;
}

void joint_plant_step(joint_plant *p)
{
    float q = p->q + p->position_from_velocity * p->qd + p->position_gain * p->tau;
    float qd = p->decay * p->qd + p->velocity_gain * p->tau;
    if (q > p->high) {
        q = p->high;
        qd = 0.0f;
    } else if (q < p->low) {
        q = p->low;
        qd = 0.0f;
    }
    p->q = q;
    p->qd = qd;
}
