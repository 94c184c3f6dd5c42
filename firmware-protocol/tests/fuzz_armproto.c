/*
 * libFuzzer target: frame decoder, streaming receiver and device state
 * machine on arbitrary bytes, with safety invariants checked after every
 * chunk. Build and run with `make fuzz`.
 *
 * Input layout: byte 0 picks the options, the rest is the host's traffic.
 *   bit 0      send HELLO and ENABLE first
 *   bit 1      structured mode: the rest is records [len][clock step][type]
 *              [payload: len - 2 bytes], each framed by the harness (so that
 *              the CRC is right and the fuzzer explores the state machine);
 *              otherwise raw mode: the rest is fed as bytes
 *   bits 2-5   raw mode: chunk size - 1
 *   bits 6-7   raw mode: clock step per chunk (x 3 ms)
 *
 * Protocol 1.3: MOVE frames (seeded by genvectors) run the device's position controller at every
 * poll on an arm whose measured pose follows the commanded torque; in structured mode a clock
 * step of 0x03 (1.5 ms) also calls armproto_device_control, as a lockstep simulator does after a step.
 * The integral of a MOVE with integral_time > 0 is checked against its anti-windup bound.
 *
 * Protocol 1.4: the device holds the exported fixture actor (tests/fixtures), so GOAL frames run
 * it at every control period of clock; in structured mode bit 2 of the options takes the actor
 * away (GOAL is then refused NO_ACTOR). The actor runs only while enabled, and whatever it asks
 * for, the torque stays within the device's limits.
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>
#include "armproto.h"
#include "fixtures/fixture_actor.h"

#define JOINTS 2
#define LIMIT 5.0f

typedef struct fuzz_board {
    uint64_t t;
    float tau[ARMPROTO_MAX_JOINTS];
    int estop;
    armproto_receiver host;   /* parses what the device writes */
    size_t written;
} fuzz_board;

static uint64_t fz_now(void *ctx) { return ((fuzz_board *)ctx)->t; }

static int fz_set(void *ctx, const float *tau, uint8_t n)
{
    fuzz_board *b = ctx;
    uint8_t j;
    if (n != JOINTS) abort();
    for (j = 0; j < n; j++) {
        /* Never a non-finite or out-of-limit torque reaches the motors. */
        if (!(tau[j] >= -LIMIT && tau[j] <= LIMIT)) abort();
        b->tau[j] = tau[j];
    }
    return 0;
}

static int fz_read(void *ctx, float *q, float *qd, float *tau, uint8_t n)
{
    const fuzz_board *b = ctx;
    uint8_t j;
    for (j = 0; j < n; j++) {
        /* A pose that answers the torque (bounded: |tau| <= LIMIT), so the controller's error
         * changes from update to update. */
        q[j] = 0.1f * j + 0.01f * b->tau[j];
        qd[j] = -0.1f * j + 0.1f * b->tau[j];
        tau[j] = b->tau[j];
    }
    return 0;
}

static void fz_write(void *ctx, const uint8_t *bytes, size_t n)
{
    fuzz_board *b = ctx;
    armproto_msg m;
    int result;
    size_t used;
    /* Everything the device writes is exactly one valid frame. */
    if (n == 0 || n > ARMPROTO_MAX_FRAME || bytes[n - 1] != 0x00) abort();
    used = armproto_receiver_feed(&b->host, bytes, n, &m, &result);
    if (used != n || result != ARMPROTO_RX_MESSAGE || (m.type & 0x80u) == 0) abort();
    b->written += n;
}

static int fz_estop(void *ctx) { return ((fuzz_board *)ctx)->estop; }

static int fz_home(void *ctx, const float *q, uint8_t n)
{
    (void)ctx;
    (void)q;
    return n == JOINTS ? 0 : -1;
}

static void check_invariants(const armproto_device *dev, const fuzz_board *b)
{
    uint32_t s = armproto_device_status(dev);
    uint8_t j;
    if (!(s & ARMPROTO_STATUS_ENABLED)) {
        for (j = 0; j < JOINTS; j++) {
            if (b->tau[j] != 0.0f) abort(); /* disabled means zero torque */
        }
    }
    if ((s & ARMPROTO_STATUS_ENABLED) &&
        (!(s & ARMPROTO_STATUS_HANDSHAKE_DONE) || (s & ARMPROTO_STATUS_ESTOP_LATCHED))) {
        abort();
    }
    if ((s & ARMPROTO_STATUS_ENABLED) && b->t - dev->last_command_us > dev->config.watchdog_us) {
        abort(); /* enabled past the watchdog period after a check */
    }
    /* A move only while enabled; settled only while moving (PROTOCOL.md 7.3, 8.6). */
    if ((s & ARMPROTO_STATUS_MOVING) && !(s & ARMPROTO_STATUS_ENABLED)) abort();
    if ((s & ARMPROTO_STATUS_ACTOR) && !(s & ARMPROTO_STATUS_ENABLED)) abort();
    if ((s & ARMPROTO_STATUS_ACTOR) && (s & ARMPROTO_STATUS_MOVING)) abort();
    for (j = 0; j < JOINTS; j++) {
        if (!(b->tau[j] >= -LIMIT && b->tau[j] <= LIMIT)) abort(); /* NaN fails too */
    }
    if ((s & ARMPROTO_STATUS_SETTLED) && !(s & ARMPROTO_STATUS_MOVING)) abort();
    /* The setpoint never leaves the finite: it starts at a measured pose and only ever moves to a
     * (finite, checked) target. The integral stays within its anti-windup bound (PROTOCOL.md 8.6):
     * the integral term alone never asks for more than the torque limit. The bound is computed as
     * the controller computes it, so the comparison is exact; an accepted MOVE runs the
     * controller at once, so a new kp or Ti has been applied to it already. */
    if (s & ARMPROTO_STATUS_MOVING) {
        for (j = 0; j < JOINTS; j++) {
            if (!(dev->move.setpoint[j] >= -FLT_MAX && dev->move.setpoint[j] <= FLT_MAX)) abort();
            if (dev->move.integral_time > 0.0f) {
                float bound = dev->move.kp[j] > 0.0f ? LIMIT * dev->move.integral_time / dev->move.kp[j] : 0.0f;
                if (!(dev->move.integral[j] >= -bound && dev->move.integral[j] <= bound)) abort();
            }
        }
    }
}

