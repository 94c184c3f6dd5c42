/* The device state machine against a fake board with a hand-driven clock. */
#include <math.h>
#include "harness.h"
#include "fake_board.h"

#define N 2
#define WATCHDOG_US 20000u

static void setup(armproto_device *dev, fake_board *b, armproto_board *board, int with_options)
{
    armproto_device_config cfg;
    fake_board_attach(b, board);
    if (with_options) {
        board->estop_input = fb_estop;
        board->home = fb_home;
    }
    armproto_device_config_default(&cfg, N);
    cfg.watchdog_us = WATCHDOG_US;
    cfg.firmware_id = 0xF00D;
    cfg.firmware_version = 0x010203;
    CHECK_EQ(armproto_device_config_set_limit(&cfg, 0, 2.0f), 0);
    CHECK_EQ(armproto_device_init(dev, board, &cfg), 0);
}

/* Sends one encoded frame (byte by byte, like a UART) and collects replies. */
static void sendf(armproto_device *dev, fake_board *b, const uint8_t *frame, int n, replies *r)
{
    int i;
    CHECK(n > 0);
    for (i = 0; i < n; i++) armproto_device_receive(dev, frame + i, 1);
    take(b, r);
}

static void send_simple(armproto_device *dev, fake_board *b,
                        int (*enc)(uint8_t *, size_t, uint32_t), uint32_t seq, replies *r)
{
    uint8_t f[ARMPROTO_MAX_FRAME];
    sendf(dev, b, f, enc(f, sizeof f, seq), r);
}

static void send_torque(armproto_device *dev, fake_board *b, uint32_t seq, float t0, float t1, replies *r)
{
    uint8_t f[ARMPROTO_MAX_FRAME];
    float tau[N];
    tau[0] = t0;
    tau[1] = t1;
    sendf(dev, b, f, armproto_encode_torque(f, sizeof f, seq, tau, N), r);
}

static void handshake_and_enable(armproto_device *dev, fake_board *b, uint32_t seq, replies *r)
{
    uint8_t f[ARMPROTO_MAX_FRAME];
    sendf(dev, b, f, armproto_encode_hello(f, sizeof f, seq, ARMPROTO_VERSION_MAJOR, ARMPROTO_VERSION_MINOR), r);
    send_simple(dev, b, armproto_encode_enable, seq + 1, r);
    CHECK(r->n == 1 && r->m[0].type == ARMPROTO_MSG_ACK);
}

static int is_state(const replies *r, int i, uint32_t seq, uint8_t result)
{
    return i < r->n && r->m[i].type == ARMPROTO_MSG_STATE && r->m[i].seq == seq && r->m[i].result == result;
}

static int is_nak(const replies *r, int i, uint32_t seq, uint8_t type, uint8_t error)
{
    return i < r->n && r->m[i].type == ARMPROTO_MSG_NAK && r->m[i].seq == seq &&
           r->m[i].request_type == type && r->m[i].result == error;
}

static int is_fault(const replies *r, int i, uint8_t code)
{
    return i < r->n && r->m[i].type == ARMPROTO_MSG_FAULT && r->m[i].fault == code;
}

static void test_init(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    armproto_device_config cfg;

    setup(&dev, &b, &board, 0);
    CHECK_EQ(b.set_calls, 1); /* outputs zeroed at init */
    CHECK(same_float(b.tau[0], 0.0f) && same_float(b.tau[1], 0.0f));
    CHECK_EQ(armproto_device_status(&dev), 0);

    armproto_device_config_default(&cfg, N);
    board.write = NULL;
    CHECK_EQ(armproto_device_init(&dev, &board, &cfg), ARMPROTO_ERR_ARG);
    board.write = fb_write;
    cfg.joint_count = 0;
    CHECK_EQ(armproto_device_init(&dev, &board, &cfg), ARMPROTO_ERR_ARG);
    cfg.joint_count = ARMPROTO_MAX_JOINTS + 1;
    CHECK_EQ(armproto_device_init(&dev, &board, &cfg), ARMPROTO_ERR_ARG);
    cfg.joint_count = N;
    cfg.watchdog_us = 0;
    CHECK_EQ(armproto_device_init(&dev, &board, &cfg), ARMPROTO_ERR_ARG);
    cfg.watchdog_us = 1000;
    cfg.torque_limit[1] = NAN;
    CHECK_EQ(armproto_device_init(&dev, &board, &cfg), ARMPROTO_ERR_ARG);
    cfg.torque_limit[1] = -1.0f;
    CHECK_EQ(armproto_device_init(&dev, &board, &cfg), ARMPROTO_ERR_ARG);
    CHECK_EQ(armproto_device_config_set_limit(&cfg, 0, 0.0f), ARMPROTO_ERR_ARG);
    CHECK_EQ(armproto_device_config_set_limit(&cfg, ARMPROTO_MAX_JOINTS, 1.0f), ARMPROTO_ERR_ARG);
}

static void test_handshake_enable_torque(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    uint8_t f[ARMPROTO_MAX_FRAME];

    setup(&dev, &b, &board, 0);
    b.q[0] = 0.5f; b.q[1] = -0.5f; b.qd[0] = 1.0f; b.qd[1] = -1.0f;
    b.tau_meas[0] = 0.25f; b.tau_meas[1] = -0.25f;

    /* Before the handshake: state can be read, nothing can be enabled. */
    send_simple(&dev, &b, armproto_encode_heartbeat, 1, &r);
    CHECK_EQ(r.n, 1);
    CHECK(is_state(&r, 0, 1, ARMPROTO_RESULT_OK));
    CHECK(same_float(r.m[0].q[0], 0.5f) && same_float(r.m[0].qd[1], -1.0f) &&
          same_float(r.m[0].tau[1], -0.25f));
    CHECK_EQ(r.m[0].time_us, 1000000);
    CHECK_EQ(r.m[0].joint_count, N);
    send_simple(&dev, &b, armproto_encode_enable, 2, &r);
    CHECK(r.n == 1 && is_nak(&r, 0, 2, ARMPROTO_MSG_ENABLE, ARMPROTO_RESULT_NO_HANDSHAKE));

    /* A host of another major version is told so and cannot enable. */
    sendf(&dev, &b, f, armproto_encode_hello(f, sizeof f, 3, ARMPROTO_VERSION_MAJOR + 1, 0), &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_HELLO_REPLY && r.m[0].seq == 3 &&
          r.m[0].result == ARMPROTO_RESULT_VERSION_MISMATCH);
    send_simple(&dev, &b, armproto_encode_enable, 4, &r);
    CHECK(is_nak(&r, 0, 4, ARMPROTO_MSG_ENABLE, ARMPROTO_RESULT_NO_HANDSHAKE));

    /* A matching major (any minor) completes the handshake. */
    sendf(&dev, &b, f, armproto_encode_hello(f, sizeof f, 5, ARMPROTO_VERSION_MAJOR, 9), &r);
    CHECK_EQ(r.n, 1);
    CHECK(r.m[0].type == ARMPROTO_MSG_HELLO_REPLY && r.m[0].seq == 5 && r.m[0].result == ARMPROTO_RESULT_OK);
    CHECK_EQ(r.m[0].version_major, ARMPROTO_VERSION_MAJOR);
    CHECK_EQ(r.m[0].version_minor, ARMPROTO_VERSION_MINOR);
    CHECK_EQ(r.m[0].joint_count, N);
    CHECK_EQ(r.m[0].watchdog_us, WATCHDOG_US);
    CHECK_EQ(r.m[0].firmware_id, 0xF00D);
    CHECK_EQ(r.m[0].firmware_version, 0x010203);
    CHECK_EQ(r.m[0].max_frame, ARMPROTO_MAX_FRAME);
    CHECK(same_float(r.m[0].torque_limit[0], 2.0f) && isinf(r.m[0].torque_limit[1]));

    /* Torque before ENABLE: refused, output stays zero, still one STATE. */
    send_torque(&dev, &b, 6, 1.0f, 1.0f, &r);
    CHECK(r.n == 1 && is_state(&r, 0, 6, ARMPROTO_RESULT_NOT_ENABLED));
    CHECK(same_float(b.tau[0], 0.0f));

    send_simple(&dev, &b, armproto_encode_enable, 7, &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_ACK && r.m[0].seq == 7 &&
          r.m[0].request_type == ARMPROTO_MSG_ENABLE);
    CHECK(armproto_device_status(&dev) & ARMPROTO_STATUS_ENABLED);

    /* Torque applied; exactly one STATE carrying the seq. */
    b.t += 1000;
    send_torque(&dev, &b, 8, 1.25f, -0.5f, &r);
    CHECK_EQ(r.n, 1);
    CHECK(is_state(&r, 0, 8, ARMPROTO_RESULT_OK));
    CHECK_EQ(r.m[0].applied_seq, 8);
    CHECK_EQ(r.m[0].time_us, 1001000);
    CHECK(r.m[0].status & ARMPROTO_STATUS_ENABLED);
    CHECK(r.m[0].status & ARMPROTO_STATUS_HANDSHAKE_DONE);
    CHECK(!(r.m[0].status & ARMPROTO_STATUS_TORQUE_CLAMPED));
    CHECK(same_float(b.tau[0], 1.25f) && same_float(b.tau[1], -0.5f));

    /* Clamped to the device's limit (joint 0: 2 N*m), flagged. */
    send_torque(&dev, &b, 9, -5.0f, 1000.0f, &r);
    CHECK(is_state(&r, 0, 9, ARMPROTO_RESULT_OK));
    CHECK(r.m[0].status & ARMPROTO_STATUS_TORQUE_CLAMPED);
    CHECK(same_float(b.tau[0], -2.0f) && same_float(b.tau[1], 1000.0f));
    send_torque(&dev, &b, 10, 5.0f, 0.0f, &r);
    CHECK(same_float(b.tau[0], 2.0f));

    /* Stale and duplicate sequence numbers are refused; the output holds. */
    send_torque(&dev, &b, 10, 0.1f, 0.1f, &r);
    CHECK(r.n == 1 && is_state(&r, 0, 10, ARMPROTO_RESULT_STALE_SEQUENCE));
    CHECK_EQ(r.m[0].applied_seq, 10);
    send_torque(&dev, &b, 9, 0.1f, 0.1f, &r);
    CHECK(is_state(&r, 0, 9, ARMPROTO_RESULT_STALE_SEQUENCE));
    CHECK(same_float(b.tau[0], 2.0f));
    /* Gaps are fine (lost frames). */
    send_torque(&dev, &b, 20, 0.1f, 0.2f, &r);
    CHECK(is_state(&r, 0, 20, ARMPROTO_RESULT_OK));

    /* DISABLE zeroes the output. */
    send_simple(&dev, &b, armproto_encode_disable, 21, &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_ACK && r.m[0].request_type == ARMPROTO_MSG_DISABLE);
    CHECK(same_float(b.tau[0], 0.0f) && same_float(b.tau[1], 0.0f));
    CHECK(!(armproto_device_status(&dev) & ARMPROTO_STATUS_ENABLED));

    /* Sequence numbers wrap modulo 2^32. */
    send_simple(&dev, &b, armproto_encode_enable, 0xFFFFFFFEu, &r);
    send_torque(&dev, &b, 0xFFFFFFFFu, 0.5f, 0.5f, &r);
    CHECK(is_state(&r, 0, 0xFFFFFFFFu, ARMPROTO_RESULT_OK));
    send_torque(&dev, &b, 0, 0.75f, 0.5f, &r);
    CHECK(is_state(&r, 0, 0, ARMPROTO_RESULT_OK));
    CHECK(same_float(b.tau[0], 0.75f));

    /* HELLO during a session ends it: output zero, disabled. */
    sendf(&dev, &b, f, armproto_encode_hello(f, sizeof f, 1, ARMPROTO_VERSION_MAJOR, 0), &r);
    CHECK(same_float(b.tau[0], 0.0f));
    CHECK(!(armproto_device_status(&dev) & ARMPROTO_STATUS_ENABLED));
}

