/* The inference kernel (armproto_actor.c) on the header Armature's exporter writes: the committed
 * fixture (tests/fixtures, generated and checked by the Swift tests) must reproduce what the Swift
 * side computed for the same cases. */
#include <math.h>

#include "armproto_actor.h"
#include "harness.h"
#include "fixtures/fixture_actor.h"
#include "fixtures/fixture_actor_expected.h"

/* Largest tolerated |C - Swift| on a normalized action (the float32 bound). */
#define ACTION_TOLERANCE 1e-5f

static float largest_action_difference(const armproto_actor *actor)
{
    armproto_actor_scratch scratch;
    float action[2];
    float largest = 0.0f;
    int c;
    int j;
    for (c = 0; c < FIXTURE_CASES; c++) {
        armproto_actor_forward(actor, fixture_observation[c], action, &scratch);
        for (j = 0; j < 2; j++) {
            float d = fabsf(action[j] - fixture_action[c][j]);
            if (!(d <= largest)) {
                largest = d; /* NaN too: it never compares */
            }
        }
    }
    return largest;
}

static void fixture_matches_swift(void)
{
    armproto_actor_scratch scratch;
    float observation[FIXTURE_ACTOR_OBSERVATION_SIZE];
    float action[2];
    float tau[2];
    int c;
    int j;

    CHECK_EQ(armproto_actor_check(&fixture_actor), 0);
    CHECK_EQ(armproto_actor_observation_size(&fixture_actor), FIXTURE_ACTOR_OBSERVATION_SIZE);
    CHECK(largest_action_difference(&fixture_actor) <= ACTION_TOLERANCE);
    for (c = 0; c < FIXTURE_CASES; c++) {
        int ok = 1;
        armproto_actor_observe(&fixture_actor, fixture_q[c], fixture_qd[c], fixture_goal[c], NULL, observation);
        for (j = 0; j < FIXTURE_ACTOR_OBSERVATION_SIZE; j++) {
            ok &= fabsf(observation[j] - fixture_observation[c][j]) <= 1e-6f;
        }
        CHECK(ok);
        armproto_actor_forward(&fixture_actor, observation, action, &scratch);
        (void)armproto_actor_torques(&fixture_actor, action, fixture_q[c], fixture_qd[c], tau);
        for (j = 0; j < 2; j++) {
            /* 1e-5 of the action is 2e-3 N*m at the reacher's 200 N*m scale. */
            CHECK(fabsf(tau[j] - fixture_torque[c][j]) <= 2e-3f);
        }
    }
}

/* The comparison can fail: the same actor with one output weight moved by 1e-3. */
static void perturbed_weight_is_caught(void)
{
    static float weight[2 * 16];
    armproto_actor_layer layers[3];
    armproto_actor perturbed = fixture_actor;

    memcpy(weight, fixture_actor_fc_mu_weight, sizeof weight);
    weight[5] += 1e-3f;
    memcpy(layers, fixture_actor_layers, sizeof layers);
    layers[2].weight = weight;
    perturbed.layers = layers;
    CHECK_EQ(armproto_actor_check(&perturbed), 0);
    CHECK(largest_action_difference(&perturbed) > ACTION_TOLERANCE);
}

static void check_refuses_bad_actors(void)
{
    static float nan_weight[2 * 16];
    armproto_actor_layer layers[3];
    armproto_actor_joint joints[2];
    armproto_actor bad = fixture_actor;
    const uint32_t nan_bits = 0x7FC00000u;

    memcpy(layers, fixture_actor_layers, sizeof layers);
    memcpy(joints, fixture_actor_joints, sizeof joints);
    bad.layers = layers;
    bad.joints = joints;

    memcpy(nan_weight, fixture_actor_fc_mu_weight, sizeof nan_weight);
    memcpy(&nan_weight[9], &nan_bits, sizeof nan_bits);
    layers[2].weight = nan_weight;
    CHECK_EQ(armproto_actor_check(&bad), ARMPROTO_ACTOR_ERR_VALUE);
    layers[2].weight = fixture_actor_fc_mu_weight;
    CHECK_EQ(armproto_actor_check(&bad), 0);

    layers[1].outputs = 15; /* no longer feeds the 16-input output layer */
    CHECK_EQ(armproto_actor_check(&bad), ARMPROTO_ACTOR_ERR_SHAPE);
    layers[1].outputs = 16;
    bad.observation_layout = ARMPROTO_OBSERVATION_PLANAR_REACH_PREVIOUS_ACTION; /* 12 inputs */
    CHECK_EQ(armproto_actor_check(&bad), ARMPROTO_ACTOR_ERR_SHAPE);
    bad.observation_layout = ARMPROTO_OBSERVATION_PLANAR_REACH;
    joints[1].torque_high = joints[1].torque_low;
    CHECK_EQ(armproto_actor_check(&bad), ARMPROTO_ACTOR_ERR_VALUE);
}

static void non_finite_action_zeroes_every_torque(void)
{
    const uint32_t nan_bits = 0x7FC00000u;
    float action[2] = {0.5f, 0.0f};
    float q[2] = {0.0f, 0.0f};
    float tau[2] = {1.0f, 1.0f};
    memcpy(&action[1], &nan_bits, sizeof nan_bits);
    CHECK_EQ(armproto_actor_torques(&fixture_actor, action, q, q, tau), -2);
    CHECK(tau[0] == 0.0f && tau[1] == 0.0f);
}

static void guard_cuts_push_past_position_limit(void)
{
    /* Elbow at +3.1 rad (limit 3): full positive action is cut, full negative passes. */
    float q[2] = {0.0f, 3.1f};
    float qd[2] = {0.0f, 0.0f};
    float push[2] = {1.0f, 1.0f};
    float pull[2] = {-2.0f, -2.0f};
    float tau[2];
    CHECK_EQ(armproto_actor_torques(&fixture_actor, push, q, qd, tau), ARMPROTO_ACTOR_GUARDED);
    CHECK(tau[0] == 200.0f && tau[1] == 0.0f);
    CHECK_EQ(armproto_actor_torques(&fixture_actor, pull, q, qd, tau), 0);
    CHECK(tau[0] == -200.0f && tau[1] == -200.0f);
}

void test_actor(void)
{
    fixture_matches_swift();
    perturbed_weight_is_caught();
    check_refuses_bad_actors();
    non_finite_action_zeroes_every_torque();
    guard_cuts_push_past_position_limit();
}
