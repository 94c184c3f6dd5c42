/* The board the device tests run the state machine on: a hand-driven clock, torques and joint
 * readings in memory, failures and an e-stop input on demand, and everything the device writes
 * kept for the test to decode. One board for every device test, so that each file tests the
 * device rather than its own fake. */
#ifndef ARMPROTO_TEST_FAKE_BOARD_H
#define ARMPROTO_TEST_FAKE_BOARD_H

#include "armproto.h"

typedef struct fake_board {
    uint64_t t;
    uint64_t wall;             /* the watchdog's clock when the board has one (watchdog_now_us) */
    float tau[ARMPROTO_MAX_JOINTS];
    int set_calls;
    int set_fail;
    float q[ARMPROTO_MAX_JOINTS], qd[ARMPROTO_MAX_JOINTS], tau_meas[ARMPROTO_MAX_JOINTS];
    int measure_commanded;     /* read_joints reports the torque last set, as a perfect current loop */
    int read_fail;
    int estop;
    int home_calls;
    float home_q[ARMPROTO_MAX_JOINTS];
    int home_velocity_calls;
    float home_qd[ARMPROTO_MAX_JOINTS];
    float load[ARMPROTO_MAX_JOINTS]; /* plant_step: a constant torque against the motor (gravity) */
    uint8_t out[16384];
    size_t out_len;
} fake_board;

/* What the device wrote, decoded. */
typedef struct replies {
    armproto_msg m[16];
    int n;
} replies;

uint64_t fb_now(void *ctx);
uint64_t fb_wall(void *ctx);
int fb_set(void *ctx, const float *tau, uint8_t n);
int fb_read(void *ctx, float *q, float *qd, float *tau, uint8_t n);
void fb_write(void *ctx, const uint8_t *bytes, size_t n);
int fb_estop(void *ctx);
int fb_home(void *ctx, const float *q, uint8_t n);
int fb_home_velocity(void *ctx, const float *q, const float *qd, uint8_t n);

/* Zeroes `b` (its clock at 1 s) and points `board` at it: clock, torques, joints and output; the
 * optional hooks (e-stop input, HOME, a watchdog clock) are left for the test to add. */
void fake_board_attach(fake_board *b, armproto_board *board);

/* Decodes (and clears) everything the device wrote; checks that every frame is valid. */
void take(fake_board *b, replies *r);

#endif