static void test_watchdog(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    uint64_t t0;
    int steps = 0;

    setup(&dev, &b, &board, 0);
    handshake_and_enable(&dev, &b, 1, &r);
    send_torque(&dev, &b, 3, 1.0f, 1.0f, &r);
    CHECK(same_float(b.tau[0], 1.0f));
    t0 = b.t;

    /* The host stalls; the firmware polls every millisecond. */
    while (b.tau[0] != 0.0f && steps < 1000) {
        b.t += 1000;
        steps++;
        armproto_device_poll(&dev);
    }
    CHECK(b.t - t0 <= WATCHDOG_US);  /* zeroed within its period */
    CHECK(b.t - t0 >= WATCHDOG_US);  /* ...and not before */
    CHECK(same_float(b.tau[0], 0.0f) && same_float(b.tau[1], 0.0f));
    take(&b, &r);
    CHECK(r.n == 1 && is_fault(&r, 0, ARMPROTO_FAULT_WATCHDOG));
    CHECK_EQ(r.m[0].seq, 3);
    CHECK_EQ(r.m[0].fault_joint, ARMPROTO_NO_JOINT);
    CHECK(r.m[0].status & ARMPROTO_STATUS_WATCHDOG_TRIPPED);
    CHECK(r.m[0].status & ARMPROTO_STATUS_FAULT);
    CHECK(!(r.m[0].status & ARMPROTO_STATUS_ENABLED));
    /* Only one FAULT, however long it stays tripped. */
    b.t += 100000;
    armproto_device_poll(&dev);
    take(&b, &r);
    CHECK_EQ(r.n, 0);

    /* The host comes back: torque refused until re-enabled. */
    send_torque(&dev, &b, 4, 1.0f, 1.0f, &r);
    CHECK(r.n == 1 && is_state(&r, 0, 4, ARMPROTO_RESULT_NOT_ENABLED));
    CHECK(r.m[0].status & ARMPROTO_STATUS_WATCHDOG_TRIPPED);
    CHECK_EQ(r.m[0].fault, ARMPROTO_FAULT_WATCHDOG);
    CHECK(same_float(b.tau[0], 0.0f));
    send_simple(&dev, &b, armproto_encode_enable, 5, &r);
    CHECK(r.m[0].type == ARMPROTO_MSG_ACK);
    send_torque(&dev, &b, 6, 1.0f, 1.0f, &r);
    CHECK(is_state(&r, 0, 6, ARMPROTO_RESULT_OK));
    CHECK(!(r.m[0].status & (ARMPROTO_STATUS_WATCHDOG_TRIPPED | ARMPROTO_STATUS_FAULT)));

    /* Heartbeats alone do not keep a stale torque alive. */
    t0 = b.t;
    while (b.t - t0 < WATCHDOG_US) {
        b.t += 5000;
        send_simple(&dev, &b, armproto_encode_heartbeat, 100, &r);
    }
    CHECK(same_float(b.tau[0], 0.0f));
    CHECK(!(armproto_device_status(&dev) & ARMPROTO_STATUS_ENABLED));

    /* Torque just inside the period keeps it alive indefinitely. */
    send_simple(&dev, &b, armproto_encode_enable, 200, &r);
    {
        uint32_t s;
        int all_ok = 1;
        for (s = 201; s < 301; s++) {
            b.t += WATCHDOG_US - 1;
            armproto_device_poll(&dev);
            send_torque(&dev, &b, s, 0.5f, 0.5f, &r);
            if (!(r.n == 1 && is_state(&r, 0, s, ARMPROTO_RESULT_OK))) all_ok = 0;
        }
        CHECK(all_ok);
    }

    /* Without any poll, the check happens when the next frame arrives. */
    b.t += WATCHDOG_US;
    send_torque(&dev, &b, 301, 0.5f, 0.5f, &r);
    CHECK_EQ(r.n, 2);
    CHECK(is_fault(&r, 0, ARMPROTO_FAULT_WATCHDOG));
    CHECK(is_state(&r, 1, 301, ARMPROTO_RESULT_NOT_ENABLED));
    CHECK(same_float(b.tau[0], 0.0f));

    /* The trip is counted. */
    send_simple(&dev, &b, armproto_encode_get_stats, 302, &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_STATS && r.m[0].seq == 302);
    CHECK_EQ(r.m[0].stats.watchdog_trips, 3);
}

static void test_estop(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;

    setup(&dev, &b, &board, 1);
    handshake_and_enable(&dev, &b, 1, &r);
    send_torque(&dev, &b, 3, 1.0f, 1.0f, &r);

    send_simple(&dev, &b, armproto_encode_estop, 4, &r);
    CHECK_EQ(r.n, 2);
    CHECK(is_fault(&r, 0, ARMPROTO_FAULT_ESTOP));
    CHECK(r.m[1].type == ARMPROTO_MSG_ACK && r.m[1].seq == 4 && r.m[1].request_type == ARMPROTO_MSG_ESTOP);
    CHECK(same_float(b.tau[0], 0.0f) && same_float(b.tau[1], 0.0f));
    CHECK(armproto_device_status(&dev) & ARMPROTO_STATUS_ESTOP_LATCHED);

    /* Latched: torque refused, enable refused, reset does not clear it. */
    send_torque(&dev, &b, 5, 1.0f, 1.0f, &r);
    CHECK(r.n == 1 && is_state(&r, 0, 5, ARMPROTO_RESULT_ESTOP_LATCHED));
    CHECK(same_float(b.tau[0], 0.0f));
    send_simple(&dev, &b, armproto_encode_enable, 6, &r);
    CHECK(is_nak(&r, 0, 6, ARMPROTO_MSG_ENABLE, ARMPROTO_RESULT_ESTOP_LATCHED));
    send_simple(&dev, &b, armproto_encode_reset, 7, &r);
    CHECK(r.m[0].type == ARMPROTO_MSG_ACK);
    CHECK(armproto_device_status(&dev) & ARMPROTO_STATUS_ESTOP_LATCHED);
    /* A second ESTOP while latched: acknowledged, no new FAULT. */
    send_simple(&dev, &b, armproto_encode_estop, 8, &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_ACK);

    /* Cleared explicitly; still disabled until ENABLE (after a new HELLO, since RESET). */
    send_simple(&dev, &b, armproto_encode_clear_estop, 9, &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_ACK && r.m[0].request_type == ARMPROTO_MSG_CLEAR_ESTOP);
    CHECK(!(armproto_device_status(&dev) & ARMPROTO_STATUS_ESTOP_LATCHED));
    send_torque(&dev, &b, 10, 1.0f, 1.0f, &r);
    CHECK(is_state(&r, 0, 10, ARMPROTO_RESULT_NOT_ENABLED));
    send_simple(&dev, &b, armproto_encode_enable, 11, &r);
    CHECK(is_nak(&r, 0, 11, ARMPROTO_MSG_ENABLE, ARMPROTO_RESULT_NO_HANDSHAKE));
    handshake_and_enable(&dev, &b, 12, &r);
    send_torque(&dev, &b, 14, 1.0f, 1.0f, &r);
    CHECK(is_state(&r, 0, 14, ARMPROTO_RESULT_OK));
    CHECK(same_float(b.tau[0], 1.0f));

    /* Hardware input: latches on poll; cannot be cleared while held. */
    b.estop = 1;
    armproto_device_poll(&dev);
    take(&b, &r);
    CHECK(r.n == 1 && is_fault(&r, 0, ARMPROTO_FAULT_ESTOP));
    CHECK_EQ(r.m[0].fault_detail, 1);
    CHECK(r.m[0].status & ARMPROTO_STATUS_ESTOP_INPUT);
    CHECK(same_float(b.tau[0], 0.0f));
    send_simple(&dev, &b, armproto_encode_clear_estop, 15, &r);
    CHECK(is_nak(&r, 0, 15, ARMPROTO_MSG_CLEAR_ESTOP, ARMPROTO_RESULT_ESTOP_ACTIVE));
    b.estop = 0;
    send_simple(&dev, &b, armproto_encode_clear_estop, 16, &r);
    CHECK(r.m[0].type == ARMPROTO_MSG_ACK);
    send_simple(&dev, &b, armproto_encode_enable, 17, &r);
    CHECK(r.m[0].type == ARMPROTO_MSG_ACK);
}

static void test_non_finite(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    const float bad[3] = {NAN, INFINITY, -INFINITY};
    int k;

    setup(&dev, &b, &board, 0);
    handshake_and_enable(&dev, &b, 1, &r);
    for (k = 0; k < 3; k++) {
        uint32_t seq = 10u * (uint32_t)k + 10u;
        send_torque(&dev, &b, seq, 1.0f, 1.0f, &r);
        CHECK(same_float(b.tau[0], 1.0f));
        send_torque(&dev, &b, seq + 1, 0.5f, bad[k], &r);
        CHECK_EQ(r.n, 2);
        CHECK(is_fault(&r, 0, ARMPROTO_FAULT_NON_FINITE));
        CHECK_EQ(r.m[0].fault_joint, 1);
        CHECK_EQ(r.m[0].seq, seq + 1);
        CHECK(is_state(&r, 1, seq + 1, ARMPROTO_RESULT_NON_FINITE));
        CHECK_EQ(r.m[1].applied_seq, seq);
        CHECK_EQ(r.m[1].fault, ARMPROTO_FAULT_NON_FINITE);
        CHECK(!(r.m[1].status & ARMPROTO_STATUS_ENABLED));
        CHECK(same_float(b.tau[0], 0.0f) && same_float(b.tau[1], 0.0f));
        send_simple(&dev, &b, armproto_encode_enable, seq + 2, &r);
        CHECK(r.m[0].type == ARMPROTO_MSG_ACK);
    }
}

