/*
 * Codec tests against expectations stated here by hand from PROTOCOL.md,
 * independent of vectors.txt (which the codec itself generated).
 */
#include <math.h>
#include "harness.h"

static void test_crc(void)
{
    const uint8_t check[] = "123456789";
    uint16_t crc;

    /* The catalogue check value of CRC-16/CCITT-FALSE. */
    CHECK_EQ(armproto_crc16(check, 9), 0x29B1);
    /* Incremental use gives the same result. */
    crc = armproto_crc16_update(ARMPROTO_CRC_INIT, check, 4);
    crc = armproto_crc16_update(crc, check + 4, 5);
    CHECK_EQ(crc, 0x29B1);
    /* No data: the init value (xorout is 0). */
    CHECK_EQ(armproto_crc16(check, 0), 0xFFFF);
    /* A single 0x80 byte: one bit through the register, worked by hand:
     * 0xFFFF ^ 0x8000 = 0x7FFF, then eight shifts with 0x1021 feedback. */
    {
        uint8_t b = 0x80;
        uint16_t r = 0x7FFF;
        int k;
        for (k = 0; k < 8; k++) r = (uint16_t)((r & 0x8000u) ? ((r << 1) ^ 0x1021u) : (unsigned)(r << 1));
        CHECK_EQ(armproto_crc16(&b, 1), r);
    }
}

static void cobs_case(const uint8_t *dec, size_t dn, const uint8_t *enc, size_t en)
{
    uint8_t out[600];
    int n = armproto_cobs_encode(dec, dn, out, sizeof out);
    CHECK_BYTES(out, n, enc, en);
    n = armproto_cobs_decode(enc, en, out, sizeof out);
    CHECK_BYTES(out, n, dec, dn);
}

