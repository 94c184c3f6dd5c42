/*
 * test_joint_plant.c - the QEMU board's emulated rotor (mcu/joint_plant.c) against the closed-form
 * motion of J * dqd/dt = tau - b * qd under a constant torque, at the board's 1 ms step: free decay,
 * spin-up to the terminal speed tau / b, the undamped parabola, the stops, and the values it refuses.
 */
#include <math.h>
#include "harness.h"
#include "joint_plant.h"

#define STEP 1e-3

/* |got - want| within rel of |want| (or of 1 near zero). */
static int near(double got, double want, double rel)
{
    double scale = fabs(want) > 1.0 ? fabs(want) : 1.0;
    return fabs(got - want) <= rel * scale;
}

static void run(joint_plant *p, int steps)
{
    int i;
    for (i = 0; i < steps; i++) {
        joint_plant_step(p);
    }
}

static void test_free_decay(void)
{
    joint_plant p;
    const double J = 1.0011533624389368, b = 1.0, v0 = 2.0; /* the reacher's shoulder */
    double t = 1.5, a = b / J;
    CHECK_EQ(joint_plant_init(&p, J, b, STEP, -INFINITY, INFINITY), 0);
    p.qd = (float)v0;
    run(&p, 1500);
    CHECK(near(p.qd, v0 * exp(-a * t), 1e-4));
    CHECK(near(p.q, v0 / a * (1.0 - exp(-a * t)), 1e-4));
}

static void test_spin_up_to_the_terminal_speed(void)
{
    joint_plant p;
    const double J = 0.02, b = 0.5, tau = 1.5; /* time constant J / b = 40 ms */
    double t = 0.3, a = b / J;
    CHECK_EQ(joint_plant_init(&p, J, b, STEP, -INFINITY, INFINITY), 0);
    p.tau = (float)tau;
    run(&p, 300);
    CHECK(near(p.qd, tau / b * (1.0 - exp(-a * t)), 1e-4));
    CHECK(near(p.q, tau / b * (t - (1.0 - exp(-a * t)) / a), 1e-4));
    run(&p, 1000); /* 32 time constants on: at the terminal speed */
    CHECK(near(p.qd, tau / b, 1e-5));
}

static void test_undamped_parabola(void)
{
    joint_plant p;
    CHECK_EQ(joint_plant_init(&p, 2.0, 0.0, STEP, -INFINITY, INFINITY), 0);
    p.tau = 4.0f; /* 2 rad/s^2 */
    run(&p, 1000);
    CHECK(near(p.qd, 2.0, 1e-5));
    CHECK(near(p.q, 1.0, 1e-5));
}

static void test_stops(void)
{
    joint_plant p;
    CHECK_EQ(joint_plant_init(&p, 1.0, 1.0, STEP, -0.5f, 0.25f), 0);
    p.tau = 50.0f;
    run(&p, 2000);
    CHECK(same_float(p.q, 0.25f));
    CHECK(same_float(p.qd, 0.0f));
    p.tau = -50.0f;
    run(&p, 2000);
    CHECK(same_float(p.q, -0.5f));
    CHECK(same_float(p.qd, 0.0f));
    /* Pulled off the stop, it moves again. */
    p.tau = 50.0f;
    run(&p, 10);
    CHECK(p.q > -0.5f && p.qd > 0.0f);
}

static void test_start_and_refusals(void)
{
    joint_plant p;
    CHECK_EQ(joint_plant_init(&p, 1.0, 0.0, STEP, 0.5f, 2.0f), 0);
    CHECK(same_float(p.q, 0.5f)); /* a range without 0: at its nearer end */
    CHECK_EQ(joint_plant_init(&p, 1.0, 0.0, STEP, -2.0f, -1.0f), 0);
    CHECK(same_float(p.q, -1.0f));
    CHECK_EQ(joint_plant_init(&p, 0.0, 1.0, STEP, -1.0f, 1.0f), -1);
    CHECK_EQ(joint_plant_init(&p, NAN, 1.0, STEP, -1.0f, 1.0f), -1);
    CHECK_EQ(joint_plant_init(&p, 1.0, -1.0, STEP, -1.0f, 1.0f), -1);
    CHECK_EQ(joint_plant_init(&p, 1.0, 1.0, 0.0, -1.0f, 1.0f), -1);
    CHECK_EQ(joint_plant_init(&p, 1.0, 1.0, STEP, 1.0f, -1.0f), -1);
}

void test_joint_plant(void)
{
    test_free_decay();
    test_spin_up_to_the_terminal_speed();
    test_undamped_parabola();
    test_stops();
    test_start_and_refusals();
}
