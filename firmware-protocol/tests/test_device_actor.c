/* Protocol 1.4: the device's own actor (GOAL, PROTOCOL.md 8.7) against a fake board, with the
 * exported fixture actor (tests/fixtures) as what the board holds. */
#include <math.h>

#include "harness.h"
#include "fake_board.h"
#include "fixtures/fixture_actor.h"

#define WATCHDOG_US 50000u
#define PERIOD_US 20000u /* the fixture actor's control period (50 Hz) */

/* A 2-joint device (joint 0 limited to 150 N*m by the device itself) with `actor`, or none. */
static armproto_device *make_device(fake_board *b, const armproto_actor *actor, int lockstep)
{
    static armproto_device dev;
    armproto_board board;
    armproto_device_config cfg;
    fake_board_attach(b, &board);
    b->measure_commanded = 1;
    armproto_device_config_default(&cfg, 2);
    cfg.watchdog_us = WATCHDOG_US;
    cfg.lockstep_clock = (uint8_t)lockstep;
    CHECK_EQ(armproto_device_config_set_limit(&cfg, 0, 150.0f), 0);
    CHECK_EQ(armproto_device_init(&dev, &board, &cfg), 0);
    CHECK_EQ(armproto_device_set_actor(&dev, actor), 0);
    return &dev;
}

static void send_frame(armproto_device *dev, fake_board *b, const uint8_t *f, int n, replies *r)
{
    CHECK(n > 0);
    armproto_device_receive(dev, f, (size_t)n);
    take(b, r);
}

static void send_goal(armproto_device *dev, fake_board *b, uint32_t seq, float x, float y, replies *r)
{
    uint8_t f[ARMPROTO_MAX_FRAME];
    float goal[2];
    goal[0] = x;
    goal[1] = y;
    send_frame(dev, b, f, armproto_encode_goal(f, sizeof f, seq, goal, 2), r);
}

static void enable(armproto_device *dev, fake_board *b, replies *r)
{
    uint8_t f[ARMPROTO_MAX_FRAME];
    send_frame(dev, b, f, armproto_encode_hello(f, sizeof f, 1, ARMPROTO_VERSION_MAJOR, ARMPROTO_VERSION_MINOR), r);
    send_frame(dev, b, f, armproto_encode_enable(f, sizeof f, 2), r);
    CHECK(r->n == 1 && r->m[0].type == ARMPROTO_MSG_ACK);
}

/* What the device must command at (q, qd) towards goal after `previous`: the kernel's torques,
 * then the device's own limit on joint 0. */
static void expected_torques(const float *q, const float *qd, const float *goal, const float *previous, float *tau,
                             float *action)
{
    armproto_actor_scratch scratch;
    float observation[FIXTURE_ACTOR_OBSERVATION_SIZE];
    armproto_actor_observe(&fixture_actor, q, qd, goal, previous, observation);
    armproto_actor_forward(&fixture_actor, observation, action, &scratch);
    CHECK(armproto_actor_torques(&fixture_actor, action, q, qd, tau) >= 0);
    if (tau[0] > 150.0f) tau[0] = 150.0f;
    if (tau[0] < -150.0f) tau[0] = -150.0f;
}

static void goal_without_actor_is_refused_no_actor(void)
{
    fake_board b;
    replies r;
    uint8_t want[ARMPROTO_MAX_FRAME];
    armproto_device *dev = make_device(&b, NULL, 0);
    enable(dev, &b, &r);
    armproto_device_receive(dev, (const uint8_t *)"", 0);
    {
        uint8_t f[ARMPROTO_MAX_FRAME];
        float goal[2] = {0.125f, -0.0625f};
        int n = armproto_encode_goal(f, sizeof f, 40, goal, 2);
        int wn = vector_frame("nak_goal_no_actor", want, sizeof want);
        armproto_device_receive(dev, f, (size_t)n);
        CHECK_BYTES(b.out, b.out_len, want, wn); /* the vector's bytes exactly */
        take(&b, &r);
    }
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_NAK && r.m[0].result == ARMPROTO_RESULT_NO_ACTOR);
    CHECK(!(armproto_device_status(dev) & ARMPROTO_STATUS_ACTOR));
    CHECK_EQ(b.set_calls, 2); /* init and ENABLE zeroed the torque; nothing else */
}