static void test_malformed_and_unknown(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    uint8_t f[ARMPROTO_MAX_FRAME];
    const float three[3] = {0.0f, 0.0f, 0.0f};
    int n;

    setup(&dev, &b, &board, 0);
    handshake_and_enable(&dev, &b, 1, &r);

    /* Unknown request type: NAK echoing the type and the seq. */
    {
        const uint8_t p[] = {0x44, 0x33, 0x22, 0x11, 0xAA};
        n = armproto_frame_encode(0x7F, p, sizeof p, f, sizeof f);
        sendf(&dev, &b, f, n, &r);
        CHECK(r.n == 1 && is_nak(&r, 0, 0x11223344u, 0x7F, ARMPROTO_RESULT_UNKNOWN_TYPE));
        /* Device-to-host types are never answered (loopback safety). */
        n = armproto_frame_encode(0xC0, p, sizeof p, f, sizeof f);
        sendf(&dev, &b, f, n, &r);
        CHECK_EQ(r.n, 0);
        n = armproto_frame_encode(ARMPROTO_MSG_NAK, p, 2, f, sizeof f);
        sendf(&dev, &b, f, n, &r);
        CHECK_EQ(r.n, 0);
    }
    {
        armproto_msg m;
        armproto_msg_init(&m, ARMPROTO_MSG_STATE);
        m.joint_count = 2;
        n = armproto_encode_msg(&m, f, sizeof f);
        sendf(&dev, &b, f, n, &r);
        CHECK_EQ(r.n, 0);
        /* A malformed STATE (n = 0) is no more a request than a good one: unknown, not bad length. */
        n = armproto_encode_msg(&m, f, sizeof f);
        {
            uint8_t body[ARMPROTO_MAX_BODY];
            int len = armproto_cobs_decode(f, (size_t)n - 1, body, sizeof body);
            uint16_t crc;
            body[1 + 22] = 0;
            crc = armproto_crc16(body, (size_t)len - 2);
            body[len - 2] = (uint8_t)(crc & 0xFF);
            body[len - 1] = (uint8_t)(crc >> 8);
            n = armproto_cobs_encode(body, (size_t)len, f, sizeof f - 1);
            f[n++] = 0x00;
        }
        sendf(&dev, &b, f, n, &r);
        CHECK_EQ(r.n, 0);
    }
    /* Short payload: NAK BAD_LENGTH. */
    {
        const uint8_t p[] = {0x05, 0x00, 0x00, 0x00};
        n = armproto_frame_encode(ARMPROTO_MSG_HELLO, p, sizeof p, f, sizeof f);
        sendf(&dev, &b, f, n, &r);
        CHECK(r.n == 1 && is_nak(&r, 0, 5, ARMPROTO_MSG_HELLO, ARMPROTO_RESULT_BAD_LENGTH));
        n = armproto_frame_encode(ARMPROTO_MSG_ENABLE, p, 2, f, sizeof f);
        sendf(&dev, &b, f, n, &r);
        CHECK(r.n == 1 && is_nak(&r, 0, 0, ARMPROTO_MSG_ENABLE, ARMPROTO_RESULT_BAD_LENGTH));
    }
    /* Wrong joint count: NAK, output untouched. */
    send_torque(&dev, &b, 6, 0.5f, 0.5f, &r);
    sendf(&dev, &b, f, armproto_encode_torque(f, sizeof f, 7, three, 3), &r);
    CHECK(r.n == 1 && is_nak(&r, 0, 7, ARMPROTO_MSG_TORQUE, ARMPROTO_RESULT_BAD_JOINT_COUNT));
    CHECK(same_float(b.tau[0], 0.5f));
    {
        const uint8_t p[] = {0x08, 0x00, 0x00, 0x00, 17};
        n = armproto_frame_encode(ARMPROTO_MSG_TORQUE, p, sizeof p, f, sizeof f);
        sendf(&dev, &b, f, n, &r);
        CHECK(r.n == 1 && is_nak(&r, 0, 8, ARMPROTO_MSG_TORQUE, ARMPROTO_RESULT_BAD_JOINT_COUNT));
    }
    /* Corrupt frames: silence, counted; the link carries on. */
    n = armproto_encode_heartbeat(f, sizeof f, 9);
    f[2] ^= 0x40;
    sendf(&dev, &b, f, n, &r);
    CHECK_EQ(r.n, 0);
    {
        static uint8_t junk[700];
        memset(junk, 0x77, sizeof junk);
        sendf(&dev, &b, junk, (int)sizeof junk, &r);
        CHECK_EQ(r.n, 0);
        junk[0] = 0x00;
        sendf(&dev, &b, junk, 1, &r);
        CHECK_EQ(r.n, 0);
    }
    send_simple(&dev, &b, armproto_encode_get_stats, 10, &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_STATS);
    CHECK_EQ(r.m[0].stats.rx_crc_errors + r.m[0].stats.rx_cobs_errors, 1);
    CHECK_EQ(r.m[0].stats.rx_overlong, 1);
    /* 0x7F, 0xC0, the short NAK, STATE, STATE(n = 0): every device-range type is unknown here. */
    CHECK_EQ(r.m[0].stats.rx_unknown_type, 5);
    /* HELLO, ENABLE short; TORQUE(3) on a 2-joint device like TORQUE(17): one per NAK of its form. */
    CHECK_EQ(r.m[0].stats.rx_bad_length, 4);
    CHECK_EQ(r.m[0].stats.torque_rejected, 2); /* n = 3 and n = 17 */
    /* HELLO, ENABLE, 0x7F, 0xC0, NAK, STATE x2, HELLO, ENABLE, TORQUE x2, TORQUE(17), GET_STATS */
    CHECK_EQ(r.m[0].stats.rx_frames, 13);
    /* Replies so far: HELLO_REPLY, ACK, NAK, NAK, NAK, STATE, NAK, NAK, this STATS. */
    CHECK_EQ(r.m[0].stats.tx_frames, 9);
}

/* Protocol 1.1: HOME may carry velocities; only a board that can set them sees them. */
static void test_home_velocity(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    uint8_t f[ARMPROTO_MAX_FRAME];
    const float q[N] = {0.25f, -1.5f};
    const float qd[N] = {0.125f, -0.005f};
    const float qdbad[N] = {0.0f, INFINITY};

    /* A board with only `home` re-zeroes positions and ignores the velocities. */
    setup(&dev, &b, &board, 1);
    sendf(&dev, &b, f, armproto_encode_hello(f, sizeof f, 1, ARMPROTO_VERSION_MAJOR, ARMPROTO_VERSION_MINOR), &r);
    sendf(&dev, &b, f, armproto_encode_home_velocity(f, sizeof f, 2, q, qd, N), &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_ACK && r.m[0].seq == 2);
    CHECK_EQ(b.home_calls, 1);
    CHECK_EQ(b.home_velocity_calls, 0);
    CHECK(same_float(b.home_q[0], 0.25f));

    /* A board that can set velocity gets them; zeros when HOME carries none. */
    dev.board.home_velocity = fb_home_velocity;
    sendf(&dev, &b, f, armproto_encode_home_velocity(f, sizeof f, 3, q, qd, N), &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_ACK && r.m[0].seq == 3);
    CHECK_EQ(b.home_velocity_calls, 1);
    CHECK_EQ(b.home_calls, 1);
    CHECK(same_float(b.home_q[1], -1.5f) && same_float(b.home_qd[0], 0.125f) && same_float(b.home_qd[1], -0.005f));
    sendf(&dev, &b, f, armproto_encode_home(f, sizeof f, 4, q, N), &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_ACK && r.m[0].seq == 4);
    CHECK_EQ(b.home_velocity_calls, 2);
    CHECK(same_float(b.home_qd[0], 0.0f) && same_float(b.home_qd[1], 0.0f));

    /* Non-finite velocities are refused like non-finite positions. */
    sendf(&dev, &b, f, armproto_encode_home_velocity(f, sizeof f, 5, q, qdbad, N), &r);
    CHECK(is_nak(&r, 0, 5, ARMPROTO_MSG_HOME, ARMPROTO_RESULT_NON_FINITE));
    CHECK_EQ(b.home_velocity_calls, 2);

    /* A velocity-only board still homes a 1.0 request. */
    setup(&dev, &b, &board, 0);
    dev.board.home_velocity = fb_home_velocity;
    sendf(&dev, &b, f, armproto_encode_hello(f, sizeof f, 1, ARMPROTO_VERSION_MAJOR, 0), &r);
    sendf(&dev, &b, f, armproto_encode_home(f, sizeof f, 2, q, N), &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_ACK);
    CHECK_EQ(b.home_velocity_calls, 1);
}

static void test_home_reset_board_errors(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    uint8_t f[ARMPROTO_MAX_FRAME];
    const float q[N] = {0.25f, -1.5f};
    const float qbad[N] = {0.0f, NAN};

    /* Board without home support: that is the answer before and after the handshake (8.4). */
    setup(&dev, &b, &board, 0);
    sendf(&dev, &b, f, armproto_encode_home(f, sizeof f, 1, q, N), &r);
    CHECK(is_nak(&r, 0, 1, ARMPROTO_MSG_HOME, ARMPROTO_RESULT_UNSUPPORTED));
    sendf(&dev, &b, f, armproto_encode_hello(f, sizeof f, 2, ARMPROTO_VERSION_MAJOR, 0), &r);
    sendf(&dev, &b, f, armproto_encode_home(f, sizeof f, 3, q, N), &r);
    CHECK(is_nak(&r, 0, 3, ARMPROTO_MSG_HOME, ARMPROTO_RESULT_UNSUPPORTED));

    setup(&dev, &b, &board, 1);
    handshake_and_enable(&dev, &b, 1, &r);
    sendf(&dev, &b, f, armproto_encode_home(f, sizeof f, 3, q, N), &r);
    CHECK(is_nak(&r, 0, 3, ARMPROTO_MSG_HOME, ARMPROTO_RESULT_MUST_BE_DISABLED));
    send_simple(&dev, &b, armproto_encode_disable, 4, &r);
    sendf(&dev, &b, f, armproto_encode_home(f, sizeof f, 5, qbad, N), &r);
    CHECK(is_nak(&r, 0, 5, ARMPROTO_MSG_HOME, ARMPROTO_RESULT_NON_FINITE));
    sendf(&dev, &b, f, armproto_encode_home(f, sizeof f, 6, q, N), &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_ACK && r.m[0].request_type == ARMPROTO_MSG_HOME);
    CHECK_EQ(b.home_calls, 1);
    CHECK(same_float(b.home_q[1], -1.5f));

    /* RESET: back to power-on (handshake needed again), counters cleared. */
    send_simple(&dev, &b, armproto_encode_reset, 7, &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_ACK);
    CHECK_EQ(armproto_device_status(&dev), 0);
    send_simple(&dev, &b, armproto_encode_enable, 8, &r);
    CHECK(is_nak(&r, 0, 8, ARMPROTO_MSG_ENABLE, ARMPROTO_RESULT_NO_HANDSHAKE));

    /* Sensor failure while enabled: fault, disabled, STATE says board_error. */
    handshake_and_enable(&dev, &b, 10, &r);
    b.read_fail = 7;
    send_torque(&dev, &b, 12, 0.5f, 0.5f, &r);
    CHECK_EQ(r.n, 2);
    CHECK(is_fault(&r, 0, ARMPROTO_FAULT_SENSOR));
    CHECK_EQ(r.m[0].fault_detail, 7);
    CHECK(is_state(&r, 1, 12, ARMPROTO_RESULT_BOARD_ERROR));
    CHECK(same_float(b.tau[0], 0.0f));
    b.read_fail = 0;

    /* Actuator failure: fault, STATE board_error, ENABLE refused while it persists. */
    send_simple(&dev, &b, armproto_encode_enable, 13, &r);
    b.set_fail = 3;
    send_torque(&dev, &b, 14, 0.5f, 0.5f, &r);
    CHECK(is_fault(&r, 0, ARMPROTO_FAULT_ACTUATOR));
    CHECK(is_state(&r, r.n - 1, 14, ARMPROTO_RESULT_BOARD_ERROR));
    send_simple(&dev, &b, armproto_encode_enable, 15, &r);
    CHECK(is_nak(&r, r.n - 1, 15, ARMPROTO_MSG_ENABLE, ARMPROTO_RESULT_BOARD_ERROR));
    CHECK(!(armproto_device_status(&dev) & ARMPROTO_STATUS_ENABLED));
    b.set_fail = 0;
    send_simple(&dev, &b, armproto_encode_enable, 16, &r);
    CHECK(r.m[0].type == ARMPROTO_MSG_ACK);
}

/* The device's reply bytes equal the named vector of vectors.txt. */
static void check_reply_is_vector(const uint8_t *out, size_t n, const char *name)
{
    uint8_t want[ARMPROTO_MAX_FRAME];
    int wn = vector_frame(name, want, sizeof want);
    CHECK(wn > 0);
    CHECK_BYTES(out, n, want, wn);
    if (wn <= 0 || (size_t)wn != n || memcmp(out, want, n) != 0) fprintf(stderr, "    vector %s\n", name);
}

/* Sends one frame and compares the raw reply bytes with a vector. */
static void expect_vector(armproto_device *dev, fake_board *b, const uint8_t *frame, int n, const char *name)
{
    int i;
    b->out_len = 0;
    for (i = 0; i < n; i++) armproto_device_receive(dev, frame + i, 1);
    check_reply_is_vector(b->out, b->out_len, name);
    b->out_len = 0;
}

/* 1.2: HOME is refused while the e-stop is latched (re-zeroing the encoders of an arm someone
 * stopped moves the limits that protect it) and outside the joint range. */