static void test_cobs(void)
{
    uint8_t dec[600], enc[600], out[600];
    size_t i;

    /* Small cases worked by hand. */
    {
        const uint8_t none[1] = {0xEE}, e[] = {0x01};
        cobs_case(none, 0, e, 1);
    }
    {
        const uint8_t d[] = {0x00}, e[] = {0x01, 0x01};
        cobs_case(d, 1, e, 2);
    }
    {
        const uint8_t d[] = {0x00, 0x00}, e[] = {0x01, 0x01, 0x01};
        cobs_case(d, 2, e, 3);
    }
    {
        const uint8_t d[] = {0x11, 0x22, 0x00, 0x33}, e[] = {0x03, 0x11, 0x22, 0x02, 0x33};
        cobs_case(d, 4, e, 5);
    }
    {
        const uint8_t d[] = {0x11, 0x22, 0x33, 0x44}, e[] = {0x05, 0x11, 0x22, 0x33, 0x44};
        cobs_case(d, 4, e, 5);
    }
    {
        const uint8_t d[] = {0x11, 0x00, 0x00, 0x00}, e[] = {0x02, 0x11, 0x01, 0x01, 0x01};
        cobs_case(d, 4, e, 5);
    }
    /* 254 non-zero bytes: one full block, no trailing 0x01. */
    for (i = 0; i < 254; i++) dec[i] = (uint8_t)(i + 1);
    enc[0] = 0xFF;
    memcpy(enc + 1, dec, 254);
    cobs_case(dec, 254, enc, 255);
    /* 255 non-zero bytes: full block then a block of one. */
    for (i = 0; i < 255; i++) dec[i] = (uint8_t)(i + 1);
    enc[0] = 0xFF;
    memcpy(enc + 1, dec, 254);
    enc[255] = 0x02;
    enc[256] = 0xFF;
    cobs_case(dec, 255, enc, 257);
    /* A zero then 254 non-zero bytes. */
    dec[0] = 0;
    for (i = 1; i < 255; i++) dec[i] = (uint8_t)i;
    enc[0] = 0x01;
    enc[1] = 0xFF;
    memcpy(enc + 2, dec + 1, 254);
    cobs_case(dec, 255, enc, 256);
    /* 254 non-zero bytes then a zero: the zero needs its own empty block. */
    for (i = 0; i < 254; i++) dec[i] = (uint8_t)(i + 2);
    dec[254] = 0;
    enc[0] = 0xFF;
    memcpy(enc + 1, dec, 254);
    enc[255] = 0x01;
    enc[256] = 0x01;
    cobs_case(dec, 255, enc, 257);
    /* All zeros: every zero becomes 0x01, plus one. */
    memset(dec, 0, 254);
    memset(enc, 0x01, 255);
    cobs_case(dec, 254, enc, 255);

    /* A trailing 0x01 after a final full block is tolerated by the decoder. */
    for (i = 0; i < 254; i++) dec[i] = (uint8_t)(i + 1);
    enc[0] = 0xFF;
    memcpy(enc + 1, dec, 254);
    enc[255] = 0x01;
    CHECK_BYTES(out, armproto_cobs_decode(enc, 256, out, sizeof out), dec, 254);

    /* Round trips of pseudo-random data with many zeros. */
    {
        uint32_t x = 12345;
        int trial;
        for (trial = 0; trial < 200; trial++) {
            size_t n = (size_t)(trial * 3 % 520);
            int en, dn;
            for (i = 0; i < n; i++) {
                x = x * 1103515245u + 12345u;
                dec[i] = (uint8_t)((x >> 16) % 4 == 0 ? 0 : (x >> 8));
            }
            en = armproto_cobs_encode(dec, n, enc, sizeof enc);
            CHECK(en > 0 && memchr(enc, 0, (size_t)en) == NULL);
            CHECK((size_t)en <= n + 1 + n / 254);
            dn = armproto_cobs_decode(enc, (size_t)en, out, sizeof out);
            CHECK_BYTES(out, dn, dec, n);
        }
    }

    /* Errors. */
    {
        const uint8_t overrun[] = {0x05, 0x11, 0x22};
        const uint8_t zero_code[] = {0x02, 0x11, 0x00, 0x22};
        const uint8_t zero_data[] = {0x03, 0x00, 0x11};
        CHECK_EQ(armproto_cobs_decode(overrun, 3, out, sizeof out), ARMPROTO_ERR_COBS);
        CHECK_EQ(armproto_cobs_decode(zero_code, 4, out, sizeof out), ARMPROTO_ERR_COBS);
        CHECK_EQ(armproto_cobs_decode(zero_data, 3, out, sizeof out), ARMPROTO_ERR_COBS);
    }
    {
        const uint8_t d[] = {0x11, 0x22, 0x33};
        CHECK_EQ(armproto_cobs_encode(d, 3, out, 3), ARMPROTO_ERR_CAPACITY);
        CHECK_EQ(armproto_cobs_encode(d, 3, out, 4), 4);
        CHECK_EQ(armproto_cobs_encode(d, 3, out, 0), ARMPROTO_ERR_CAPACITY);
        enc[0] = 0x04; enc[1] = 0x11; enc[2] = 0x22; enc[3] = 0x33;
        CHECK_EQ(armproto_cobs_decode(enc, 4, out, 2), ARMPROTO_ERR_CAPACITY);
    }
}

/* Payload layouts written out byte by byte from the tables in PROTOCOL.md. */
static void expect_payload(const armproto_msg *m, const uint8_t *want, size_t n)
{
    uint8_t p[ARMPROTO_MAX_PAYLOAD];
    uint8_t frame[ARMPROTO_MAX_FRAME];
    armproto_msg back;
    int len = armproto_pack_payload(m, p, sizeof p);
    int flen;
    CHECK_BYTES(p, len, want, n);
    CHECK_EQ(armproto_unpack_payload(m->type, want, n, &back), 0);
    CHECK(msg_equal(&back, m));
    flen = armproto_encode_msg(m, frame, sizeof frame);
    CHECK(flen > 0);
    CHECK_EQ(armproto_decode_msg(frame, (size_t)flen, &back), 0);
    CHECK(msg_equal(&back, m));
}