static void set_actor_checks_the_actor_and_reports_the_capability(void)
{
    fake_board b;
    replies r;
    uint8_t f[ARMPROTO_MAX_FRAME];
    armproto_actor three = fixture_actor;
    armproto_device *dev = make_device(&b, NULL, 0);

    three.joint_count = 3; /* no longer matches its own layers either */
    CHECK(armproto_device_set_actor(dev, &three) != 0);
    send_frame(dev, &b, f, armproto_encode_hello(f, sizeof f, 1, 1, 4), &r);
    CHECK(r.n == 1 && r.m[0].version_minor == 4 && !(r.m[0].capabilities & ARMPROTO_CAPABILITY_ACTOR));
    CHECK_EQ(armproto_device_set_actor(dev, &fixture_actor), 0);
    send_frame(dev, &b, f, armproto_encode_hello(f, sizeof f, 2, 1, 4), &r);
    CHECK(r.n == 1 && (r.m[0].capabilities & ARMPROTO_CAPABILITY_ACTOR));
}

static void goal_refusals_in_order(void)
{
    fake_board b;
    replies r;
    uint8_t f[ARMPROTO_MAX_FRAME];
    float three[3] = {0.1f, 0.1f, 0.1f};
    float nan_goal[2];
    const uint32_t nan_bits = 0x7FC00000u;
    armproto_device *dev = make_device(&b, &fixture_actor, 0);

    /* Form first: three values for an actor that takes two. */
    send_frame(dev, &b, f, armproto_encode_goal(f, sizeof f, 5, three, 3), &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_NAK && r.m[0].result == ARMPROTO_RESULT_BAD_LENGTH);
    CHECK_EQ(dev->rx.stats.rx_bad_length, 1);
    /* Then the session: disabled. */
    send_goal(dev, &b, 6, 0.1f, 0.1f, &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_STATE && r.m[0].result == ARMPROTO_RESULT_NOT_ENABLED);
    enable(dev, &b, &r);
    /* Stale: not newer than ENABLE's seq 2. */
    send_goal(dev, &b, 2, 0.1f, 0.1f, &r);
    CHECK(r.n == 1 && r.m[0].result == ARMPROTO_RESULT_STALE_SEQUENCE);
    /* Values: a NaN goal faults the device. */
    nan_goal[0] = 0.1f;
    memcpy(&nan_goal[1], &nan_bits, sizeof nan_bits);
    send_frame(dev, &b, f, armproto_encode_goal(f, sizeof f, 7, nan_goal, 2), &r);
    CHECK(r.n == 2 && r.m[0].type == ARMPROTO_MSG_FAULT && r.m[0].fault == ARMPROTO_FAULT_NON_FINITE &&
          r.m[0].fault_detail == nan_bits);
    CHECK(r.m[1].type == ARMPROTO_MSG_STATE && r.m[1].result == ARMPROTO_RESULT_NON_FINITE);
    CHECK(!(armproto_device_status(dev) & (ARMPROTO_STATUS_ENABLED | ARMPROTO_STATUS_ACTOR)));
}

/* Real time: the first GOAL steps at once; then the poll steps every control period on the
 * device clock, with the newest goal and the previous action; a GOAL in between only sets the goal. */