static void test_home_refused_while_estop_latched_or_out_of_range(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    uint8_t f[ARMPROTO_MAX_FRAME];
    const float q[N] = {0.25f, 1.5f};
    const float edge[N] = {-3.0f, 1.0f};
    const float three[3] = {0.0f, 0.0f, 0.0f};

    setup(&dev, &b, &board, 1);
    CHECK_EQ(armproto_device_config_set_range(&dev.config, 1, -1.0f, 1.0f), 0);
    sendf(&dev, &b, f, armproto_encode_hello(f, sizeof f, 1, ARMPROTO_VERSION_MAJOR, ARMPROTO_VERSION_MINOR), &r);
    send_simple(&dev, &b, armproto_encode_estop, 2, &r);
    expect_vector(&dev, &b, f, armproto_encode_home(f, sizeof f, 15, edge, N), "nak_home_estop_latched");
    CHECK_EQ(b.home_calls, 0);
    send_simple(&dev, &b, armproto_encode_clear_estop, 3, &r);

    expect_vector(&dev, &b, f, armproto_encode_home(f, sizeof f, 16, q, N), "nak_home_out_of_range");
    CHECK_EQ(b.home_calls, 0);
    /* The bounds themselves are inside; joint 0 has no range. */
    sendf(&dev, &b, f, armproto_encode_home(f, sizeof f, 4, edge, N), &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_ACK && r.m[0].seq == 4);
    CHECK_EQ(b.home_calls, 1);

    /* Ranges are checked at init: NaN or low above high is refused. */
    CHECK_EQ(armproto_device_config_set_range(&dev.config, 0, 1.0f, -1.0f), ARMPROTO_ERR_ARG);
    CHECK_EQ(armproto_device_config_set_range(&dev.config, 0, NAN, 1.0f), ARMPROTO_ERR_ARG);
    CHECK_EQ(armproto_device_config_set_range(&dev.config, ARMPROTO_MAX_JOINTS, -1.0f, 1.0f), ARMPROTO_ERR_ARG);
    {
        armproto_device_config cfg = dev.config;
        armproto_device other;
        cfg.position_low[1] = 2.0f;
        CHECK_EQ(armproto_device_init(&other, &board, &cfg), ARMPROTO_ERR_ARG);
    }

    /* Which refusal wins (8.4): the form first. A 3-joint HOME before any handshake and
     * while latched is BAD_JOINT_COUNT, counted in rx_bad_length. */
    setup(&dev, &b, &board, 1);
    send_simple(&dev, &b, armproto_encode_estop, 1, &r);
    expect_vector(&dev, &b, f, armproto_encode_home(f, sizeof f, 17, three, 3), "nak_home_joint_count");
    /* Then the session, then the e-stop. */
    sendf(&dev, &b, f, armproto_encode_home(f, sizeof f, 18, q, N), &r);
    CHECK(is_nak(&r, 0, 18, ARMPROTO_MSG_HOME, ARMPROTO_RESULT_NO_HANDSHAKE));
    send_simple(&dev, &b, armproto_encode_get_stats, 19, &r);
    CHECK_EQ(r.m[0].stats.rx_bad_length, 1);
}

/* A HELLO of another major ends the handshake a good HELLO made: the latest HELLO decides. */
static void test_mismatched_hello_undoes_the_handshake(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    uint8_t f[ARMPROTO_MAX_FRAME];

    setup(&dev, &b, &board, 0);
    handshake_and_enable(&dev, &b, 1, &r);
    send_torque(&dev, &b, 3, 0.5f, 0.5f, &r);
    sendf(&dev, &b, f, armproto_encode_hello(f, sizeof f, 4, ARMPROTO_VERSION_MAJOR + 1, 0), &r);
    CHECK(r.n == 1 && r.m[0].result == ARMPROTO_RESULT_VERSION_MISMATCH);
    CHECK(same_float(b.tau[0], 0.0f));
    CHECK(!(armproto_device_status(&dev) & (ARMPROTO_STATUS_HANDSHAKE_DONE | ARMPROTO_STATUS_ENABLED)));
    send_simple(&dev, &b, armproto_encode_heartbeat, 5, &r);
    CHECK(is_state(&r, 0, 5, ARMPROTO_RESULT_OK) && !(r.m[0].status & ARMPROTO_STATUS_HANDSHAKE_DONE));
    send_simple(&dev, &b, armproto_encode_enable, 6, &r);
    CHECK(is_nak(&r, 0, 6, ARMPROTO_MSG_ENABLE, ARMPROTO_RESULT_NO_HANDSHAKE));
}

/* RESET's own frame is not in the zeroed counters; its ACK is. */
static void test_reset_counts_its_ack_but_not_itself(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    uint8_t f[ARMPROTO_MAX_FRAME];

    setup(&dev, &b, &board, 0);
    handshake_and_enable(&dev, &b, 1, &r);
    send_torque(&dev, &b, 3, 0.5f, 0.5f, &r);
    send_simple(&dev, &b, armproto_encode_reset, 20, &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_ACK);
    CHECK_EQ(dev.rx.stats.rx_frames, 0);
    CHECK_EQ(dev.rx.stats.tx_frames, 1);
    expect_vector(&dev, &b, f, armproto_encode_get_stats(f, sizeof f, 21), "stats_after_reset");
}

/* A device whose clock is simulated (lockstep) runs its watchdog on real time. */
static void test_watchdog_runs_on_real_time_when_the_device_clock_is_simulated(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    int steps = 0;

    setup(&dev, &b, &board, 0);
    dev.board.watchdog_now_us = fb_wall;
    b.wall = 5000000;
    handshake_and_enable(&dev, &b, 1, &r);
    send_torque(&dev, &b, 3, 1.0f, 1.0f, &r);

    /* Simulated time racing ahead (steps the host asked for) never trips it... */
    b.t += 10u * WATCHDOG_US;
    armproto_device_poll(&dev);
    send_simple(&dev, &b, armproto_encode_heartbeat, 4, &r);
    CHECK(r.n == 1 && (r.m[0].status & ARMPROTO_STATUS_ENABLED));
    CHECK(same_float(b.tau[0], 1.0f));

    /* ...a host that stops does, while the simulated clock stands still. */
    while (b.tau[0] != 0.0f && steps < 1000) {
        b.wall += 1000;
        steps++;
        armproto_device_poll(&dev);
    }
    CHECK_EQ((long long)steps * 1000, WATCHDOG_US);
    take(&b, &r);
    CHECK(r.n == 1 && is_fault(&r, 0, ARMPROTO_FAULT_WATCHDOG));
    CHECK_EQ(r.m[0].time_us, b.t);            /* the device's (simulated) time */
    CHECK_EQ(r.m[0].fault_detail, WATCHDOG_US); /* real time since the last feed */
}

/* ---- Protocol 1.3: MOVE (PROTOCOL.md 8.4, 8.6) ------------------------------------------------ */

typedef struct move_args {
    float target[ARMPROTO_MAX_JOINTS], kp[ARMPROTO_MAX_JOINTS], kd[ARMPROTO_MAX_JOINTS];
    float max_velocity, position_tolerance, velocity_tolerance, integral_time;
} move_args;

/* A MOVE to (t0, t1) with kp 100 and kd 20 (critically damped on a unit inertia), 1 rad/s,
 * settled within 0.01 rad and 0.05 rad/s, no integral action. */
static move_args move_to(float t0, float t1)
{
    move_args a;
    memset(&a, 0, sizeof a);
    a.target[0] = t0;
    a.target[1] = t1;
    a.kp[0] = a.kp[1] = 100.0f;
    a.kd[0] = a.kd[1] = 20.0f;
    a.max_velocity = 1.0f;
    a.position_tolerance = 0.01f;
    a.velocity_tolerance = 0.05f;
    return a;
}

static void send_move_n(armproto_device *dev, fake_board *b, uint32_t seq, const move_args *a, uint8_t n, replies *r)
{
    uint8_t f[ARMPROTO_MAX_FRAME];
    sendf(dev, b, f,
          armproto_encode_move(f, sizeof f, seq, a->target, a->kp, a->kd, n, a->max_velocity, a->position_tolerance,
                               a->velocity_tolerance, a->integral_time),
          r);
}

static void send_move(armproto_device *dev, fake_board *b, uint32_t seq, const move_args *a, replies *r)
{
    send_move_n(dev, b, seq, a, N, r);
}

/* The simulated arm: a unit inertia per joint driven by the commanded torque less a constant load
 * (semi-implicit Euler), stepped by `us` of device time. */
static void plant_step(fake_board *b, uint32_t us)
{
    float dt = (float)us * 1e-6f;
    int j;
    for (j = 0; j < N; j++) {
        b->qd[j] += (b->tau[j] - b->load[j]) * dt;
        b->q[j] += b->qd[j] * dt;
    }
    b->t += us;
    b->wall += us;
}

static uint32_t status_of(const armproto_device *dev)
{
    return armproto_device_status(dev);
}

static void test_move_accepted_reports_moving_and_the_controller_torque(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    move_args a = move_to(0.5f, -0.25f);
    int calls;

    setup(&dev, &b, &board, 0);
    dev.config.torque_limit[0] = 1000.0f;
    b.q[0] = 0.1f;
    b.q[1] = 0.2f;
    handshake_and_enable(&dev, &b, 1, &r);
    send_move(&dev, &b, 3, &a, &r);
    CHECK(r.n == 1 && is_state(&r, 0, 3, ARMPROTO_RESULT_OK));
    CHECK_EQ(r.m[0].applied_seq, 3);
    CHECK(r.m[0].status & ARMPROTO_STATUS_MOVING);
    CHECK(!(r.m[0].status & ARMPROTO_STATUS_SETTLED));
    CHECK(r.m[0].status & ARMPROTO_STATUS_ENABLED);
    /* The setpoint starts at the measured pose; at dt = 0 only the velocity term pulls:
     * tau = kd * (v_ref - qd) = 20 * (+1) and 20 * (-1). */
    CHECK(same_float(dev.move.setpoint[0], 0.1f) && same_float(dev.move.setpoint[1], 0.2f));
    CHECK(same_float(b.tau[0], 20.0f) && same_float(b.tau[1], -20.0f));

    /* 10 ms later (no poll in between), a repeated MOVE keeps the setpoint where the controller
     * took it rather than restarting it at the arm, which has not moved. */
    b.t += 10000;
    calls = b.set_calls;
    send_move(&dev, &b, 4, &a, &r);
    CHECK(is_state(&r, 0, 4, ARMPROTO_RESULT_OK));
    CHECK_EQ(b.set_calls, calls + 1); /* one controller update at once */
    CHECK(same_float(dev.move.setpoint[0], 0.1f + 1.0f * 0.01f));
    CHECK(same_float(dev.move.setpoint[1], 0.2f - 1.0f * 0.01f));
    {
        float sp = 0.1f + 0.01f;
        float p_term = 100.0f * (sp - 0.1f);
        float d_term = 20.0f * (1.0f - 0.0f);
        CHECK(same_float(b.tau[0], p_term + d_term));
    }
    /* MOVE is not a TORQUE: it is not counted in torque_rejected, even when refused. */
    send_move(&dev, &b, 4, &a, &r);
    CHECK(is_state(&r, 0, 4, ARMPROTO_RESULT_STALE_SEQUENCE));
    send_simple(&dev, &b, armproto_encode_get_stats, 5, &r);
    CHECK_EQ(r.m[0].stats.torque_rejected, 0);
}

