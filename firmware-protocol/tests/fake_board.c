/* The device tests' board (fake_board.h). */
#include "fake_board.h"

#include "harness.h"

uint64_t fb_now(void *ctx) { return ((fake_board *)ctx)->t; }
uint64_t fb_wall(void *ctx) { return ((fake_board *)ctx)->wall; }

int fb_set(void *ctx, const float *tau, uint8_t n)
{
    fake_board *b = ctx;
    b->set_calls++;
    if (b->set_fail) return b->set_fail;
    memcpy(b->tau, tau, n * sizeof *tau);
    return 0;
}

int fb_read(void *ctx, float *q, float *qd, float *tau, uint8_t n)
{
    fake_board *b = ctx;
    if (b->read_fail) return b->read_fail;
    memcpy(q, b->q, n * sizeof *q);
    memcpy(qd, b->qd, n * sizeof *qd);
    memcpy(tau, b->measure_commanded ? b->tau : b->tau_meas, n * sizeof *tau);
    return 0;
}

void fb_write(void *ctx, const uint8_t *bytes, size_t n)
{
    fake_board *b = ctx;
    if (b->out_len + n <= sizeof b->out) {
        memcpy(b->out + b->out_len, bytes, n);
        b->out_len += n;
    }
}

int fb_estop(void *ctx) { return ((fake_board *)ctx)->estop; }

int fb_home(void *ctx, const float *q, uint8_t n)
{
    fake_board *b = ctx;
    b->home_calls++;
    memcpy(b->home_q, q, n * sizeof *q);
    return 0;
}

int fb_home_velocity(void *ctx, const float *q, const float *qd, uint8_t n)
{
    fake_board *b = ctx;
    b->home_velocity_calls++;
    memcpy(b->home_q, q, n * sizeof *q);
    memcpy(b->home_qd, qd, n * sizeof *qd);
    return 0;
}

void fake_board_attach(fake_board *b, armproto_board *board)
{
    memset(b, 0, sizeof *b);
    b->t = 1000000;
    memset(board, 0, sizeof *board);
    board->ctx = b;
    board->now_us = fb_now;
    board->set_torques = fb_set;
    board->read_joints = fb_read;
    board->write = fb_write;
}

void take(fake_board *b, replies *r)
{
    armproto_receiver rx;
    const uint8_t *p = b->out;
    size_t left = b->out_len;
    int all_valid = 1;
    armproto_receiver_init(&rx);
    r->n = 0;
    while (left > 0) {
        int result;
        size_t used = armproto_receiver_feed(&rx, p, left, &r->m[r->n < 15 ? r->n : 15], &result);
        p += used;
        left -= used;
        if (result < 0) all_valid = 0;
        if (result == ARMPROTO_RX_MESSAGE && r->n < 16) r->n++;
    }
    CHECK(all_valid); /* the device only ever writes valid frames */
    b->out_len = 0;
}