static void actor_runs_at_its_control_period_with_the_newest_goal(void)
{
    fake_board b;
    replies r;
    float tau[2];
    float action[2];
    float previous[2];
    float goal[2] = {0.15f, -0.05f};
    int calls;
    armproto_device *dev = make_device(&b, &fixture_actor, 0);

    enable(dev, &b, &r);
    b.q[0] = 0.3f; b.q[1] = -0.7f; b.qd[0] = 1.25f; b.qd[1] = -2.0f;
    send_goal(dev, &b, 3, goal[0], goal[1], &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_STATE && r.m[0].result == ARMPROTO_RESULT_OK);
    CHECK(r.m[0].status & ARMPROTO_STATUS_ACTOR);
    CHECK_EQ(r.m[0].applied_seq, 3);
    expected_torques(b.q, b.qd, goal, NULL, tau, action);
    CHECK(same_float(b.tau[0], tau[0]) && same_float(b.tau[1], tau[1]));
    CHECK(same_float(r.m[0].tau[0], tau[0])); /* the STATE reports the torque just commanded */
    previous[0] = action[0] > 1.0f ? 1.0f : (action[0] < -1.0f ? -1.0f : action[0]);
    previous[1] = action[1] > 1.0f ? 1.0f : (action[1] < -1.0f ? -1.0f : action[1]);

    calls = b.set_calls;
    b.t += PERIOD_US - 1;
    armproto_device_poll(dev);
    CHECK_EQ(b.set_calls, calls); /* not yet due */
    /* A new goal arrives mid-period: it feeds the watchdog and waits for the next step. */
    goal[0] = -0.1f;
    goal[1] = 0.12f;
    send_goal(dev, &b, 4, goal[0], goal[1], &r);
    CHECK(r.n == 1 && r.m[0].result == ARMPROTO_RESULT_OK);
    CHECK_EQ(b.set_calls, calls);
    b.q[0] = 0.31f;
    b.t += 1;
    armproto_device_poll(dev);
    CHECK_EQ(b.set_calls, calls + 1);
    expected_torques(b.q, b.qd, goal, previous, tau, action);
    CHECK(same_float(b.tau[0], tau[0]) && same_float(b.tau[1], tau[1]));
    /* A late poll (5 ms) does not shift the grid: the next step is due at 2 periods. */
    b.t += PERIOD_US + 5000;
    armproto_device_poll(dev);
    CHECK_EQ(b.set_calls, calls + 2);
    b.t += PERIOD_US - 5000;
    armproto_device_poll(dev);
    CHECK_EQ(b.set_calls, calls + 3);
}

static void watchdog_stops_the_actor_and_heartbeat_feeds_it(void)
{
    fake_board b;
    replies r;
    uint8_t f[ARMPROTO_MAX_FRAME];
    armproto_device *dev = make_device(&b, &fixture_actor, 0);
    uint64_t start;

    enable(dev, &b, &r);
    send_goal(dev, &b, 3, 0.1f, 0.1f, &r);
    start = b.t;
    /* Heartbeats alone keep it running past several watchdog periods. */
    while (b.t < start + 4 * WATCHDOG_US) {
        b.t += 10000;
        armproto_device_poll(dev);
        send_frame(dev, &b, f, armproto_encode_heartbeat(f, sizeof f, (uint32_t)b.t), &r);
        CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_STATE && (r.m[0].status & ARMPROTO_STATUS_ACTOR));
    }
    /* Then silence: the watchdog trips, the torque is zeroed and the actor stops. */
    b.t += WATCHDOG_US;
    armproto_device_poll(dev);
    take(&b, &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_FAULT && r.m[0].fault == ARMPROTO_FAULT_WATCHDOG);
    CHECK(b.tau[0] == 0.0f && b.tau[1] == 0.0f);
    CHECK(!(armproto_device_status(dev) & (ARMPROTO_STATUS_ACTOR | ARMPROTO_STATUS_ENABLED)));
    b.t += PERIOD_US;
    armproto_device_poll(dev);
    CHECK(b.tau[0] == 0.0f && b.tau[1] == 0.0f);
}

static void torque_or_move_takes_over_from_the_actor(void)
{
    fake_board b;
    replies r;
    uint8_t f[ARMPROTO_MAX_FRAME];
    float tau[2] = {1.0f, -1.0f};
    float target[2] = {0.0f, 0.0f};
    float gains[2] = {1.0f, 1.0f};
    int calls;
    armproto_device *dev = make_device(&b, &fixture_actor, 0);

    enable(dev, &b, &r);
    send_goal(dev, &b, 3, 0.1f, 0.1f, &r);
    send_frame(dev, &b, f, armproto_encode_torque(f, sizeof f, 4, tau, 2), &r);
    CHECK(r.n == 1 && r.m[0].result == ARMPROTO_RESULT_OK && !(r.m[0].status & ARMPROTO_STATUS_ACTOR));
    calls = b.set_calls;
    b.t += 2 * PERIOD_US; /* two periods, within the watchdog */
    send_frame(dev, &b, f, armproto_encode_torque(f, sizeof f, 5, tau, 2), &r);
    armproto_device_poll(dev);
    CHECK_EQ(b.set_calls, calls + 1); /* only the TORQUE: the actor no longer steps */
    CHECK(b.tau[0] == 1.0f && b.tau[1] == -1.0f);

    send_goal(dev, &b, 6, 0.1f, 0.1f, &r);
    CHECK(r.m[0].status & ARMPROTO_STATUS_ACTOR);
    send_frame(dev, &b, f, armproto_encode_move(f, sizeof f, 7, target, gains, gains, 2, 1.0f, 0.01f, 0.01f, 0.0f), &r);
    CHECK(r.n == 1 && (r.m[0].status & ARMPROTO_STATUS_MOVING) && !(r.m[0].status & ARMPROTO_STATUS_ACTOR));
}