/* The host's side of 1.3: MOVE every control period until STATE says SETTLED. */
static void test_repeated_move_converges_and_reports_settled(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    move_args a = move_to(0.5f, -0.25f);
    uint32_t seq = 3;
    int period, settled_at = -1, clamped_seen = 0, moving_throughout = 1;

    setup(&dev, &b, &board, 0);
    dev.config.torque_limit[0] = 1000.0f;
    handshake_and_enable(&dev, &b, 1, &r);
    for (period = 0; period < 300 && settled_at < 0; period++) {
        int k;
        send_move(&dev, &b, seq++, &a, &r);
        if (!(r.n == 1 && r.m[0].result == ARMPROTO_RESULT_OK && (r.m[0].status & ARMPROTO_STATUS_MOVING))) {
            moving_throughout = 0;
        }
        if (r.m[0].status & ARMPROTO_STATUS_TORQUE_CLAMPED) clamped_seen = 1;
        if (r.m[0].status & ARMPROTO_STATUS_SETTLED) {
            settled_at = period;
            break;
        }
        /* 10 ms control period; the firmware polls every millisecond and the arm moves. */
        for (k = 0; k < 10; k++) {
            plant_step(&b, 1000);
            armproto_device_poll(&dev);
        }
    }
    CHECK(moving_throughout);
    CHECK(!clamped_seen);
    /* 0.5 rad at 1 rad/s takes 0.5 s; the arm settles shortly after, not before. */
    CHECK(settled_at >= 50 && settled_at < 150);
    CHECK(fabsf(r.m[0].q[0] - 0.5f) <= 0.01f && fabsf(r.m[0].q[1] + 0.25f) <= 0.01f);
    CHECK(fabsf(r.m[0].qd[0]) <= 0.05f && fabsf(r.m[0].qd[1]) <= 0.05f);
    CHECK(same_float(dev.move.setpoint[0], 0.5f) && same_float(dev.move.setpoint[1], -0.25f));
    take(&b, &r);
    CHECK_EQ(r.n, 0); /* no FAULT on the way: the MOVEs fed the watchdog */

    /* Holding: MOVE keeps coming, the arm stays; a new target clears SETTLED at once. */
    a = move_to(0.0f, -0.25f);
    send_move(&dev, &b, seq++, &a, &r);
    CHECK(is_state(&r, 0, seq - 1, ARMPROTO_RESULT_OK));
    CHECK((r.m[0].status & ARMPROTO_STATUS_MOVING) && !(r.m[0].status & ARMPROTO_STATUS_SETTLED));

    /* Then the episode starts: the first TORQUE ends the move. */
    send_torque(&dev, &b, seq++, 0.25f, -0.5f, &r);
    CHECK(is_state(&r, 0, seq - 1, ARMPROTO_RESULT_OK));
    CHECK(!(r.m[0].status & (ARMPROTO_STATUS_MOVING | ARMPROTO_STATUS_SETTLED)));
    CHECK(same_float(b.tau[0], 0.25f) && same_float(b.tau[1], -0.5f));
    /* ...and the poll no longer runs the controller: the host's torque stays. */
    b.t += 1000;
    armproto_device_poll(&dev);
    CHECK(same_float(b.tau[0], 0.25f) && same_float(b.tau[1], -0.5f));
}

/* PROTOCOL.md 8.4, MOVE: the first failing check decides, in order. */
static void test_move_refusals_in_order(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    move_args a;
    const float three_target[3] = {0.0f, 0.0f, 0.0f};
    uint8_t f[ARMPROTO_MAX_FRAME];

    setup(&dev, &b, &board, 1);
    CHECK_EQ(armproto_device_config_set_range(&dev.config, 1, -1.0f, 1.0f), 0);

    /* 1. Form: n is not the device's, while also latched, disabled and non-finite. */
    send_simple(&dev, &b, armproto_encode_estop, 1, &r);
    a = move_to(NAN, 5.0f);
    send_move_n(&dev, &b, 0, &a, 3, &r);
    CHECK(r.n == 1 && is_nak(&r, 0, 0, ARMPROTO_MSG_MOVE, ARMPROTO_RESULT_BAD_JOINT_COUNT));
    send_simple(&dev, &b, armproto_encode_get_stats, 2, &r);
    CHECK_EQ(r.m[0].stats.rx_bad_length, 1);
    (void)three_target;

    /* 2. E-stop latched (disabled, stale, non-finite too): STATE, no fault. */
    send_move(&dev, &b, 0, &a, &r);
    CHECK(r.n == 1 && is_state(&r, 0, 0, ARMPROTO_RESULT_ESTOP_LATCHED));
    send_simple(&dev, &b, armproto_encode_clear_estop, 3, &r);

    /* 3. Not enabled (stale and non-finite too). */
    send_move(&dev, &b, 0, &a, &r);
    CHECK(r.n == 1 && is_state(&r, 0, 0, ARMPROTO_RESULT_NOT_ENABLED));
    CHECK_EQ(r.m[0].fault, ARMPROTO_FAULT_ESTOP); /* still the e-stop's: no NON_FINITE fault */

    /* 4. Stale: not newer than applied_seq (ENABLE's seq right after enabling). */
    sendf(&dev, &b, f, armproto_encode_hello(f, sizeof f, 4, ARMPROTO_VERSION_MAJOR, ARMPROTO_VERSION_MINOR), &r);
    send_simple(&dev, &b, armproto_encode_enable, 10, &r);
    send_move(&dev, &b, 10, &a, &r);
    CHECK(r.n == 1 && is_state(&r, 0, 10, ARMPROTO_RESULT_STALE_SEQUENCE));
    CHECK(r.m[0].status & ARMPROTO_STATUS_ENABLED);
    CHECK_EQ(r.m[0].fault, ARMPROTO_FAULT_NONE);

    /* 5. Non-finite: the scalars first (max_velocity, position_tolerance, velocity_tolerance,
     * integral_time), joint 0xFF, detail the value's bits; before any out-of-range value. */
    a = move_to(NAN, 5.0f);
    a.max_velocity = -1.0f;
    a.position_tolerance = INFINITY;
    a.velocity_tolerance = NAN;
    send_move(&dev, &b, 11, &a, &r);
    CHECK_EQ(r.n, 2);
    CHECK(is_fault(&r, 0, ARMPROTO_FAULT_NON_FINITE));
    CHECK_EQ(r.m[0].fault_joint, ARMPROTO_NO_JOINT);
    CHECK_EQ(r.m[0].fault_detail, 0x7F800000u);
    CHECK_EQ(r.m[0].seq, 11);
    CHECK(is_state(&r, 1, 11, ARMPROTO_RESULT_NON_FINITE));
    CHECK_EQ(r.m[1].applied_seq, 10);
    CHECK(!(r.m[1].status & (ARMPROTO_STATUS_ENABLED | ARMPROTO_STATUS_MOVING)));
    CHECK(same_float(b.tau[0], 0.0f) && same_float(b.tau[1], 0.0f));
    send_simple(&dev, &b, armproto_encode_enable, 12, &r);
    a = move_to(0.0f, 0.0f);
    a.max_velocity = -INFINITY;
    a.velocity_tolerance = NAN;
    send_move(&dev, &b, 13, &a, &r);
    CHECK(is_fault(&r, 0, ARMPROTO_FAULT_NON_FINITE) && r.m[0].fault_detail == 0xFF800000u &&
          r.m[0].fault_joint == ARMPROTO_NO_JOINT);
    send_simple(&dev, &b, armproto_encode_enable, 14, &r);
    a = move_to(0.0f, 0.0f);
    a.velocity_tolerance = -INFINITY;
    send_move(&dev, &b, 15, &a, &r);
    CHECK(is_fault(&r, 0, ARMPROTO_FAULT_NON_FINITE) && r.m[0].fault_detail == 0xFF800000u &&
          r.m[0].fault_joint == ARMPROTO_NO_JOINT);

    /* ...then the lowest joint, and within a joint target before kp before kd. */
    send_simple(&dev, &b, armproto_encode_enable, 16, &r);
    a = move_to(0.0f, NAN);
    a.kd[0] = -INFINITY;
    a.kp[1] = -1.0f;
    send_move(&dev, &b, 17, &a, &r);
    CHECK(is_fault(&r, 0, ARMPROTO_FAULT_NON_FINITE));
    CHECK_EQ(r.m[0].fault_joint, 0);
    CHECK_EQ(r.m[0].fault_detail, 0xFF800000u);
    CHECK(is_state(&r, 1, 17, ARMPROTO_RESULT_NON_FINITE));
    send_simple(&dev, &b, armproto_encode_enable, 18, &r);
    a = move_to(0.0f, 5.0f);
    a.kp[1] = INFINITY;
    a.kd[1] = NAN;
    send_move(&dev, &b, 19, &a, &r);
    CHECK(is_fault(&r, 0, ARMPROTO_FAULT_NON_FINITE));
    CHECK_EQ(r.m[0].fault_joint, 1);
    CHECK_EQ(r.m[0].fault_detail, 0x7F800000u);
    send_simple(&dev, &b, armproto_encode_enable, 20, &r);
    a = move_to(0.0f, 0.0f);
    a.kd[1] = NAN;
    send_move(&dev, &b, 21, &a, &r);
    CHECK(is_fault(&r, 0, ARMPROTO_FAULT_NON_FINITE) && r.m[0].fault_joint == 1 && r.m[0].fault_detail == 0x7FC00000u);

    /* integral_time is the fourth scalar: after velocity_tolerance, before every joint's values,
     * and a non-finite one is NON_FINITE even when negative (-inf), not OUT_OF_RANGE. */
    send_simple(&dev, &b, armproto_encode_enable, 22, &r);
    a = move_to(NAN, 0.0f);
    a.velocity_tolerance = NAN;
    a.integral_time = INFINITY;
    send_move(&dev, &b, 23, &a, &r);
    CHECK(is_fault(&r, 0, ARMPROTO_FAULT_NON_FINITE) && r.m[0].fault_joint == ARMPROTO_NO_JOINT &&
          r.m[0].fault_detail == 0x7FC00000u);
    send_simple(&dev, &b, armproto_encode_enable, 24, &r);
    a = move_to(NAN, 0.0f);
    a.integral_time = -INFINITY;
    send_move(&dev, &b, 25, &a, &r);
    CHECK_EQ(r.n, 2);
    CHECK(is_fault(&r, 0, ARMPROTO_FAULT_NON_FINITE) && r.m[0].fault_joint == ARMPROTO_NO_JOINT &&
          r.m[0].fault_detail == 0xFF800000u);
    CHECK(is_state(&r, 1, 25, ARMPROTO_RESULT_NON_FINITE));
    send_simple(&dev, &b, armproto_encode_enable, 26, &r);
    a = move_to(0.0f, 0.0f);
    a.integral_time = NAN;
    send_move(&dev, &b, 27, &a, &r);
    CHECK(is_fault(&r, 0, ARMPROTO_FAULT_NON_FINITE) && r.m[0].fault_joint == ARMPROTO_NO_JOINT &&
          r.m[0].fault_detail == 0x7FC00000u);
    CHECK(!(status_of(&dev) & (ARMPROTO_STATUS_ENABLED | ARMPROTO_STATUS_MOVING)));

    /* 6. Out of range: refused, nothing changes, a move in force goes on. */
    send_simple(&dev, &b, armproto_encode_enable, 30, &r);
    a = move_to(0.25f, 0.5f);
    send_move(&dev, &b, 31, &a, &r);
    CHECK(is_state(&r, 0, 31, ARMPROTO_RESULT_OK) && (r.m[0].status & ARMPROTO_STATUS_MOVING));
    {
        struct { int what; float v; } cases[] = {
            {0, 1.5f},     /* joint 1's target above its range [-1, 1] */
            {1, -1.0001f}, /* ...and below */
            {2, -0.5f},    /* a negative kp */
            {3, -1e-30f},  /* a negative kd, however small */
            {4, -0.01f},   /* a negative position tolerance */
            {5, -0.01f},   /* a negative velocity tolerance */
            {6, 0.0f},     /* max_velocity not above zero */
            {7, -1.0f},
            {8, -0.01f},   /* a negative integral time */
            {9, -1e-30f},  /* ...however small */
        };
        uint32_t seq = 32;
        size_t k;
        int all = 1;
        for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            move_args bad = move_to(0.0f, -0.5f);
            switch (cases[k].what) {
            case 0: case 1: bad.target[1] = cases[k].v; break;
            case 2: bad.kp[1] = cases[k].v; break;
            case 3: bad.kd[0] = cases[k].v; break;
            case 4: bad.position_tolerance = cases[k].v; break;
            case 5: bad.velocity_tolerance = cases[k].v; break;
            case 6: case 7: bad.max_velocity = cases[k].v; break;
            default: bad.integral_time = cases[k].v; break;
            }
            send_move(&dev, &b, seq, &bad, &r);
            if (!(r.n == 1 && is_state(&r, 0, seq, ARMPROTO_RESULT_OUT_OF_RANGE) && r.m[0].applied_seq == 31 &&
                  (r.m[0].status & ARMPROTO_STATUS_MOVING) && r.m[0].fault == ARMPROTO_FAULT_NONE)) {
                all = 0;
                fprintf(stderr, "    out-of-range case %u\n", (unsigned)k);
            }
            seq++;
        }
        CHECK(all);
        /* The move in force is the first one, untouched. */
        CHECK(same_float(dev.move.target[0], 0.25f) && same_float(dev.move.target[1], 0.5f));
        CHECK(same_float(dev.move.kp[1], 100.0f) && same_float(dev.move.max_velocity, 1.0f));
    }
    /* The bounds themselves and -0 (not negative) are accepted. */
    a = move_to(-3.0f, 1.0f);
    a.kp[0] = -0.0f;
    a.kd[1] = -0.0f;
    a.position_tolerance = -0.0f;
    a.velocity_tolerance = 0.0f;
    a.integral_time = -0.0f;
    send_move(&dev, &b, 50, &a, &r);
    CHECK(is_state(&r, 0, 50, ARMPROTO_RESULT_OK));
    a.target[1] = -1.0f;
    send_move(&dev, &b, 51, &a, &r);
    CHECK(is_state(&r, 0, 51, ARMPROTO_RESULT_OK));
}