static void fuzz_codec(const uint8_t *data, size_t size)
{
    armproto_msg m, m2;
    uint8_t frame[ARMPROTO_MAX_FRAME];
    uint8_t enc[1200], dec[1200];
    int n;

    /* Decode as one frame; a success must re-encode to something that decodes the same. */
    if (armproto_decode_msg(data, size, &m) == 0) {
        n = armproto_encode_msg(&m, frame, sizeof frame);
        if (n <= 0) abort();
        if (armproto_decode_msg(frame, (size_t)n, &m2) != 0) abort();
        if (memcmp(&m.seq, &m2.seq, sizeof m.seq) != 0 || m.type != m2.type) abort();
        if (memcmp(m.tau, m2.tau, sizeof m.tau) != 0 || memcmp(m.q, m2.q, sizeof m.q) != 0) abort();
    }
    /* COBS round trip on the raw bytes. */
    if (size <= 1000) {
        n = armproto_cobs_encode(data, size, enc, sizeof enc);
        if (n < 0 || memchr(enc, 0, (size_t)n) != NULL) abort();
        if (armproto_cobs_decode(enc, (size_t)n, dec, sizeof dec) != (int)size) abort();
        if (size > 0 && memcmp(dec, data, size) != 0) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static armproto_device dev;
    static fuzz_board b;
    armproto_board board;
    armproto_device_config cfg;
    uint8_t opts, frame[ARMPROTO_MAX_FRAME];
    size_t chunk, off;
    uint64_t step;
    uint8_t j;

    fuzz_codec(data, size);
    if (size == 0) return 0;
    opts = data[0];
    data++;
    size--;
    chunk = (size_t)((opts >> 2) & 0x0F) + 1;
    step = (uint64_t)(opts >> 6) * 3000u;

    memset(&b, 0, sizeof b);
    armproto_receiver_init(&b.host);
    b.t = 5000000;
    memset(&board, 0, sizeof board);
    board.ctx = &b;
    board.now_us = fz_now;
    board.set_torques = fz_set;
    board.read_joints = fz_read;
    board.write = fz_write;
    board.estop_input = fz_estop;
    board.home = fz_home;
    armproto_device_config_default(&cfg, JOINTS);
    cfg.watchdog_us = 10000;
    for (j = 0; j < JOINTS; j++) cfg.torque_limit[j] = LIMIT;
    cfg.position_low[1] = -2.0f; /* MOVE targets can be out of range (joint 0 has no range) */
    cfg.position_high[1] = 2.0f;
    if (armproto_device_init(&dev, &board, &cfg) != 0) abort();
    if (!((opts & 2) && (opts & 4)) && armproto_device_set_actor(&dev, &fixture_actor) != 0) abort();

    if (opts & 1) {
        int n = armproto_encode_hello(frame, sizeof frame, 1, ARMPROTO_VERSION_MAJOR, 0);
        armproto_device_receive(&dev, frame, (size_t)n);
        n = armproto_encode_enable(frame, sizeof frame, 2);
        armproto_device_receive(&dev, frame, (size_t)n);
        if (!(armproto_device_status(&dev) & ARMPROTO_STATUS_ENABLED)) abort();
    }
    if (opts & 2) {
        /* Structured: well-formed frames with arbitrary types and payloads. */
        off = 0;
        while (off < size) {
            size_t len = data[off++];
            int n;
            if (len < 2 || len > size - off) break;
            b.t += (uint64_t)data[off] * 500u;
            b.estop = (data[off] == 0xE5);
            armproto_device_poll(&dev);
            check_invariants(&dev, &b);
            if (data[off] == 0x03) {
                armproto_device_control(&dev);
                check_invariants(&dev, &b);
            }
            n = armproto_frame_encode(data[off + 1], data + off + 2, len - 2, frame, sizeof frame);
            if (n > 0) {
                armproto_device_receive(&dev, frame, (size_t)n);
                check_invariants(&dev, &b);
            }
            off += len;
        }
        return 0;
    }
    for (off = 0; off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        armproto_device_receive(&dev, data + off, n);
        check_invariants(&dev, &b);
        b.t += step;
        b.estop = (data[off] == 0xE5); /* occasionally press the hardware e-stop */
        armproto_device_poll(&dev);
        check_invariants(&dev, &b);
    }
    return 0;
}