static void test_layouts(void)
{
    armproto_msg m;

    armproto_msg_init(&m, ARMPROTO_MSG_HELLO);
    m.seq = 0x04030201u; m.version_major = 1; m.version_minor = 7;
    {
        const uint8_t w[] = {0x01, 0x02, 0x03, 0x04, 0x01, 0x07};
        expect_payload(&m, w, sizeof w);
    }
    armproto_msg_init(&m, ARMPROTO_MSG_ENABLE);
    m.seq = 0xA1B2C3D4u;
    {
        const uint8_t w[] = {0xD4, 0xC3, 0xB2, 0xA1};
        expect_payload(&m, w, sizeof w);
    }
    armproto_msg_init(&m, ARMPROTO_MSG_TORQUE);
    m.seq = 3; m.joint_count = 2; m.tau[0] = 1.5f; m.tau[1] = -0.25f;
    {
        /* 1.5f = 0x3FC00000, -0.25f = 0xBE800000 */
        const uint8_t w[] = {0x03, 0, 0, 0, 0x02, 0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x80, 0xBE};
        expect_payload(&m, w, sizeof w);
    }
    armproto_msg_init(&m, ARMPROTO_MSG_HOME);
    m.seq = 1; m.joint_count = 1; m.q[0] = -2.0f;
    {
        const uint8_t w[] = {0x01, 0, 0, 0, 0x01, 0x00, 0x00, 0x00, 0xC0};
        expect_payload(&m, w, sizeof w);
    }
    /* Protocol 1.1: HOME with velocities appended after q. 0.5f = 0x3F000000 */
    m.has_qd = 1; m.qd[0] = 0.5f;
    {
        const uint8_t w[] = {0x01, 0, 0, 0, 0x01, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x3F};
        expect_payload(&m, w, sizeof w);
    }
    armproto_msg_init(&m, ARMPROTO_MSG_HELLO_REPLY);
    m.seq = 9; m.result = 0; m.version_major = 1; m.version_minor = 2; m.joint_count = 1;
    m.firmware_id = 0x11223344u; m.firmware_version = 0x00010203u; m.watchdog_us = 50000u;
    m.max_frame = 256; m.torque_limit[0] = 0.5f;
    m.capabilities = ARMPROTO_CAPABILITY_HOME | ARMPROTO_CAPABILITY_MOVE | 0x80000000u;
    {
        /* Protocol 1.3: capabilities u32 at 24 + 4n, after the torque limits. */
        const uint8_t w[] = {0x09, 0, 0, 0, 0x00, 0x01, 0x02, 0x01,
                             0x44, 0x33, 0x22, 0x11, 0x03, 0x02, 0x01, 0x00,
                             0x50, 0xC3, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
                             0x00, 0x00, 0x00, 0x3F,
                             0x05, 0x00, 0x00, 0x80};
        armproto_msg old;
        expect_payload(&m, w, sizeof w);
        /* A 1.2 device's reply ends before the capabilities: they read as 0, the rest as sent. */
        CHECK_EQ(armproto_unpack_payload(ARMPROTO_MSG_HELLO_REPLY, w, sizeof w - 4, &old), 0);
        CHECK_EQ(old.capabilities, 0);
        CHECK(same_float(old.torque_limit[0], 0.5f) && old.watchdog_us == 50000u);
        /* A partial capabilities field is an unknown tail, ignored. */
        CHECK_EQ(armproto_unpack_payload(ARMPROTO_MSG_HELLO_REPLY, w, sizeof w - 1, &old), 0);
        CHECK_EQ(old.capabilities, 0);
        /* Its torque limits are still required. */
        CHECK_EQ(armproto_unpack_payload(ARMPROTO_MSG_HELLO_REPLY, w, 27, &old), ARMPROTO_ERR_BAD_LENGTH);
    }
    /* Protocol 1.3 MOVE: seq, n, 3 reserved, max_velocity, position_tolerance, velocity_tolerance,
     * integral_time, then target[n], kp[n], kd[n]. 1.0f = 0x3F800000, 0.01f = 0x3C23D70A,
     * 0.05f = 0x3D4CCCCD, 0.5f = 0x3F000000, -0.5f = 0xBF000000, 0.25f = 0x3E800000,
     * 100.0f = 0x42C80000, 50.0f = 0x42480000, 20.0f = 0x41A00000, 10.0f = 0x41200000. */
    armproto_msg_init(&m, ARMPROTO_MSG_MOVE);
    m.seq = 0x0A0B0C0Du; m.joint_count = 2;
    m.max_velocity = 1.0f; m.position_tolerance = 0.01f; m.velocity_tolerance = 0.05f; m.integral_time = 0.5f;
    m.q[0] = -0.5f; m.q[1] = 0.25f; m.kp[0] = 100.0f; m.kp[1] = 50.0f; m.kd[0] = 20.0f; m.kd[1] = 10.0f;
    {
        const uint8_t w[] = {0x0D, 0x0C, 0x0B, 0x0A, 0x02, 0x00, 0x00, 0x00,
                             0x00, 0x00, 0x80, 0x3F, 0x0A, 0xD7, 0x23, 0x3C, 0xCD, 0xCC, 0x4C, 0x3D,
                             0x00, 0x00, 0x00, 0x3F,
                             0x00, 0x00, 0x00, 0xBF, 0x00, 0x00, 0x80, 0x3E,
                             0x00, 0x00, 0xC8, 0x42, 0x00, 0x00, 0x48, 0x42,
                             0x00, 0x00, 0xA0, 0x41, 0x00, 0x00, 0x20, 0x41};
        armproto_msg got;
        uint8_t longer[sizeof w + 3];
        expect_payload(&m, w, sizeof w);
        CHECK_EQ(sizeof w, 24 + 12 * 2);
        /* Truncated anywhere: the fixed part (integral_time included), then the joint count, then
         * the arrays. */
        CHECK_EQ(armproto_unpack_payload(ARMPROTO_MSG_MOVE, w, 23, &got), ARMPROTO_ERR_BAD_LENGTH);
        CHECK_EQ(armproto_unpack_payload(ARMPROTO_MSG_MOVE, w, sizeof w - 1, &got), ARMPROTO_ERR_BAD_LENGTH);
        CHECK_EQ(got.seq, 0x0A0B0C0Du); /* kept for the NAK */
        memcpy(longer, w, sizeof w);
        longer[4] = 0;
        CHECK_EQ(armproto_unpack_payload(ARMPROTO_MSG_MOVE, longer, sizeof w, &got), ARMPROTO_ERR_JOINT_COUNT);
        longer[4] = 17;
        CHECK_EQ(armproto_unpack_payload(ARMPROTO_MSG_MOVE, longer, sizeof w, &got), ARMPROTO_ERR_JOINT_COUNT);
        /* Reserved bytes are ignored on receipt, and so is a longer tail. */
        memcpy(longer, w, sizeof w);
        longer[5] = 0xAA; longer[7] = 0x55;
        longer[sizeof w] = 1; longer[sizeof w + 1] = 2; longer[sizeof w + 2] = 3;
        CHECK_EQ(armproto_unpack_payload(ARMPROTO_MSG_MOVE, longer, sizeof longer, &got), 0);
        CHECK(msg_equal(&got, &m));
    }
    armproto_msg_init(&m, ARMPROTO_MSG_ACK);
    m.seq = 2; m.request_type = ARMPROTO_MSG_ENABLE;
    {
        const uint8_t w[] = {0x02, 0, 0, 0, 0x02};
        expect_payload(&m, w, sizeof w);
    }
    armproto_msg_init(&m, ARMPROTO_MSG_NAK);
    m.seq = 2; m.request_type = 0x42; m.result = ARMPROTO_RESULT_UNKNOWN_TYPE;
    {
        const uint8_t w[] = {0x02, 0, 0, 0, 0x42, 0x01};
        expect_payload(&m, w, sizeof w);
    }
    armproto_msg_init(&m, ARMPROTO_MSG_STATE);
    m.seq = 0x10; m.applied_seq = 0x0F; m.time_us = 0x0102030405060708ull;
    m.status = 0x21; m.result = 0; m.fault = 0; m.joint_count = 1;
    m.q[0] = 1.0f; m.qd[0] = -1.0f; m.tau[0] = 2.0f;
    {
        const uint8_t w[] = {0x10, 0, 0, 0, 0x0F, 0, 0, 0,
                             0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
                             0x21, 0, 0, 0, 0x00, 0x00, 0x01, 0x00,
                             0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x80, 0xBF, 0x00, 0x00, 0x00, 0x40};
        expect_payload(&m, w, sizeof w);
    }
    armproto_msg_init(&m, ARMPROTO_MSG_FAULT);
    m.seq = 7; m.fault = ARMPROTO_FAULT_NON_FINITE; m.fault_joint = 1; m.time_us = 1000;
    m.status = 0x28; m.fault_detail = 0x7FC00000u;
    {
        const uint8_t w[] = {0x07, 0, 0, 0, 0x02, 0x01, 0x00, 0x00,
                             0xE8, 0x03, 0, 0, 0, 0, 0, 0,
                             0x28, 0, 0, 0, 0x00, 0x00, 0xC0, 0x7F};
        expect_payload(&m, w, sizeof w);
    }
    armproto_msg_init(&m, ARMPROTO_MSG_STATS);
    m.seq = 1; m.stats.rx_frames = 2; m.stats.rx_crc_errors = 3; m.stats.rx_cobs_errors = 4;
    m.stats.rx_overlong = 5; m.stats.rx_short = 6; m.stats.rx_unknown_type = 7;
    m.stats.rx_bad_length = 8; m.stats.tx_frames = 9; m.stats.watchdog_trips = 10;
    m.stats.torque_rejected = 11;
    {
        const uint8_t w[] = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0,
                             7, 0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0, 10, 0, 0, 0, 11, 0, 0, 0};
        expect_payload(&m, w, sizeof w);
    }
}