/* An OUT_OF_RANGE MOVE does not feed the watchdog: a host that keeps sending bad MOVEs is not a
 * host in control. */
static void test_refused_move_does_not_feed_the_watchdog(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    move_args a = move_to(0.5f, 0.5f);
    move_args bad = move_to(0.5f, 0.5f);
    uint32_t seq = 4;
    int faulted = 0, k;

    bad.max_velocity = 0.0f;
    setup(&dev, &b, &board, 0);
    handshake_and_enable(&dev, &b, 1, &r);
    send_move(&dev, &b, 3, &a, &r);
    for (k = 0; k < 5 && !faulted; k++) {
        b.t += WATCHDOG_US / 4;
        send_move(&dev, &b, seq++, &bad, &r);
        faulted = is_fault(&r, 0, ARMPROTO_FAULT_WATCHDOG);
    }
    CHECK(faulted);
    CHECK_EQ(k, 4); /* tripped at watchdog_us after the last applied MOVE */
    CHECK(is_state(&r, 1, seq - 1, ARMPROTO_RESULT_NOT_ENABLED));
}

/* The watchdog ends a move when MOVE stops coming; every way of stopping ends it. */
static void test_every_stop_ends_a_move(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    move_args a = move_to(1.0f, -1.0f);
    uint8_t f[ARMPROTO_MAX_FRAME];
    int steps = 0;
    int kind;

    /* The watchdog, MOVE being the only feed. */
    setup(&dev, &b, &board, 1);
    handshake_and_enable(&dev, &b, 1, &r);
    send_move(&dev, &b, 3, &a, &r);
    CHECK(!same_float(b.tau[0], 0.0f));
    while ((status_of(&dev) & ARMPROTO_STATUS_ENABLED) && steps < 1000) {
        b.t += 1000;
        steps++;
        armproto_device_poll(&dev);
    }
    CHECK_EQ((long long)steps * 1000, WATCHDOG_US);
    take(&b, &r);
    CHECK(r.n == 1 && is_fault(&r, 0, ARMPROTO_FAULT_WATCHDOG));
    CHECK(!(r.m[0].status & (ARMPROTO_STATUS_MOVING | ARMPROTO_STATUS_SETTLED)));
    CHECK(same_float(b.tau[0], 0.0f) && same_float(b.tau[1], 0.0f));
    b.t += 1000;
    armproto_device_poll(&dev);
    CHECK(same_float(b.tau[0], 0.0f)); /* the controller does not come back */

    /* MOVE within the period keeps it going indefinitely. */
    send_simple(&dev, &b, armproto_encode_enable, 4, &r);
    {
        uint32_t s;
        int all_ok = 1;
        for (s = 5; s < 105; s++) {
            b.t += WATCHDOG_US - 1;
            armproto_device_poll(&dev);
            send_move(&dev, &b, s, &a, &r);
            if (!(r.n == 1 && is_state(&r, 0, s, ARMPROTO_RESULT_OK))) all_ok = 0;
        }
        CHECK(all_ok);
    }

    /* ESTOP (message and input), DISABLE, HELLO, RESET, ENABLE: zero torque, not moving. */
    for (kind = 0; kind < 6; kind++) {
        uint32_t base = 200u + 10u * (uint32_t)kind;
        handshake_and_enable(&dev, &b, base, &r);
        send_move(&dev, &b, base + 2, &a, &r);
        CHECK(status_of(&dev) & ARMPROTO_STATUS_MOVING);
        CHECK(!same_float(b.tau[0], 0.0f));
        switch (kind) {
        case 0:
            send_simple(&dev, &b, armproto_encode_estop, base + 3, &r);
            CHECK(is_fault(&r, 0, ARMPROTO_FAULT_ESTOP));
            CHECK(!(r.m[0].status & ARMPROTO_STATUS_MOVING));
            break;
        case 1:
            b.estop = 1;
            armproto_device_poll(&dev);
            take(&b, &r);
            CHECK(is_fault(&r, 0, ARMPROTO_FAULT_ESTOP) && !(r.m[0].status & ARMPROTO_STATUS_MOVING));
            b.estop = 0;
            break;
        case 2:
            send_simple(&dev, &b, armproto_encode_disable, base + 3, &r);
            break;
        case 3:
            sendf(&dev, &b, f, armproto_encode_hello(f, sizeof f, base + 3, ARMPROTO_VERSION_MAJOR, 3), &r);
            break;
        case 4:
            send_simple(&dev, &b, armproto_encode_reset, base + 3, &r);
            break;
        default:
            /* ENABLE while enabled: zero torque, not moving, until the next TORQUE or MOVE. */
            send_simple(&dev, &b, armproto_encode_enable, base + 3, &r);
            CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_ACK);
            CHECK(status_of(&dev) & ARMPROTO_STATUS_ENABLED);
            break;
        }
        CHECK(same_float(b.tau[0], 0.0f) && same_float(b.tau[1], 0.0f));
        CHECK(!(status_of(&dev) & (ARMPROTO_STATUS_MOVING | ARMPROTO_STATUS_SETTLED)));
        b.t += 1000;
        armproto_device_poll(&dev);
        CHECK(same_float(b.tau[0], 0.0f) && same_float(b.tau[1], 0.0f));
        send_simple(&dev, &b, armproto_encode_heartbeat, base + 4, &r);
        CHECK(!(r.m[0].status & ARMPROTO_STATUS_MOVING));
        if (kind <= 1) send_simple(&dev, &b, armproto_encode_clear_estop, base + 5, &r);
    }
}

/* The poll updates the controller only when the device clock has advanced (a lockstep clock
 * stands still between requests); armproto_device_control updates it regardless. */
static void test_poll_runs_the_controller_only_when_the_clock_advanced(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    move_args a = move_to(1.0f, -1.0f);
    int calls;
    float sp;

    setup(&dev, &b, &board, 0);
    dev.board.watchdog_now_us = fb_wall;
    dev.config.lockstep_clock = 1;
    dev.config.torque_limit[0] = 1000.0f;
    handshake_and_enable(&dev, &b, 1, &r);
    send_move(&dev, &b, 3, &a, &r);
    calls = b.set_calls;
    sp = dev.move.setpoint[0];
    b.wall += 5000; /* real time passes, the simulated clock does not */
    armproto_device_poll(&dev);
    armproto_device_poll(&dev);
    CHECK_EQ(b.set_calls, calls);
    CHECK(same_float(dev.move.setpoint[0], sp));

    /* The simulator steps its physics (its clock advances) and runs the controller. */
    b.t += 2000;
    b.q[0] = 0.01f;
    armproto_device_control(&dev);
    CHECK_EQ(b.set_calls, calls + 1);
    CHECK(same_float(dev.move.setpoint[0], sp + 0.002f));
    CHECK(same_float(b.tau[0], 100.0f * (sp + 0.002f - 0.01f) + 20.0f * 1.0f));
    /* ...and a poll right after finds the clock where the update left it. */
    armproto_device_poll(&dev);
    CHECK_EQ(b.set_calls, calls + 1);
    /* A device whose clock runs: every poll after the clock moved updates. */
    b.t += 1000;
    armproto_device_poll(&dev);
    CHECK_EQ(b.set_calls, calls + 2);
    CHECK(same_float(dev.move.setpoint[0], sp + 0.002f + 0.001f));
    /* control does nothing when not moving. */
    send_simple(&dev, &b, armproto_encode_disable, 4, &r);
    calls = b.set_calls;
    armproto_device_control(&dev);
    CHECK_EQ(b.set_calls, calls);
}

static void test_move_clamps_to_the_torque_limit(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    move_args a = move_to(0.5f, 0.0f);

    setup(&dev, &b, &board, 0); /* joint 0 limited to 2 N*m */
    dev.board.watchdog_now_us = fb_wall; /* device time may leap without tripping the watchdog */
    handshake_and_enable(&dev, &b, 1, &r);
    send_move(&dev, &b, 3, &a, &r); /* kd * v_ref = 20 N*m on joint 0 */
    CHECK(is_state(&r, 0, 3, ARMPROTO_RESULT_OK));
    CHECK(r.m[0].status & ARMPROTO_STATUS_TORQUE_CLAMPED);
    CHECK(same_float(b.tau[0], 2.0f) && same_float(b.tau[1], 0.0f));
    b.q[0] = 0.5f; /* the arm is there, at rest; the setpoint too once it has travelled */
    b.t += 1000000;
    armproto_device_poll(&dev);
    CHECK(same_float(b.tau[0], 0.0f));
    send_simple(&dev, &b, armproto_encode_heartbeat, 4, &r);
    CHECK(!(r.m[0].status & ARMPROTO_STATUS_TORQUE_CLAMPED));
    CHECK((r.m[0].status & ARMPROTO_STATUS_SETTLED) && (r.m[0].status & ARMPROTO_STATUS_MOVING));
    /* Pushed away, the arm is pulled back at the limit, and is no longer settled. */
    b.q[0] = 0.0f;
    b.t += 1000;
    armproto_device_poll(&dev);
    CHECK(same_float(b.tau[0], 2.0f));
    CHECK(status_of(&dev) & ARMPROTO_STATUS_TORQUE_CLAMPED);
    CHECK(!(status_of(&dev) & ARMPROTO_STATUS_SETTLED));
    b.q[0] = 1.0f;
    b.t += 1000;
    armproto_device_poll(&dev);
    CHECK(same_float(b.tau[0], -2.0f));
}