/* An actor whose output overflows to infinity: the device refuses the action, zeroes the torque
 * and reports ACTOR_OUTPUT naming the joint. */
static void non_finite_action_faults_actor_output(void)
{
    static float weight[2 * 10];
    static const float bias[2] = {0.0f, 0.0f};
    armproto_actor_layer layer;
    armproto_actor overflowing = fixture_actor;
    fake_board b;
    replies r;
    int i;
    armproto_device *dev;

    for (i = 0; i < 20; i++) weight[i] = i < 10 ? 0.0f : 3e38f;
    memset(&layer, 0, sizeof layer);
    layer.weight = weight;
    layer.bias = bias;
    layer.inputs = 10;
    layer.outputs = 2;
    layer.activation = ARMPROTO_ACTIVATION_IDENTITY;
    overflowing.layers = &layer;
    overflowing.layer_count = 1;
    dev = make_device(&b, &overflowing, 0);
    enable(dev, &b, &r);
    send_goal(dev, &b, 3, 0.0f, 0.0f, &r); /* cos 0 = 1 twice: 3e38 + 3e38 = inf on joint 1 */
    CHECK(r.n == 2 && r.m[0].type == ARMPROTO_MSG_FAULT && r.m[0].fault == ARMPROTO_FAULT_ACTOR_OUTPUT &&
          r.m[0].fault_joint == 1 && r.m[0].fault_detail == 0x7F800000u);
    CHECK(r.m[1].type == ARMPROTO_MSG_STATE && r.m[1].result == ARMPROTO_RESULT_BOARD_ERROR);
    CHECK(b.tau[0] == 0.0f && b.tau[1] == 0.0f);
    CHECK(!(armproto_device_status(dev) & (ARMPROTO_STATUS_ACTOR | ARMPROTO_STATUS_ENABLED)));
}

/* Lockstep: every GOAL is one step (the simulator advances inside set_torques); the poll never
 * steps even though the simulated clock moved. */
static void lockstep_steps_once_per_goal(void)
{
    fake_board b;
    replies r;
    int calls;
    uint32_t seq;
    armproto_device *dev = make_device(&b, &fixture_actor, 1);

    enable(dev, &b, &r);
    calls = b.set_calls;
    for (seq = 3; seq < 8; seq++) {
        send_goal(dev, &b, seq, 0.1f, 0.1f, &r);
        CHECK(r.n == 1 && r.m[0].result == ARMPROTO_RESULT_OK);
        b.t += PERIOD_US; /* the simulator's period */
        armproto_device_poll(dev);
    }
    CHECK_EQ(b.set_calls, calls + 5);
}

static void guard_cuts_at_the_position_limit_on_the_device(void)
{
    fake_board b;
    replies r;
    float tau[2];
    float action[2];
    float goal[2] = {0.0f, 0.2f};
    armproto_device *dev = make_device(&b, &fixture_actor, 0);

    enable(dev, &b, &r);
    b.q[1] = 3.05f; /* past the elbow's 3 rad */
    send_goal(dev, &b, 3, goal[0], goal[1], &r);
    expected_torques(b.q, b.qd, goal, NULL, tau, action);
    CHECK(same_float(b.tau[1], tau[1]));
    CHECK(b.tau[1] <= 0.0f); /* never pushes further out */
}

void test_device_actor(void)
{
    goal_without_actor_is_refused_no_actor();
    set_actor_checks_the_actor_and_reports_the_capability();
    goal_refusals_in_order();
    actor_runs_at_its_control_period_with_the_newest_goal();
    watchdog_stops_the_actor_and_heartbeat_feeds_it();
    torque_or_move_takes_over_from_the_actor();
    non_finite_action_faults_actor_output();
    lockstep_steps_once_per_goal();
    guard_cuts_at_the_position_limit_on_the_device();
}