static void test_frames(void)
{
    uint8_t out[ARMPROTO_MAX_FRAME];
    uint8_t payload[ARMPROTO_MAX_PAYLOAD];
    uint8_t type = 0;
    armproto_msg m;
    const float tau[2] = {1.5f, -0.25f};
    /* The worked example of PROTOCOL.md, COBS-stuffed by hand:
     * body 04 03000000 02 0000c03f 000080be a7d7 (CRC 0xD7A7 little-endian). */
    const uint8_t example[] = {0x03, 0x04, 0x03, 0x01, 0x01, 0x02, 0x02, 0x01, 0x03, 0xC0,
                               0x3F, 0x01, 0x05, 0x80, 0xBE, 0xA7, 0xD7, 0x00};
    const uint8_t example_body[] = {0x04, 0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
                                    0xC0, 0x3F, 0x00, 0x00, 0x80, 0xBE};
    int n;

    CHECK_EQ(armproto_crc16(example_body, sizeof example_body), 0xD7A7);
    n = armproto_encode_torque(out, sizeof out, 3, tau, 2);
    CHECK_BYTES(out, n, example, sizeof example);
    CHECK_EQ(armproto_decode_msg(example, sizeof example, &m), 0);
    CHECK_EQ(m.type, ARMPROTO_MSG_TORQUE);
    CHECK_EQ(m.seq, 3);
    CHECK_EQ(m.joint_count, 2);
    CHECK(same_float(m.tau[0], 1.5f) && same_float(m.tau[1], -0.25f));
    /* Without its delimiter it decodes the same. */
    CHECK_EQ(armproto_decode_msg(example, sizeof example - 1, &m), 0);

    /* frame_decode hands back type and payload. */
    n = armproto_frame_decode(example, sizeof example, &type, payload, sizeof payload);
    CHECK_EQ(n, 13);
    CHECK_EQ(type, 0x04);
    CHECK_BYTES(payload, n, example_body + 1, 13);
    CHECK_EQ(armproto_frame_decode(example, sizeof example, &type, payload, 12), ARMPROTO_ERR_CAPACITY);

    /* Capacity: the exact size works, one less fails. */
    CHECK_EQ(armproto_encode_torque(out, sizeof example, 3, tau, 2), (int)sizeof example);
    CHECK_EQ(armproto_encode_torque(out, sizeof example - 1, 3, tau, 2), ARMPROTO_ERR_CAPACITY);
    /* Joint counts outside 1..ARMPROTO_MAX_JOINTS are refused. */
    CHECK_EQ(armproto_encode_torque(out, sizeof out, 3, tau, 0), ARMPROTO_ERR_ARG);
    CHECK_EQ(armproto_encode_torque(out, sizeof out, 3, tau, ARMPROTO_MAX_JOINTS + 1), ARMPROTO_ERR_ARG);
    CHECK_EQ(armproto_encode_torque(out, sizeof out, 3, NULL, 2), ARMPROTO_ERR_ARG);

    /* Every corrupted single byte of a frame is detected (never decodes OK
     * to a different message). */
    {
        size_t i;
        int bit, undetected = 0;
        for (i = 0; i + 1 < sizeof example; i++) {
            for (bit = 0; bit < 8; bit++) {
                uint8_t bad[sizeof example];
                memcpy(bad, example, sizeof bad);
                bad[i] ^= (uint8_t)(1u << bit);
                if (memchr(bad, 0, sizeof bad - 1) != NULL) continue; /* would split the frame */
                if (armproto_decode_msg(bad, sizeof bad, &m) == 0) undetected++;
            }
        }
        CHECK_EQ(undetected, 0);
    }

    /* Largest legal frame: 16-joint STATE fits ARMPROTO_MAX_FRAME. */
    armproto_msg_init(&m, ARMPROTO_MSG_STATE);
    m.joint_count = ARMPROTO_MAX_JOINTS;
    n = armproto_encode_msg(&m, out, sizeof out);
    CHECK(n > 0 && n <= ARMPROTO_MAX_FRAME);
    /* The largest possible payload still fits. */
    memset(payload, 0xAB, sizeof payload);
    n = armproto_frame_encode(0x7E, payload, ARMPROTO_MAX_PAYLOAD, out, sizeof out);
    CHECK_EQ(n, ARMPROTO_MAX_FRAME);
    CHECK_EQ(armproto_frame_encode(0x7E, payload, ARMPROTO_MAX_PAYLOAD + 1, out, sizeof out), ARMPROTO_ERR_ARG);
    CHECK_EQ(armproto_frame_decode(out, (size_t)n, &type, payload, sizeof payload), ARMPROTO_MAX_PAYLOAD);

    /* Unknown type and bad length keep type and seq for the NAK. */
    {
        const uint8_t p[] = {0xEF, 0xBE, 0xAD, 0xDE, 0x99};
        CHECK_EQ(armproto_unpack_payload(0x7F, p, sizeof p, &m), ARMPROTO_ERR_UNKNOWN_TYPE);
        CHECK_EQ(m.type, 0x7F);
        CHECK_EQ(m.seq, 0xDEADBEEFu);
        CHECK_EQ(armproto_unpack_payload(ARMPROTO_MSG_HELLO, p, 4, &m), ARMPROTO_ERR_BAD_LENGTH);
        CHECK_EQ(m.seq, 0xDEADBEEFu);
        CHECK_EQ(armproto_unpack_payload(ARMPROTO_MSG_ENABLE, p, 3, &m), ARMPROTO_ERR_BAD_LENGTH);
        CHECK_EQ(m.seq, 0);
        /* Longer than the layout: accepted, tail ignored (minor-version growth). */
        CHECK_EQ(armproto_unpack_payload(ARMPROTO_MSG_ENABLE, p, sizeof p, &m), 0);
        CHECK_EQ(m.seq, 0xDEADBEEFu);
    }
    CHECK(armproto_msg_known(ARMPROTO_MSG_STATS));
    CHECK(!armproto_msg_known(0x00));
    CHECK(!armproto_msg_known(0x80));
    CHECK(strcmp(armproto_err_name(ARMPROTO_ERR_CRC), "crc") == 0);
    CHECK(strcmp(armproto_result_name(ARMPROTO_RESULT_STALE_SEQUENCE), "stale_sequence") == 0);
    CHECK(strcmp(armproto_fault_name(ARMPROTO_FAULT_WATCHDOG), "watchdog") == 0);
    CHECK(strcmp(armproto_msg_name(ARMPROTO_MSG_STATE), "STATE") == 0);
    CHECK(strcmp(armproto_msg_name(0x7F), "UNKNOWN") == 0);
}