static void test_move_board_errors(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    move_args a = move_to(0.5f, 0.0f);

    setup(&dev, &b, &board, 0);
    handshake_and_enable(&dev, &b, 1, &r);
    b.read_fail = 7;
    send_move(&dev, &b, 3, &a, &r);
    CHECK(is_fault(&r, 0, ARMPROTO_FAULT_SENSOR) && r.m[0].fault_detail == 7);
    CHECK(is_state(&r, r.n - 1, 3, ARMPROTO_RESULT_BOARD_ERROR));
    CHECK(!(r.m[r.n - 1].status & (ARMPROTO_STATUS_ENABLED | ARMPROTO_STATUS_MOVING)));
    CHECK(same_float(b.tau[0], 0.0f));
    b.read_fail = 0;

    send_simple(&dev, &b, armproto_encode_enable, 4, &r);
    b.set_fail = 3;
    send_move(&dev, &b, 5, &a, &r);
    CHECK(is_fault(&r, 0, ARMPROTO_FAULT_ACTUATOR) && r.m[0].fault_detail == 3);
    CHECK(is_state(&r, r.n - 1, 5, ARMPROTO_RESULT_BOARD_ERROR));
    CHECK(!(r.m[r.n - 1].status & (ARMPROTO_STATUS_ENABLED | ARMPROTO_STATUS_MOVING)));
    b.set_fail = 0;

    /* A sensor failing in the middle of a move, at a poll: fault, stopped. */
    send_simple(&dev, &b, armproto_encode_enable, 6, &r);
    send_move(&dev, &b, 7, &a, &r);
    b.read_fail = 9;
    b.t += 1000;
    armproto_device_poll(&dev);
    take(&b, &r);
    CHECK(r.n == 1 && is_fault(&r, 0, ARMPROTO_FAULT_SENSOR) && r.m[0].seq == 7);
    CHECK(!(status_of(&dev) & (ARMPROTO_STATUS_ENABLED | ARMPROTO_STATUS_MOVING)));
    CHECK(same_float(b.tau[0], 0.0f));
}

static uint32_t capabilities_of(armproto_device *dev, fake_board *b)
{
    uint8_t f[ARMPROTO_MAX_FRAME];
    replies r;
    sendf(dev, b, f, armproto_encode_hello(f, sizeof f, 1, ARMPROTO_VERSION_MAJOR, ARMPROTO_VERSION_MINOR), &r);
    CHECK(r.n == 1 && r.m[0].type == ARMPROTO_MSG_HELLO_REPLY && r.m[0].version_minor == ARMPROTO_VERSION_MINOR);
    return r.n == 1 ? r.m[0].capabilities : 0xFFFFFFFFu;
}

static void test_capabilities_follow_the_board_and_the_clock(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;

    setup(&dev, &b, &board, 0);
    CHECK_EQ(capabilities_of(&dev, &b), ARMPROTO_CAPABILITY_MOVE);
    setup(&dev, &b, &board, 1);
    CHECK_EQ(capabilities_of(&dev, &b), ARMPROTO_CAPABILITY_HOME | ARMPROTO_CAPABILITY_MOVE);
    dev.board.home_velocity = fb_home_velocity;
    CHECK_EQ(capabilities_of(&dev, &b),
             ARMPROTO_CAPABILITY_HOME | ARMPROTO_CAPABILITY_HOME_VELOCITY | ARMPROTO_CAPABILITY_MOVE);
    setup(&dev, &b, &board, 0);
    dev.board.home_velocity = fb_home_velocity; /* a simulator: velocities, no plain home */
    dev.config.lockstep_clock = 1;
    CHECK_EQ(capabilities_of(&dev, &b), ARMPROTO_CAPABILITY_HOME | ARMPROTO_CAPABILITY_HOME_VELOCITY |
                                            ARMPROTO_CAPABILITY_MOVE | ARMPROTO_CAPABILITY_LOCKSTEP);
}

/* The device's bytes for the 1.3 situations of vectors.txt. */
static void test_move_replies_are_the_vectors(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    uint8_t f[ARMPROTO_MAX_FRAME];
    const float target[N] = {0.5f, -0.25f}, kp[N] = {100.0f, 50.0f}, kd[N] = {20.0f, 10.0f};
    const float three[3] = {0.0f, 0.0f, 0.0f};
    const float inf = INFINITY, qnan = NAN;

    setup(&dev, &b, &board, 0);
    b.q[0] = 0.5f; b.q[1] = -0.25f; b.tau_meas[0] = 0.125f;
    handshake_and_enable(&dev, &b, 1, &r);
    expect_vector(&dev, &b, f, armproto_encode_move(f, sizeof f, 32, three, three, three, 3, 1.0f, 0.0f, 0.0f, 0.0f),
                  "nak_move_joint_count");
    expect_vector(&dev, &b, f, armproto_encode_move(f, sizeof f, 33, target, kp, kd, N, 0.5f, 0.01f, 0.05f, 0.25f),
                  "state_move_settled");
    /* move_non_finite of vectors.txt (+inf position tolerance, NaN and -inf elsewhere): FAULT, then
     * STATE. */
    {
        const float t2[N] = {qnan, 0.0f}, kp2[N] = {1.0f, -0.0f}, kd2[N] = {-inf, 0.0f};
        uint8_t want[ARMPROTO_MAX_FRAME];
        int wn, i, n = armproto_encode_move(f, sizeof f, 34, t2, kp2, kd2, N, 0.5f, inf, qnan, -inf);
        uint8_t vec[ARMPROTO_MAX_FRAME];
        int vn = vector_frame("move_non_finite", vec, sizeof vec);
        CHECK_BYTES(f, n, vec, vn);
        b.out_len = 0;
        for (i = 0; i < n; i++) armproto_device_receive(&dev, f + i, 1);
        wn = vector_frame("fault_move_non_finite", want, sizeof want);
        CHECK(wn > 0 && b.out_len > (size_t)wn);
        CHECK_BYTES(b.out, wn, want, wn);
        b.out_len = 0;
    }
}

/* Finite but enormous gains can overflow the PD law; whatever the arithmetic gives, a motor is
 * never commanded a non-finite torque (found by review: +inf reached a joint without a limit, and
 * NaN any joint, before the controller replaced them by 0). */
static void test_move_never_commands_a_non_finite_torque(void)
{
    armproto_move m;
    armproto_msg req;
    const float q[2] = {-1.0f, -1.0f}, qd[2] = {2.0f, 0.0f};
    const float limit[2] = {5.0f, INFINITY};
    float tau[2];
    int flags;

    armproto_msg_init(&req, ARMPROTO_MSG_MOVE);
    req.joint_count = 2;
    req.q[0] = 1.0f; req.q[1] = 1.0f;
    req.kp[0] = 3.0e38f; req.kp[1] = 3.0e38f;
    req.kd[0] = 3.0e38f; req.kd[1] = 0.0f;
    req.max_velocity = 1.0f;
    armproto_move_set(&m, &req);
    armproto_move_start(&m, req.q, 2, 0u); /* the setpoint at the target: v_ref = 0 */
    /* Joint 0: kp * 2 = +inf, kd * (0 - 2) = -inf, NaN in sum; joint 1: +inf, no limit. */
    flags = armproto_move_update(&m, q, qd, limit, 2, 1000u, tau);
    CHECK(same_float(tau[0], 0.0f) && same_float(tau[1], 0.0f));
    CHECK(flags & ARMPROTO_MOVE_CLAMPED);
    CHECK(!(flags & ARMPROTO_MOVE_SETTLED));
    /* A finite limit still clamps an infinite torque to the limit. */
    req.kd[0] = 0.0f;
    armproto_move_set(&m, &req);
    flags = armproto_move_update(&m, q, qd, limit, 2, 2000u, tau);
    CHECK(same_float(tau[0], 5.0f) && (flags & ARMPROTO_MOVE_CLAMPED));
}

/* dt is the float nearest the elapsed microseconds, times 1e-6, also for gaps of more than 2^32
 * microseconds (the firmware computes it without a 64-bit conversion). */
static void test_move_dt_is_the_rounded_elapsed_time(void)
{
    const uint64_t gaps[] = {1u, 1000u, 16777217u, 0xFFFFFFFFu, 0x100000000ull, 0x100000001ull,
                             0x1000000FFull, 0x100000080ull, 0x100000180ull, 0x12345678ABCull,
                             0xFFFFFFFFFFFFFFFFull - 1000000u};
    size_t k;
    for (k = 0; k < sizeof gaps / sizeof gaps[0]; k++) {
        armproto_move m;
        armproto_msg req;
        const float zero[1] = {0.0f}, inf_limit[1] = {INFINITY};
        float tau[1];
        float want = (float)gaps[k] * 1e-6f; /* the host's u64 -> float conversion */
        armproto_msg_init(&req, ARMPROTO_MSG_MOVE);
        req.joint_count = 1;
        req.q[0] = 3.0e38f; /* far enough that the setpoint never reaches it */
        req.max_velocity = 1.0f;
        armproto_move_set(&m, &req);
        armproto_move_start(&m, zero, 1, 1000000u);
        (void)armproto_move_update(&m, zero, zero, inf_limit, 1, 1000000u + gaps[k], tau);
        CHECK(same_float(m.setpoint[0], want));
        if (!same_float(m.setpoint[0], want)) fprintf(stderr, "    gap %llu\n", (unsigned long long)gaps[k]);
    }
    {
        /* A clock that went backwards moves nothing. */
        armproto_move m;
        armproto_msg req;
        const float zero[1] = {0.0f}, inf_limit[1] = {INFINITY};
        float tau[1];
        armproto_msg_init(&req, ARMPROTO_MSG_MOVE);
        req.joint_count = 1;
        req.q[0] = 1.0f;
        req.max_velocity = 1.0f;
        armproto_move_set(&m, &req);
        armproto_move_start(&m, zero, 1, 5000000u);
        (void)armproto_move_update(&m, zero, zero, inf_limit, 1, 4000000u, tau);
        CHECK(same_float(m.setpoint[0], 0.0f));
    }
}

/* ---- Integral action of MOVE (PROTOCOL.md 8.6) ---------------------------------------------- */

/* The host's side of a move: MOVE every 10 ms control period, the arm stepped and the controller
 * polled every millisecond, until STATE says SETTLED or `periods` have passed. Returns the period
 * of the SETTLED reply, or -1. */
static int move_until_settled(armproto_device *dev, fake_board *b, const move_args *a, uint32_t *seq, int periods,
                              replies *r)
{
    int period;
    for (period = 0; period < periods; period++) {
        int k;
        send_move(dev, b, (*seq)++, a, r);
        if (!(r->n == 1 && r->m[0].result == ARMPROTO_RESULT_OK && (r->m[0].status & ARMPROTO_STATUS_MOVING))) {
            return -2; /* refused or stopped: never expected here */
        }
        if (r->m[0].status & ARMPROTO_STATUS_SETTLED) {
            return period;
        }
        for (k = 0; k < 10; k++) {
            plant_step(b, 1000);
            armproto_device_poll(dev);
        }
    }
    return -1;
}

/* The same for `periods` whatever STATE says; returns how many of its replies were SETTLED. */
static int hold_move(armproto_device *dev, fake_board *b, const move_args *a, uint32_t *seq, int periods, replies *r)
{
    int period, settled = 0;
    for (period = 0; period < periods; period++) {
        int k;
        send_move(dev, b, (*seq)++, a, r);
        if (r->n == 1 && (r->m[0].status & ARMPROTO_STATUS_SETTLED)) settled++;
        for (k = 0; k < 10; k++) {
            plant_step(b, 1000);
            armproto_device_poll(dev);
        }
    }
    return settled;
}

/* A constant load (gravity on a vertical arm) leaves a PD controller short of the target by
 * load / kp for good, beyond the tolerance, so the move never settles; with integral action the
 * error goes within the tolerance, SETTLED comes, and kp * I / Ti carries the load. */
static void test_integral_action_removes_the_steady_error_of_a_constant_load(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    move_args a = move_to(0.5f, -0.25f);
    uint32_t seq = 3;
    int settled;

    /* Without integral action: 3 s, long after the PD transient (0.5 s of travel, then a time
     * constant of 0.1 s), and the error is still load / kp: 0.03 and 0.015 rad, the arm sagging
     * towards the load. */
    setup(&dev, &b, &board, 0);
    dev.config.torque_limit[0] = 1000.0f;
    b.load[0] = 3.0f;
    b.load[1] = -1.5f;
    handshake_and_enable(&dev, &b, 1, &r);
    settled = move_until_settled(&dev, &b, &a, &seq, 300, &r);
    CHECK_EQ(settled, -1);
    CHECK(fabsf(b.q[0] - (0.5f - 0.03f)) < 1e-3f);
    CHECK(fabsf(b.q[1] - (-0.25f + 0.015f)) < 1e-3f);
    CHECK(same_float(dev.move.integral[0], 0.0f) && same_float(dev.move.integral[1], 0.0f));

    /* With Ti = 0.5 s (the loop s^3 + 20 s^2 + 100 s + 200 is stable for Ti > 0.05 s on this
     * unit inertia): settled within 3 s, at the target within the tolerance. */
    setup(&dev, &b, &board, 0);
    dev.config.torque_limit[0] = 1000.0f;
    b.load[0] = 3.0f;
    b.load[1] = -1.5f;
    handshake_and_enable(&dev, &b, 1, &r);
    a.integral_time = 0.5f;
    seq = 3;
    settled = move_until_settled(&dev, &b, &a, &seq, 300, &r);
    CHECK(settled >= 50 && settled < 300);
    CHECK(fabsf(r.m[0].q[0] - 0.5f) <= 0.01f && fabsf(r.m[0].q[1] + 0.25f) <= 0.01f);
    /* ...and it stays there, MOVE after MOVE (after a last swing out of the tolerance: the loop is
     * underdamped), the integral term taking over the whole load and the error going to 0. */
    CHECK(hold_move(&dev, &b, &a, &seq, 300, &r) > 250);
    CHECK(r.m[0].status & ARMPROTO_STATUS_SETTLED);
    CHECK(fabsf(100.0f * dev.move.integral[0] / 0.5f - 3.0f) < 0.03f);
    CHECK(fabsf(100.0f * dev.move.integral[1] / 0.5f + 1.5f) < 0.03f);
    CHECK(fabsf(b.q[0] - 0.5f) < 1e-3f && fabsf(b.q[1] + 0.25f) < 1e-3f);
    take(&b, &r);
    CHECK_EQ(r.n, 0); /* no FAULT on the way */
}

/* A MOVE while moving redirects the move without restarting it: setpoint and integral stay, so
 * the load stays carried. After a TORQUE, the next MOVE is a new move: its integral starts at 0. */
static void test_integral_survives_a_redirect_and_restarts_with_a_new_move(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    move_args a = move_to(0.5f, -0.25f);
    uint32_t seq = 3;
    float integral[N], setpoint[N];
    int j;

    setup(&dev, &b, &board, 0);
    dev.config.torque_limit[0] = 1000.0f;
    b.load[0] = 3.0f;
    b.load[1] = -1.5f;
    handshake_and_enable(&dev, &b, 1, &r);
    a.integral_time = 0.5f;
    CHECK(move_until_settled(&dev, &b, &a, &seq, 300, &r) > 0);
    (void)hold_move(&dev, &b, &a, &seq, 300, &r);
    CHECK(dev.move.integral[0] > 0.01f && dev.move.integral[1] < -0.005f);

    /* Redirected with no device time passed: the update it runs integrates over dt = 0. */
    for (j = 0; j < N; j++) {
        integral[j] = dev.move.integral[j];
        setpoint[j] = dev.move.setpoint[j];
    }
    a = move_to(0.25f, 0.0f);
    a.integral_time = 0.5f;
    send_move(&dev, &b, seq++, &a, &r);
    CHECK(is_state(&r, 0, seq - 1, ARMPROTO_RESULT_OK) && (r.m[0].status & ARMPROTO_STATUS_MOVING));
    CHECK(same_float(dev.move.integral[0], integral[0]) && same_float(dev.move.integral[1], integral[1]));
    CHECK(same_float(dev.move.setpoint[0], setpoint[0]) && same_float(dev.move.setpoint[1], setpoint[1]));
    CHECK(same_float(dev.move.target[0], 0.25f));

    /* A TORQUE ends the move; the next MOVE starts a new one at the arm, integral at 0. The
     * target is where the arm is, so the torque is the damping alone: no remembered load. */
    send_torque(&dev, &b, seq++, 0.0f, 0.0f, &r);
    CHECK(is_state(&r, 0, seq - 1, ARMPROTO_RESULT_OK) && !(r.m[0].status & ARMPROTO_STATUS_MOVING));
    b.qd[0] = 0.125f;
    b.qd[1] = -0.25f;
    a = move_to(b.q[0], b.q[1]);
    a.integral_time = 0.5f;
    send_move(&dev, &b, seq++, &a, &r);
    CHECK(is_state(&r, 0, seq - 1, ARMPROTO_RESULT_OK) && (r.m[0].status & ARMPROTO_STATUS_MOVING));
    CHECK(same_float(dev.move.integral[0], 0.0f) && same_float(dev.move.integral[1], 0.0f));
    CHECK(same_float(b.tau[0], 20.0f * (0.0f - 0.125f)) && same_float(b.tau[1], 20.0f * (0.0f + 0.25f)));
}

/* Anti-windup: while the arm is blocked the integral stops at limit * Ti / kp, where the integral
 * term alone asks for exactly the torque limit, instead of growing for as long as the block
 * lasts; a joint with kp = 0 has no integral. Released, the arm still settles. */
static void test_integral_is_bounded_while_the_arm_is_blocked(void)
{
    armproto_device dev;
    fake_board b;
    armproto_board board;
    replies r;
    move_args a = move_to(0.5f, -0.25f);
    uint32_t seq = 3;
    const float bound = 2.0f * 0.5f / 100.0f; /* joint 0: limit 2 N*m, Ti 0.5 s, kp 100 */
    int period, within = 1, settled;

    setup(&dev, &b, &board, 0);
    handshake_and_enable(&dev, &b, 1, &r);
    a.integral_time = 0.5f;
    a.kp[1] = 0.0f;
    /* 2 s against the block: the arm stays at 0 whatever the torque. */
    for (period = 0; period < 200; period++) {
        int k;
        send_move(&dev, &b, seq++, &a, &r);
        for (k = 0; k < 10; k++) {
            b.t += 1000;
            b.wall += 1000;
            armproto_device_poll(&dev);
            if (!(fabsf(dev.move.integral[0]) <= bound) || dev.move.integral[1] != 0.0f) within = 0;
        }
    }
    CHECK(within);
    CHECK(status_of(&dev) & ARMPROTO_STATUS_MOVING);
    CHECK(same_float(dev.move.integral[0], bound)); /* reached, not passed */
    CHECK(same_float(b.tau[0], 2.0f) && (status_of(&dev) & ARMPROTO_STATUS_TORQUE_CLAMPED));
    /* Joint 1: kd alone (the setpoint at the target, the arm at rest): no torque. */
    CHECK(same_float(b.tau[1], 0.0f));

    /* Released: the remembered integral is worth at most the torque limit, and the arm, driven at
     * that limit, reaches the target and settles. */
    a.kp[1] = 100.0f;
    settled = move_until_settled(&dev, &b, &a, &seq, 1000, &r);
    CHECK(settled > 0);
    CHECK(fabsf(b.q[0] - 0.5f) <= 0.01f);
}

/* The bound of armproto_move_update itself: +inf on a joint without a torque limit (the integral
 * is the plain integral of the error), 0 where kp is 0; with Ti = 0 there is no integral at all. */
static void test_integral_bound_follows_the_limit_and_the_gain(void)
{
    armproto_move m;
    armproto_msg req;
    const float q[3] = {0.0f, 0.0f, 0.0f}, qd[3] = {0.0f, 0.0f, 0.0f};
    const float limit[3] = {INFINITY, 1.0f, 1.0f};
    float tau[3];
    uint64_t t;

    armproto_msg_init(&req, ARMPROTO_MSG_MOVE);
    req.joint_count = 3;
    req.q[0] = 1.0f; req.q[1] = 1.0f; req.q[2] = 1.0f;
    req.kp[0] = 10.0f; req.kp[1] = 0.0f; req.kp[2] = 10.0f;
    req.max_velocity = 1000.0f; /* the setpoint at the target after the first millisecond */
    req.integral_time = 2.0f;
    armproto_move_set(&m, &req);
    armproto_move_start(&m, q, 3, 0u);
    for (t = 1000u; t <= 1000000u; t += 1000u) {
        (void)armproto_move_update(&m, q, qd, limit, 3, t, tau);
    }
    /* Joint 0: 1 rad of error for 1 s (the first millisecond at the target too), unbounded. */
    CHECK(fabsf(m.integral[0] - 1.0f) < 1e-4f);
    CHECK(fabsf(tau[0] - 10.0f * (1.0f + m.integral[0] / 2.0f)) < 1e-4f);
    CHECK(m.integral[1] == 0.0f && same_float(tau[1], 0.0f));
    CHECK(same_float(m.integral[2], 1.0f * 2.0f / 10.0f) && same_float(tau[2], 1.0f));
    /* Ti = 0: the integral is neither used nor accumulated. */
    req.integral_time = 0.0f;
    armproto_move_set(&m, &req);
    armproto_move_start(&m, req.q, 3, 0u);
    (void)armproto_move_update(&m, q, qd, limit, 3, 1000000u, tau);
    CHECK(same_float(m.integral[0], 0.0f) && same_float(tau[0], 10.0f));
}

/* Same inputs and clock: byte-identical outputs (the emulator relies on it). */
static void test_determinism(void)
{
    static armproto_device d1, d2;
    static fake_board b1, b2;
    armproto_board board1, board2;
    uint8_t f[ARMPROTO_MAX_FRAME];
    uint32_t s;
    int n;

    setup(&d1, &b1, &board1, 0);
    setup(&d2, &b2, &board2, 0);
    for (s = 1; s < 200; s++) {
        float tau[N];
        tau[0] = (float)s * 0.01f;
        tau[1] = -(float)s * 0.02f;
        if (s == 1) n = armproto_encode_hello(f, sizeof f, s, 1, 0);
        else if (s == 2 || s % 50 == 0) n = armproto_encode_enable(f, sizeof f, s);
        else n = armproto_encode_torque(f, sizeof f, s, tau, N);
        b1.t += (s % 7 == 0) ? 30000u : 1000u;
        b2.t = b1.t;
        armproto_device_receive(&d1, f, (size_t)n);
        armproto_device_receive(&d2, f, (size_t)n);
        armproto_device_poll(&d1);
        armproto_device_poll(&d2);
    }
    CHECK(b1.out_len > 1000);
    CHECK_BYTES(b1.out, b1.out_len, b2.out, b2.out_len);
}

void test_device(void)
{
    test_init();
    test_handshake_enable_torque();
    test_watchdog();
    test_estop();
    test_non_finite();
    test_malformed_and_unknown();
    test_home_reset_board_errors();
    test_home_velocity();
    test_home_refused_while_estop_latched_or_out_of_range();
    test_mismatched_hello_undoes_the_handshake();
    test_reset_counts_its_ack_but_not_itself();
    test_watchdog_runs_on_real_time_when_the_device_clock_is_simulated();
    test_determinism();
    test_move_accepted_reports_moving_and_the_controller_torque();
    test_repeated_move_converges_and_reports_settled();
    test_move_refusals_in_order();
    test_refused_move_does_not_feed_the_watchdog();
    test_every_stop_ends_a_move();
    test_poll_runs_the_controller_only_when_the_clock_advanced();
    test_move_clamps_to_the_torque_limit();
    test_move_board_errors();
    test_capabilities_follow_the_board_and_the_clock();
    test_move_replies_are_the_vectors();
    test_move_dt_is_the_rounded_elapsed_time();
    test_move_never_commands_a_non_finite_torque();
    test_integral_action_removes_the_steady_error_of_a_constant_load();
    test_integral_survives_a_redirect_and_restarts_with_a_new_move();
    test_integral_is_bounded_while_the_arm_is_blocked();
    test_integral_bound_follows_the_limit_and_the_gain();
}