static void test_convenience_encoders(void)
{
    uint8_t out[ARMPROTO_MAX_FRAME];
    armproto_msg m;
    const float q[3] = {0.1f, -0.2f, 0.3f};
    struct { int (*fn)(uint8_t *, size_t, uint32_t); uint8_t type; } simple[] = {
        {armproto_encode_enable, ARMPROTO_MSG_ENABLE},
        {armproto_encode_disable, ARMPROTO_MSG_DISABLE},
        {armproto_encode_heartbeat, ARMPROTO_MSG_HEARTBEAT},
        {armproto_encode_estop, ARMPROTO_MSG_ESTOP},
        {armproto_encode_clear_estop, ARMPROTO_MSG_CLEAR_ESTOP},
        {armproto_encode_reset, ARMPROTO_MSG_RESET},
        {armproto_encode_get_stats, ARMPROTO_MSG_GET_STATS},
    };
    size_t i;
    int n;

    for (i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        n = simple[i].fn(out, sizeof out, 0x55AA55AAu + (uint32_t)i);
        CHECK(n > 0);
        CHECK_EQ(armproto_decode_msg(out, (size_t)n, &m), 0);
        CHECK_EQ(m.type, simple[i].type);
        CHECK_EQ(m.seq, 0x55AA55AAu + (uint32_t)i);
    }
    n = armproto_encode_hello(out, sizeof out, 77, 1, 0);
    CHECK_EQ(armproto_decode_msg(out, (size_t)n, &m), 0);
    CHECK(m.type == ARMPROTO_MSG_HELLO && m.seq == 77 && m.version_major == 1 && m.version_minor == 0);
    n = armproto_encode_home(out, sizeof out, 78, q, 3);
    CHECK_EQ(armproto_decode_msg(out, (size_t)n, &m), 0);
    CHECK(m.type == ARMPROTO_MSG_HOME && m.joint_count == 3 && same_float(m.q[2], 0.3f));
    CHECK_EQ(m.has_qd, 0);
    {
        const float qd[3] = {-0.5f, 0.0f, 4.0f};
        n = armproto_encode_home_velocity(out, sizeof out, 79, q, qd, 3);
        CHECK_EQ(armproto_decode_msg(out, (size_t)n, &m), 0);
        CHECK(m.type == ARMPROTO_MSG_HOME && m.seq == 79 && m.joint_count == 3 && m.has_qd == 1);
        CHECK(same_float(m.q[2], 0.3f) && same_float(m.qd[0], -0.5f) && same_float(m.qd[2], 4.0f));
        /* Without velocities it is byte for byte the 1.0 HOME. */
        int with_null = armproto_encode_home_velocity(out, 128, 78, q, NULL, 3);
        int plain = armproto_encode_home(out + 128, sizeof out - 128, 78, q, 3);
        CHECK_EQ(with_null, plain);
        CHECK(plain > 0 && memcmp(out, out + 128, (size_t)plain) == 0);
    }
    {
        /* MOVE: 24 + 12n payload bytes, 29 + 12n on the wire (PROTOCOL.md section 11). */
        float target[ARMPROTO_MAX_JOINTS], kp[ARMPROTO_MAX_JOINTS], kd[ARMPROTO_MAX_JOINTS];
        uint8_t j;
        for (j = 0; j < ARMPROTO_MAX_JOINTS; j++) {
            target[j] = 0.125f * (float)j - 1.0f;
            kp[j] = 10.0f + (float)j;
            kd[j] = 0.5f * (float)j;
        }
        n = armproto_encode_move(out, sizeof out, 80, target, kp, kd, 3, 0.75f, 0.001f, 0.02f, 0.3f);
        CHECK_EQ(n, 29 + 12 * 3);
        CHECK_EQ(armproto_decode_msg(out, (size_t)n, &m), 0);
        CHECK(m.type == ARMPROTO_MSG_MOVE && m.seq == 80 && m.joint_count == 3);
        CHECK(same_float(m.max_velocity, 0.75f) && same_float(m.position_tolerance, 0.001f) &&
              same_float(m.velocity_tolerance, 0.02f) && same_float(m.integral_time, 0.3f));
        CHECK(same_float(m.q[2], -0.75f) && same_float(m.kp[2], 12.0f) && same_float(m.kd[2], 1.0f));
        n = armproto_encode_move(out, sizeof out, 81, target, kp, kd, ARMPROTO_MAX_JOINTS, 1.0f, 0.0f, 0.0f, 0.0f);
        CHECK_EQ(n, 29 + 12 * ARMPROTO_MAX_JOINTS); /* 221: within the 256-byte frame */
        CHECK_EQ(armproto_decode_msg(out, (size_t)n, &m), 0);
        CHECK(same_float(m.kd[15], 7.5f) && same_float(m.integral_time, 0.0f));
        CHECK_EQ(armproto_encode_move(out, sizeof out, 82, target, kp, kd, 0, 1.0f, 0.0f, 0.0f, 0.0f),
                 ARMPROTO_ERR_ARG);
        CHECK_EQ(armproto_encode_move(out, sizeof out, 82, target, NULL, kd, 2, 1.0f, 0.0f, 0.0f, 0.0f),
                 ARMPROTO_ERR_ARG);
        CHECK_EQ(armproto_encode_move(out, 60, 82, target, kp, kd, 3, 1.0f, 0.0f, 0.0f, 0.0f), ARMPROTO_ERR_CAPACITY);
    }
    CHECK(strcmp(armproto_msg_name(ARMPROTO_MSG_MOVE), "MOVE") == 0);
    CHECK(armproto_msg_known(ARMPROTO_MSG_MOVE));
}

void test_codec(void)
{
    test_crc();
    test_cobs();
    test_layouts();
    test_frames();
    test_convenience_encoders();
}
