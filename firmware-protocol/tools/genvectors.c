/*
 * genvectors: writes vectors/vectors.txt (to stdout) from message values
 * stated below, using the reference codec for the bytes. The tests re-check
 * the bytes against independent expectations (tests/test_codec.c and
 * tools/check_vectors.py), so a codec bug cannot silently bless itself.
 *
 *   genvectors                 print the manifest
 *   genvectors --corpus DIR    also write each frame as a file (fuzz seeds)
 */
#include <stdio.h>
#include <string.h>
#include <math.h>
#include "armproto.h"

static const char *corpus_dir;
static int corpus_index;
/* Every request frame back to back: one seed that walks a whole session. */
static uint8_t session[4096];
static size_t session_len;
/* The same requests as records for the fuzz target's structured mode. */
static uint8_t records[4096];
static size_t records_len;

static void hex(const uint8_t *b, size_t n)
{
    size_t i;
    if (n == 0) {
        printf("-");
    }
    for (i = 0; i < n; i++) {
        printf("%02x", b[i]);
    }
}

static void seed_file(const uint8_t *prefix, size_t pn, const uint8_t *b, size_t n)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/seed-%03d", corpus_dir, corpus_index++);
    f = fopen(path, "wb");
    if (f != NULL) {
        if (pn > 0) fwrite(prefix, 1, pn, f);
        fwrite(b, 1, n, f);
        fclose(f);
    }
}

/* Each frame twice: bare (for the decoder) and behind the fuzz target's
 * option byte 0x01 (handshake and enable first, one byte per chunk). */
static void seed(const uint8_t *b, size_t n)
{
    const uint8_t opts = 0x01;
    if (corpus_dir == NULL) {
        return;
    }
    seed_file(NULL, 0, b, n);
    seed_file(&opts, 1, b, n);
}

static void pf(float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    if (bits == 0x7FC00000u) {
        printf("nan");
    } else if (isinf(v)) {
        printf(v > 0 ? "inf" : "-inf");
    } else {
        printf("%.9g", (double)v);
    }
}

static void farr(const char *key, const float *v, uint8_t n)
{
    uint8_t j;
    printf(",%s=", key);
    for (j = 0; j < n; j++) {
        if (j) printf("/");
        pf(v[j]);
    }
}

/* Prints the fields meaningful for the message's type (PROTOCOL.md tables). */
static void fields(const armproto_msg *m)
{
    printf("seq=%lu", (unsigned long)m->seq);
    switch (m->type) {
    case ARMPROTO_MSG_HELLO:
        printf(",version_major=%u,version_minor=%u", m->version_major, m->version_minor);
        break;
    case ARMPROTO_MSG_TORQUE:
        printf(",joint_count=%u", m->joint_count);
        farr("tau", m->tau, m->joint_count);
        break;
    case ARMPROTO_MSG_HOME:
        printf(",joint_count=%u", m->joint_count);
        farr("q", m->q, m->joint_count);
        if (m->has_qd) {
            farr("qd", m->qd, m->joint_count);
        }
        break;
    case ARMPROTO_MSG_HELLO_REPLY:
        printf(",result=%u,version_major=%u,version_minor=%u,joint_count=%u,firmware_id=%lu,"
               "firmware_version=%lu,watchdog_us=%lu,max_frame=%u",
               m->result, m->version_major, m->version_minor, m->joint_count,
               (unsigned long)m->firmware_id, (unsigned long)m->firmware_version,
               (unsigned long)m->watchdog_us, m->max_frame);
        farr("torque_limit", m->torque_limit, m->joint_count);
        printf(",capabilities=%lu", (unsigned long)m->capabilities);
        break;
    case ARMPROTO_MSG_MOVE:
        printf(",joint_count=%u,max_velocity=", m->joint_count);
        pf(m->max_velocity);
        printf(",position_tolerance=");
        pf(m->position_tolerance);
        printf(",velocity_tolerance=");
        pf(m->velocity_tolerance);
        printf(",integral_time=");
        pf(m->integral_time);
        farr("target", m->q, m->joint_count);
        farr("kp", m->kp, m->joint_count);
        farr("kd", m->kd, m->joint_count);
        break;
    case ARMPROTO_MSG_GOAL:
        printf(",goal_count=%u", m->goal_count);
        farr("goal", m->goal, m->goal_count);
        break;
    case ARMPROTO_MSG_ACK:
        printf(",request_type=%u", m->request_type);
        break;
    case ARMPROTO_MSG_NAK:
        printf(",request_type=%u,result=%u", m->request_type, m->result);
        break;
    case ARMPROTO_MSG_STATE:
        printf(",applied_seq=%lu,time_us=%llu,status=%lu,result=%u,fault=%u,joint_count=%u",
               (unsigned long)m->applied_seq, (unsigned long long)m->time_us,
               (unsigned long)m->status, m->result, m->fault, m->joint_count);
        farr("q", m->q, m->joint_count);
        farr("qd", m->qd, m->joint_count);
        farr("tau", m->tau, m->joint_count);
        break;
    case ARMPROTO_MSG_FAULT:
        printf(",fault=%u,fault_joint=%u,time_us=%llu,status=%lu,fault_detail=%lu",
               m->fault, m->fault_joint, (unsigned long long)m->time_us,
               (unsigned long)m->status, (unsigned long)m->fault_detail);
        break;
    case ARMPROTO_MSG_STATS:
        printf(",rx_frames=%lu,rx_crc_errors=%lu,rx_cobs_errors=%lu,rx_overlong=%lu,rx_short=%lu,"
               "rx_unknown_type=%lu,rx_bad_length=%lu,tx_frames=%lu,watchdog_trips=%lu,torque_rejected=%lu",
               (unsigned long)m->stats.rx_frames, (unsigned long)m->stats.rx_crc_errors,
               (unsigned long)m->stats.rx_cobs_errors, (unsigned long)m->stats.rx_overlong,
               (unsigned long)m->stats.rx_short, (unsigned long)m->stats.rx_unknown_type,
               (unsigned long)m->stats.rx_bad_length, (unsigned long)m->stats.tx_frames,
               (unsigned long)m->stats.watchdog_trips, (unsigned long)m->stats.torque_rejected);
        break;
    default:
        break;
    }
}

static int failures;

static void msg_line(const char *name, const armproto_msg *m)
{
    uint8_t payload[ARMPROTO_MAX_PAYLOAD];
    uint8_t frame[ARMPROTO_MAX_FRAME];
    int plen = armproto_pack_payload(m, payload, sizeof payload);
    int flen = armproto_encode_msg(m, frame, sizeof frame);
    if (plen < 0 || flen < 0) {
        fprintf(stderr, "genvectors: cannot encode %s\n", name);
        failures++;
        return;
    }
    printf("msg   %-22s %02x  ", name, m->type);
    hex(payload, (size_t)plen);
    printf("  ");
    hex(frame, (size_t)flen);
    printf("  ");
    fields(m);
    printf("\n");
    seed(frame, (size_t)flen);
    if ((m->type & 0x80u) == 0 && session_len + (size_t)flen <= sizeof session) {
        memcpy(session + session_len, frame, (size_t)flen);
        session_len += (size_t)flen;
    }
    if ((m->type & 0x80u) == 0 && corpus_dir != NULL) {
        /* This request alone as a record, after the handshake (option 0x03). */
        uint8_t one[3 + ARMPROTO_MAX_PAYLOAD];
        const uint8_t structured_opts = 0x03;
        one[0] = (uint8_t)(plen + 2);
        one[1] = 0x02;
        one[2] = m->type;
        memcpy(one + 3, payload, (size_t)plen);
        seed_file(&structured_opts, 1, one, (size_t)plen + 3);
    }
    if ((m->type & 0x80u) == 0 && plen + 2 <= 255 && records_len + (size_t)plen + 3 <= sizeof records) {
        records[records_len++] = (uint8_t)(plen + 2); /* record length */
        records[records_len++] = 0x02;                /* 1 ms of clock */
        records[records_len++] = m->type;
        memcpy(records + records_len, payload, (size_t)plen);
        records_len += (size_t)plen;
    }
}

static void cobs_line(const char *name, const uint8_t *in, size_t n)
{
    uint8_t out[600];
    int len = armproto_cobs_encode(in, n, out, sizeof out);
    if (len < 0) {
        fprintf(stderr, "genvectors: cobs %s failed\n", name);
        failures++;
        return;
    }
    printf("cobs  %-22s ", name);
    hex(in, n);
    printf("  ");
    hex(out, (size_t)len);
    printf("\n");
}

static void crc_line(const char *name, const uint8_t *in, size_t n)
{
    printf("crc   %-22s ", name);
    hex(in, n);
    printf("  %04x\n", armproto_crc16(in, n));
}

/* A frame as a device's receiver classifies it (PROTOCOL.md section 4): every device-range
 * type is unknown to a device, whatever its length. "ok" for a request it accepts. */
static void device_line(const char *name, const uint8_t *frame, size_t n)
{
    armproto_receiver rx;
    armproto_msg m;
    int result = ARMPROTO_RX_NEED_MORE;
    size_t used = 0;
    armproto_receiver_init_device(&rx);
    while (used < n && result == ARMPROTO_RX_NEED_MORE) {
        used += armproto_receiver_feed(&rx, frame + used, n - used, &m, &result);
    }
    printf("device %-21s ", name);
    hex(frame, n);
    printf("  %s\n", result == ARMPROTO_RX_MESSAGE ? "ok" : armproto_err_name(result));
    seed(frame, n);
}

static void bad_line(const char *name, const uint8_t *frame, size_t n)
{
    armproto_msg m;
    int err = armproto_decode_msg(frame, n, &m);
    printf("bad   %-22s ", name);
    hex(frame, n);
    printf("  %s\n", armproto_err_name(err));
    if (err == 0) {
        fprintf(stderr, "genvectors: bad frame %s decodes\n", name);
        failures++;
    }
    seed(frame, n);
}

/* Frame from a raw body (type|payload|crc as given), for corrupt vectors. */
static size_t raw_frame(const uint8_t *body, size_t n, uint8_t *out, size_t cap)
{
    int len = armproto_cobs_encode(body, n, out, cap - 1);
    out[len] = 0;
    return (size_t)len + 1;
}

static size_t body_with_crc(uint8_t type, const uint8_t *payload, size_t n, uint8_t *body)
{
    uint16_t crc;
    body[0] = type;
    memcpy(body + 1, payload, n);
    crc = armproto_crc16(body, n + 1);
    body[n + 1] = (uint8_t)(crc & 0xFF);
    body[n + 2] = (uint8_t)(crc >> 8);
    return n + 3;
}

/* Protocol 1.3 fuzz seeds as the host uses MOVE: repeated every control period (5 ms of clock
 * per record, within the fuzz device's 10 ms watchdog; option 0x03: handshake and enable,
 * structured), then a TORQUE; the same with the lockstep simulator's controller calls (clock
 * step 0x03); and with gains so large that the PD law overflows (the controller must still never
 * command a non-finite torque). All with integral action, so that the integral meets its
 * anti-windup bound on the fuzz arm, which never reaches the target. */
/* Appends one structured record (length, clock byte, type, payload) for `m` to `rec`; 0 when it
 * fits, -1 when it does not (the record is then left out). */
static int append_record(uint8_t *rec, size_t *len, size_t capacity, uint8_t clock, const armproto_msg *m)
{
    uint8_t payload[ARMPROTO_MAX_PAYLOAD];
    int plen = armproto_pack_payload(m, payload, sizeof payload);
    if (plen < 0 || *len + (size_t)plen + 3 > capacity) return -1;
    rec[(*len)++] = (uint8_t)(plen + 2);
    rec[(*len)++] = clock;
    rec[(*len)++] = m->type;
    memcpy(rec + *len, payload, (size_t)plen);
    *len += (size_t)plen;
    return 0;
}

static void move_seeds(void)
{
    static uint8_t rec[4096];
    const float target[2] = {0.5f, -0.25f}, kp[2] = {30.0f, 20.0f}, kd[2] = {2.0f, 1.0f};
    const uint8_t structured_opts = 0x03;
    int variant;

    for (variant = 0; variant < 3; variant++) {
        armproto_msg m;
        size_t len = 0;
        uint32_t seq;
        armproto_msg_init(&m, ARMPROTO_MSG_MOVE);
        m.joint_count = 2;
        m.max_velocity = 1.0f;
        m.position_tolerance = 0.01f;
        m.velocity_tolerance = 0.05f;
        m.integral_time = 0.05f;
        memcpy(m.q, target, sizeof target);
        memcpy(m.kp, kp, sizeof kp);
        memcpy(m.kd, kd, sizeof kd);
        if (variant == 2) {
            m.kp[0] = m.kp[1] = 3.0e38f;
            m.kd[0] = m.kd[1] = 3.0e38f;
            m.max_velocity = 1000.0f;
        }
        for (seq = 3; seq < 40; seq++) {
            m.seq = seq;
            if (variant == 2) {
                /* Turning back: the setpoint ahead of the arm, its velocity towards it, both
                 * terms overflow, in opposite directions. */
                m.q[0] = (seq & 1u) ? 100.0f : -100.0f;
            }
            if (append_record(rec, &len, sizeof rec, variant == 1 ? 0x03 : 0x0A, &m) != 0) break;
        }
        armproto_msg_init(&m, ARMPROTO_MSG_TORQUE);
        m.seq = 40;
        m.joint_count = 2;
        (void)append_record(rec, &len, sizeof rec, 0x02, &m);
        seed_file(&structured_opts, 1, rec, len);
    }
}

/* Protocol 1.4 fuzz seeds as the host uses GOAL: a goal every control period (20 ms of clock as
 * four 5 ms records: GOAL then three HEARTBEATs, which feed the watchdog while the actor runs),
 * the goal moving each period; then a TORQUE that takes over. */
static void goal_seeds(void)
{
    static uint8_t rec[4096];
    const uint8_t structured_opts = 0x03;
    armproto_msg m;
    size_t len = 0;
    uint32_t seq;

    for (seq = 3; seq < 60; seq++) {
        if (seq % 4 == 3) {
            armproto_msg_init(&m, ARMPROTO_MSG_GOAL);
            m.goal_count = 2;
            m.goal[0] = 0.1f * (float)(seq % 5) - 0.2f;
            m.goal[1] = 0.05f * (float)(seq % 7) - 0.15f;
        } else {
            armproto_msg_init(&m, ARMPROTO_MSG_HEARTBEAT);
        }
        m.seq = seq;
        if (append_record(rec, &len, sizeof rec, 0x0A, &m) != 0) break;
    }
    armproto_msg_init(&m, ARMPROTO_MSG_TORQUE);
    m.seq = 60;
    m.joint_count = 2;
    (void)append_record(rec, &len, sizeof rec, 0x02, &m);
    seed_file(&structured_opts, 1, rec, len);
}

static void seq_only(const char *name, uint8_t type, uint32_t seq)
{
    armproto_msg m;
    armproto_msg_init(&m, type);
    m.seq = seq;
    msg_line(name, &m);
}

int main(int argc, char **argv)
{
    armproto_msg m;
    uint8_t buf[600];
    uint8_t body[ARMPROTO_MAX_BODY];
    uint8_t frame[ARMPROTO_MAX_FRAME + 8];
    size_t i, n;
    const float inf = INFINITY;
    const float qnan = NAN;

    if (argc == 3 && strcmp(argv[1], "--corpus") == 0) {
        corpus_dir = argv[2];
    }

    printf("# Armature wire protocol %d.%d test vectors. Format: vectors/README.md.\n",
           ARMPROTO_VERSION_MAJOR, ARMPROTO_VERSION_MINOR);
    printf("# Generated by tools/genvectors.c; checked by tests/ and tools/check_vectors.py.\n");

    printf("\n# crc  NAME  INPUT_HEX  CRC16_HEX  (CRC-16/CCITT-FALSE)\n");
    crc_line("check", (const uint8_t *)"123456789", 9);
    crc_line("empty", NULL, 0);
    buf[0] = 0x00;
    crc_line("one_zero", buf, 1);
    buf[0] = 0xFF; buf[1] = 0xFF;
    crc_line("two_ff", buf, 2);

    printf("\n# cobs  NAME  DECODED_HEX  ENCODED_HEX  (encoded without the 0x00 delimiter)\n");
    cobs_line("empty", NULL, 0);
    buf[0] = 0;
    cobs_line("one_zero", buf, 1);
    buf[0] = 0; buf[1] = 0;
    cobs_line("two_zeros", buf, 2);
    buf[0] = 0x11; buf[1] = 0x22; buf[2] = 0x00; buf[3] = 0x33;
    cobs_line("zero_inside", buf, 4);
    buf[0] = 0x11; buf[1] = 0x22; buf[2] = 0x33; buf[3] = 0x44;
    cobs_line("no_zero", buf, 4);
    buf[0] = 0x11; buf[1] = 0x00; buf[2] = 0x00; buf[3] = 0x00;
    cobs_line("trailing_zeros", buf, 4);
    for (i = 0; i < 254; i++) buf[i] = (uint8_t)(i + 1);
    cobs_line("run_254", buf, 254);
    buf[0] = 0;
    for (i = 1; i < 255; i++) buf[i] = (uint8_t)i;
    cobs_line("zero_then_run_254", buf, 255);
    for (i = 0; i < 255; i++) buf[i] = (uint8_t)(i + 1);
    cobs_line("run_255", buf, 255);
    for (i = 0; i < 254; i++) buf[i] = (uint8_t)(i + 2);
    buf[254] = 0;
    cobs_line("run_254_then_zero", buf, 255);
    for (i = 0; i < 253; i++) buf[i] = (uint8_t)(i + 3);
    buf[253] = 0; buf[254] = 1;
    cobs_line("run_253_zero_one", buf, 255);
    memset(buf, 0, 254);
    cobs_line("all_zeros_254", buf, 254);
    for (i = 0; i < 508; i++) buf[i] = (uint8_t)(i % 255 + 1);
    cobs_line("run_508", buf, 508);

    printf("\n# msg  NAME  TYPE_HEX  PAYLOAD_HEX  FRAME_HEX  FIELDS  (frame includes the 0x00 delimiter)\n");
    armproto_msg_init(&m, ARMPROTO_MSG_HELLO);
    m.seq = 1; m.version_major = 1; m.version_minor = 0;
    msg_line("hello", &m);
    seq_only("enable", ARMPROTO_MSG_ENABLE, 2);
    seq_only("disable", ARMPROTO_MSG_DISABLE, 0xFFFFFFFFu);

    armproto_msg_init(&m, ARMPROTO_MSG_TORQUE);
    m.seq = 3; m.joint_count = 2; m.tau[0] = 1.5f; m.tau[1] = -0.25f;
    msg_line("torque_2", &m);
    armproto_msg_init(&m, ARMPROTO_MSG_TORQUE);
    m.seq = 0x01020304u; m.joint_count = 7;
    m.tau[0] = 0.0f; m.tau[1] = -0.0f; m.tau[2] = 1.0f; m.tau[3] = -1.0f;
    m.tau[4] = 2.5f; m.tau[5] = 100.0f; m.tau[6] = -3.75f;
    msg_line("torque_7", &m);
    armproto_msg_init(&m, ARMPROTO_MSG_TORQUE);
    m.seq = 5; m.joint_count = 2; m.tau[0] = qnan; m.tau[1] = inf;
    msg_line("torque_non_finite", &m);

    seq_only("heartbeat", ARMPROTO_MSG_HEARTBEAT, 0x12345678u);
    seq_only("estop", ARMPROTO_MSG_ESTOP, 7);
    seq_only("clear_estop", ARMPROTO_MSG_CLEAR_ESTOP, 8);
    seq_only("reset", ARMPROTO_MSG_RESET, 9);
    armproto_msg_init(&m, ARMPROTO_MSG_HOME);
    m.seq = 10; m.joint_count = 2; m.q[0] = 0.0f; m.q[1] = 1.57079637f;
    msg_line("home", &m);
    armproto_msg_init(&m, ARMPROTO_MSG_HOME); /* protocol 1.1: velocities appended */
    m.seq = 14; m.joint_count = 2; m.q[0] = 0.25f; m.q[1] = -1.0f;
    m.has_qd = 1; m.qd[0] = 0.125f; m.qd[1] = -0.005f;
    msg_line("home_velocity", &m);
    seq_only("get_stats", ARMPROTO_MSG_GET_STATS, 11);
    /* Protocol 1.3: MOVE, the device's position controller to a pose (PROTOCOL.md 6.5, 8.6). */
    armproto_msg_init(&m, ARMPROTO_MSG_MOVE);
    m.seq = 30; m.joint_count = 2;
    m.max_velocity = 0.5f; m.position_tolerance = 0.01f; m.velocity_tolerance = 0.05f; m.integral_time = 0.25f;
    m.q[0] = 0.5f; m.q[1] = -0.25f; m.kp[0] = 100.0f; m.kp[1] = 50.0f; m.kd[0] = 20.0f; m.kd[1] = 10.0f;
    msg_line("move_2", &m);
    armproto_msg_init(&m, ARMPROTO_MSG_MOVE);
    m.seq = 0x80000001u; m.joint_count = 16;
    m.max_velocity = 1.5f; m.position_tolerance = 0.0f; m.velocity_tolerance = 0.125f; /* no integral action */
    for (i = 0; i < 16; i++) {
        m.q[i] = (float)i * 0.125f - 1.0f;
        m.kp[i] = (float)i * 8.0f;
        m.kd[i] = (float)i * 0.25f + 0.5f;
    }
    msg_line("move_16", &m);
    /* Values the device refuses (8.4): non-finite scalars (position_tolerance, the first, names the
     * fault; integral_time is the last scalar checked), and -0 where >= 0 holds (accepted). */
    armproto_msg_init(&m, ARMPROTO_MSG_MOVE);
    m.seq = 34; m.joint_count = 2;
    m.max_velocity = 0.5f; m.position_tolerance = inf; m.velocity_tolerance = qnan; m.integral_time = -inf;
    m.q[0] = qnan; m.q[1] = 0.0f; m.kp[0] = 1.0f; m.kp[1] = -0.0f; m.kd[0] = -inf; m.kd[1] = 0.0f;
    msg_line("move_non_finite", &m);
    /* Protocol 1.4: GOAL, the reach task's target for the device's own actor (PROTOCOL.md 6.12, 8.7). */
    armproto_msg_init(&m, ARMPROTO_MSG_GOAL);
    m.seq = 40; m.goal_count = 2; m.goal[0] = 0.125f; m.goal[1] = -0.0625f;
    msg_line("goal_2", &m);
    armproto_msg_init(&m, ARMPROTO_MSG_GOAL);
    m.seq = 0xFFFFFFFFu; m.goal_count = 4; m.goal[0] = -0.0f; m.goal[1] = 1e-40f; m.goal[2] = 3.5f; m.goal[3] = qnan;
    msg_line("goal_4", &m);

    armproto_msg_init(&m, ARMPROTO_MSG_HELLO_REPLY);
    m.seq = 1; m.result = ARMPROTO_RESULT_OK; m.version_major = 1; m.version_minor = 0;
    m.joint_count = 2; m.firmware_id = 0x314D5241u; m.firmware_version = 0x00010200u;
    m.watchdog_us = 100000u; m.max_frame = 256; m.torque_limit[0] = 2.0f; m.torque_limit[1] = inf;
    msg_line("hello_reply", &m);
    m.seq = 12; m.result = ARMPROTO_RESULT_VERSION_MISMATCH;
    msg_line("hello_reply_mismatch", &m);
    /* Protocol 1.3: capabilities after the torque limits. A real arm (HOME, MOVE) and a lockstep
     * simulator that also sets velocities on HOME (every bit of 1.3). */
    armproto_msg_init(&m, ARMPROTO_MSG_HELLO_REPLY);
    m.seq = 1; m.result = ARMPROTO_RESULT_OK; m.version_major = 1; m.version_minor = 3;
    m.joint_count = 2; m.firmware_id = 0x314D5241u; m.firmware_version = 0x00010300u;
    m.watchdog_us = 100000u; m.max_frame = 256; m.torque_limit[0] = 2.0f; m.torque_limit[1] = inf;
    m.capabilities = ARMPROTO_CAPABILITY_HOME | ARMPROTO_CAPABILITY_MOVE;
    msg_line("hello_reply_1_3", &m);
    armproto_msg_init(&m, ARMPROTO_MSG_HELLO_REPLY);
    m.seq = 2; m.result = ARMPROTO_RESULT_OK; m.version_major = 1; m.version_minor = 3;
    m.joint_count = 7; m.firmware_id = 0x4D495341u; m.firmware_version = 0x00010300u;
    m.watchdog_us = 250000u; m.max_frame = 256;
    for (i = 0; i < 7; i++) m.torque_limit[i] = (float)(7 - i) * 10.0f;
    m.capabilities = ARMPROTO_CAPABILITY_HOME | ARMPROTO_CAPABILITY_HOME_VELOCITY | ARMPROTO_CAPABILITY_MOVE |
                     ARMPROTO_CAPABILITY_LOCKSTEP;
    msg_line("hello_reply_lockstep", &m);
    /* Protocol 1.4: a board holding an actor (ACTOR), a real arm. */
    armproto_msg_init(&m, ARMPROTO_MSG_HELLO_REPLY);
    m.seq = 3; m.result = ARMPROTO_RESULT_OK; m.version_major = 1; m.version_minor = 4;
    m.joint_count = 2; m.firmware_id = 0x314D5241u; m.firmware_version = 0x00010400u;
    m.watchdog_us = 100000u; m.max_frame = 256; m.torque_limit[0] = 200.0f; m.torque_limit[1] = 200.0f;
    m.capabilities = ARMPROTO_CAPABILITY_HOME | ARMPROTO_CAPABILITY_MOVE | ARMPROTO_CAPABILITY_ACTOR;
    msg_line("hello_reply_actor", &m);

    armproto_msg_init(&m, ARMPROTO_MSG_ACK);
    m.seq = 2; m.request_type = ARMPROTO_MSG_ENABLE;
    msg_line("ack", &m);
    armproto_msg_init(&m, ARMPROTO_MSG_NAK);
    m.seq = 0xDEADBEEFu; m.request_type = 0x7F; m.result = ARMPROTO_RESULT_UNKNOWN_TYPE;
    msg_line("nak_unknown_type", &m);
    armproto_msg_init(&m, ARMPROTO_MSG_NAK);
    m.seq = 13; m.request_type = ARMPROTO_MSG_ENABLE; m.result = ARMPROTO_RESULT_ESTOP_LATCHED;
    msg_line("nak_estop_latched", &m);
    /* Protocol 1.2 decisions (PROTOCOL.md 8.4); tests/test_device.c has the device send these bytes. */
    armproto_msg_init(&m, ARMPROTO_MSG_NAK);
    m.seq = 15; m.request_type = ARMPROTO_MSG_HOME; m.result = ARMPROTO_RESULT_ESTOP_LATCHED;
    msg_line("nak_home_estop_latched", &m);
    armproto_msg_init(&m, ARMPROTO_MSG_NAK);
    m.seq = 16; m.request_type = ARMPROTO_MSG_HOME; m.result = ARMPROTO_RESULT_OUT_OF_RANGE;
    msg_line("nak_home_out_of_range", &m);
    armproto_msg_init(&m, ARMPROTO_MSG_NAK);
    m.seq = 17; m.request_type = ARMPROTO_MSG_HOME; m.result = ARMPROTO_RESULT_BAD_JOINT_COUNT;
    msg_line("nak_home_joint_count", &m);
    /* Protocol 1.3 decisions (PROTOCOL.md 8.4, 8.6); tests/test_device.c has the device send these bytes. */
    armproto_msg_init(&m, ARMPROTO_MSG_NAK);
    m.seq = 32; m.request_type = ARMPROTO_MSG_MOVE; m.result = ARMPROTO_RESULT_BAD_JOINT_COUNT;
    msg_line("nak_move_joint_count", &m);
    /* A MOVE to the pose the arm is at, at rest: MOVING and SETTLED at once (status 0x1A1). */
    armproto_msg_init(&m, ARMPROTO_MSG_STATE);
    m.seq = 33; m.applied_seq = 33; m.time_us = 1000000ull;
    m.status = ARMPROTO_STATUS_ENABLED | ARMPROTO_STATUS_HANDSHAKE_DONE | ARMPROTO_STATUS_MOVING |
               ARMPROTO_STATUS_SETTLED;
    m.result = ARMPROTO_RESULT_OK; m.joint_count = 2;
    m.q[0] = 0.5f; m.q[1] = -0.25f; m.tau[0] = 0.125f;
    msg_line("state_move_settled", &m);
    /* move_non_finite to that device next: the scalar position_tolerance (+inf) names the fault. */
    armproto_msg_init(&m, ARMPROTO_MSG_FAULT);
    m.seq = 34; m.fault = ARMPROTO_FAULT_NON_FINITE; m.fault_joint = ARMPROTO_NO_JOINT; m.time_us = 1000000ull;
    m.status = ARMPROTO_STATUS_FAULT | ARMPROTO_STATUS_HANDSHAKE_DONE; m.fault_detail = 0x7F800000u;
    msg_line("fault_move_non_finite", &m);
    /* Protocol 1.4 decisions (PROTOCOL.md 8.4, 8.7). */
    armproto_msg_init(&m, ARMPROTO_MSG_NAK);
    m.seq = 40; m.request_type = ARMPROTO_MSG_GOAL; m.result = ARMPROTO_RESULT_NO_ACTOR;
    msg_line("nak_goal_no_actor", &m);
    armproto_msg_init(&m, ARMPROTO_MSG_STATE);
    m.seq = 41; m.applied_seq = 41; m.time_us = 20000ull;
    m.status = ARMPROTO_STATUS_ENABLED | ARMPROTO_STATUS_HANDSHAKE_DONE | ARMPROTO_STATUS_ACTOR;
    m.result = ARMPROTO_RESULT_OK; m.joint_count = 2;
    m.q[0] = 0.0625f; m.q[1] = -0.03125f; m.qd[0] = 1.5f; m.qd[1] = -0.75f; m.tau[0] = 200.0f; m.tau[1] = -37.5f;
    msg_line("state_actor", &m);
    armproto_msg_init(&m, ARMPROTO_MSG_FAULT);
    m.seq = 42; m.fault = ARMPROTO_FAULT_ACTOR_OUTPUT; m.fault_joint = 1; m.time_us = 40000ull;
    m.status = ARMPROTO_STATUS_FAULT | ARMPROTO_STATUS_HANDSHAKE_DONE; m.fault_detail = 0x7FC00000u;
    msg_line("fault_actor_output", &m);

    armproto_msg_init(&m, ARMPROTO_MSG_STATE);
    m.seq = 3; m.applied_seq = 3; m.time_us = 1234567890123ull;
    m.status = ARMPROTO_STATUS_ENABLED | ARMPROTO_STATUS_HANDSHAKE_DONE;
    m.result = ARMPROTO_RESULT_OK; m.fault = 0; m.joint_count = 2;
    m.q[0] = 0.5f; m.q[1] = -1.0f; m.qd[0] = 0.125f; m.qd[1] = 2.0f;
    m.tau[0] = 1.5f; m.tau[1] = -0.25f;
    msg_line("state_2", &m);
    m.seq = 4; m.applied_seq = 3; m.time_us = 1234567900000ull;
    m.status = ARMPROTO_STATUS_ESTOP_LATCHED | ARMPROTO_STATUS_FAULT | ARMPROTO_STATUS_HANDSHAKE_DONE;
    m.result = ARMPROTO_RESULT_ESTOP_LATCHED; m.fault = ARMPROTO_FAULT_ESTOP;
    m.tau[0] = 0.0f; m.tau[1] = 0.0f;
    msg_line("state_2_estop", &m);
    armproto_msg_init(&m, ARMPROTO_MSG_STATE);
    m.seq = 0x80000000u; m.applied_seq = 0x7FFFFFFFu; m.time_us = 0xFFFFFFFFFFull;
    m.status = ARMPROTO_STATUS_ENABLED | ARMPROTO_STATUS_TORQUE_CLAMPED | ARMPROTO_STATUS_HANDSHAKE_DONE;
    m.result = ARMPROTO_RESULT_OK; m.joint_count = 16;
    for (i = 0; i < 16; i++) {
        m.q[i] = (float)i * 0.25f - 2.0f;
        m.qd[i] = (float)i * -0.5f;
        m.tau[i] = (float)i + 0.75f;
    }
    msg_line("state_16", &m);

    armproto_msg_init(&m, ARMPROTO_MSG_FAULT);
    m.seq = 3; m.fault = ARMPROTO_FAULT_WATCHDOG; m.fault_joint = ARMPROTO_NO_JOINT;
    m.time_us = 1234567990123ull;
    m.status = ARMPROTO_STATUS_WATCHDOG_TRIPPED | ARMPROTO_STATUS_FAULT | ARMPROTO_STATUS_HANDSHAKE_DONE;
    m.fault_detail = 100000u;
    msg_line("fault_watchdog", &m);
    armproto_msg_init(&m, ARMPROTO_MSG_FAULT);
    m.seq = 5; m.fault = ARMPROTO_FAULT_NON_FINITE; m.fault_joint = 0; m.time_us = 2000000ull;
    m.status = ARMPROTO_STATUS_FAULT | ARMPROTO_STATUS_HANDSHAKE_DONE; m.fault_detail = 0x7FC00000u;
    msg_line("fault_non_finite", &m);

    armproto_msg_init(&m, ARMPROTO_MSG_STATS);
    m.seq = 11;
    m.stats.rx_frames = 1000; m.stats.rx_crc_errors = 2; m.stats.rx_cobs_errors = 3;
    m.stats.rx_overlong = 4; m.stats.rx_short = 5; m.stats.rx_unknown_type = 6;
    m.stats.rx_bad_length = 7; m.stats.tx_frames = 999; m.stats.watchdog_trips = 1;
    m.stats.torque_rejected = 0x01000000u;
    msg_line("stats", &m);
    /* GET_STATS right after RESET: the RESET is not counted, its ACK is (PROTOCOL.md 8.4). */
    armproto_msg_init(&m, ARMPROTO_MSG_STATS);
    m.seq = 21; m.stats.rx_frames = 1; m.stats.tx_frames = 2;
    msg_line("stats_after_reset", &m);

    printf("\n# bad  NAME  FRAME_HEX  ERROR  (frame includes the 0x00 delimiter; ERROR as armproto_err_name)\n");
    /* HEARTBEAT seq 0x12345678 with one payload bit flipped after the CRC was computed. */
    buf[0] = 0x78; buf[1] = 0x56; buf[2] = 0x34; buf[3] = 0x12;
    n = body_with_crc(ARMPROTO_MSG_HEARTBEAT, buf, 4, body);
    body[2] ^= 0x01;
    bad_line("crc_bit_flip", frame, raw_frame(body, n, frame, sizeof frame));
    /* Same frame with the CRC written big-endian: a classic porting bug. */
    n = body_with_crc(ARMPROTO_MSG_HEARTBEAT, buf, 4, body);
    { uint8_t t = body[5]; body[5] = body[6]; body[6] = t; }
    bad_line("crc_big_endian", frame, raw_frame(body, n, frame, sizeof frame));
    /* Code byte promises 4 data bytes, only 2 follow. */
    frame[0] = 0x05; frame[1] = 0x11; frame[2] = 0x22; frame[3] = 0x00;
    bad_line("cobs_overrun", frame, 4);
    frame[0] = 0x01; frame[1] = 0x00;
    bad_line("short_empty_body", frame, 2);
    frame[0] = 0x03; frame[1] = 0x05; frame[2] = 0x11; frame[3] = 0x00;
    bad_line("short_two_bytes", frame, 4);
    memset(frame, 0x01, ARMPROTO_MAX_FRAME);
    frame[ARMPROTO_MAX_FRAME] = 0x00;
    bad_line("overlong_256", frame, ARMPROTO_MAX_FRAME + 1);
    buf[0] = 0xEF; buf[1] = 0xBE; buf[2] = 0xAD; buf[3] = 0xDE;
    n = body_with_crc(0x7F, buf, 4, body);
    bad_line("unknown_type_7f", frame, raw_frame(body, n, frame, sizeof frame));
    buf[0] = 0x03; buf[1] = 0; buf[2] = 0; buf[3] = 0; buf[4] = 2;
    buf[5] = 0; buf[6] = 0; buf[7] = 0xC0; buf[8] = 0x3F; /* one float for two joints */
    n = body_with_crc(ARMPROTO_MSG_TORQUE, buf, 9, body);
    bad_line("torque_truncated", frame, raw_frame(body, n, frame, sizeof frame));
    buf[4] = 0;
    n = body_with_crc(ARMPROTO_MSG_TORQUE, buf, 5, body);
    bad_line("torque_zero_joints", frame, raw_frame(body, n, frame, sizeof frame));
    buf[4] = 17;
    n = body_with_crc(ARMPROTO_MSG_TORQUE, buf, 5, body);
    bad_line("torque_17_joints", frame, raw_frame(body, n, frame, sizeof frame));
    buf[0] = 0x01; buf[1] = 0; buf[2] = 0; buf[3] = 0;
    n = body_with_crc(ARMPROTO_MSG_HELLO, buf, 4, body);
    bad_line("hello_truncated", frame, raw_frame(body, n, frame, sizeof frame));
    /* MOVE (1.3): the fixed part is 24 bytes (integral_time ends it); a 2-joint MOVE needs 48. */
    memset(buf, 0, 48);
    buf[0] = 0x21; buf[4] = 2; buf[10] = 0x80; buf[11] = 0x3F; /* max_velocity 1 */
    n = body_with_crc(ARMPROTO_MSG_MOVE, buf, 23, body);
    bad_line("move_short_header", frame, raw_frame(body, n, frame, sizeof frame));
    n = body_with_crc(ARMPROTO_MSG_MOVE, buf, 47, body);
    bad_line("move_truncated", frame, raw_frame(body, n, frame, sizeof frame));
    buf[4] = 0;
    n = body_with_crc(ARMPROTO_MSG_MOVE, buf, 48, body);
    bad_line("move_zero_joints", frame, raw_frame(body, n, frame, sizeof frame));
    /* GOAL (1.4): 8 bytes then 4 per goal value, 1 to 4 values. */
    memset(buf, 0, 16);
    buf[0] = 0x28; buf[4] = 2;
    n = body_with_crc(ARMPROTO_MSG_GOAL, buf, 7, body);
    bad_line("goal_short_header", frame, raw_frame(body, n, frame, sizeof frame));
    n = body_with_crc(ARMPROTO_MSG_GOAL, buf, 15, body);
    bad_line("goal_truncated", frame, raw_frame(body, n, frame, sizeof frame));
    buf[4] = 0;
    n = body_with_crc(ARMPROTO_MSG_GOAL, buf, 16, body);
    bad_line("goal_zero_values", frame, raw_frame(body, n, frame, sizeof frame));
    buf[4] = 5;
    n = body_with_crc(ARMPROTO_MSG_GOAL, buf, 28, body);
    bad_line("goal_5_values", frame, raw_frame(body, n, frame, sizeof frame));

    /* A 254-byte body whose canonical COBS is one FF block (255 bytes) with the redundant
     * trailing 01 that section 2.1 forbids: 256 bytes before the delimiter, always overlong. */
    buf[0] = 0x00; buf[1] = 0x01; buf[2] = 0x01; buf[3] = 0x01;
    for (i = 4; i < ARMPROTO_MAX_PAYLOAD; i++) buf[i] = (uint8_t)(i % 255 + 1);
    do { /* a seq whose CRC has no zero byte keeps the body free of zeros */
        buf[0]++;
        n = body_with_crc(ARMPROTO_MSG_HEARTBEAT, buf, ARMPROTO_MAX_PAYLOAD, body);
    } while (body[n - 1] == 0 || body[n - 2] == 0);
    n = raw_frame(body, n, frame, sizeof frame);
    frame[n - 1] = 0x01;
    frame[n] = 0x00;
    bad_line("overlong_redundant_01", frame, n + 1);

    printf("\n# device  NAME  FRAME_HEX  VERDICT  (a device's receiver; frame includes the 0x00 delimiter)\n");
    armproto_msg_init(&m, ARMPROTO_MSG_ACK);
    m.seq = 2; m.request_type = ARMPROTO_MSG_ENABLE;
    n = (size_t)armproto_encode_msg(&m, frame, sizeof frame);
    device_line("ack_to_device", frame, n);
    buf[0] = 0x03; buf[1] = 0; buf[2] = 0; buf[3] = 0;
    n = body_with_crc(ARMPROTO_MSG_STATE, buf, 4, body);
    device_line("state_truncated", frame, raw_frame(body, n, frame, sizeof frame));
    memset(buf, 0, 24);
    buf[0] = 0x03; buf[4] = 0x03; /* seq 3, applied_seq 3, n (offset 22) = 0 */
    n = body_with_crc(ARMPROTO_MSG_STATE, buf, 24, body);
    device_line("state_zero_joints", frame, raw_frame(body, n, frame, sizeof frame));
    buf[0] = 0xEF; buf[1] = 0xBE; buf[2] = 0xAD; buf[3] = 0xDE;
    n = body_with_crc(0xC0, buf, 2, body);
    device_line("unknown_c0_short", frame, raw_frame(body, n, frame, sizeof frame));
    buf[0] = 0x03; buf[1] = 0; buf[2] = 0; buf[3] = 0; buf[4] = 2;
    buf[5] = 0; buf[6] = 0; buf[7] = 0xC0; buf[8] = 0x3F;
    n = body_with_crc(ARMPROTO_MSG_TORQUE, buf, 9, body);
    device_line("torque_truncated", frame, raw_frame(body, n, frame, sizeof frame));
    n = (size_t)armproto_encode_heartbeat(frame, sizeof frame, 0x12345678u);
    device_line("heartbeat", frame, n);
    {
        const float target[2] = {0.5f, -0.25f}, kp[2] = {100.0f, 50.0f}, kd[2] = {20.0f, 10.0f};
        n = (size_t)armproto_encode_move(frame, sizeof frame, 30, target, kp, kd, 2, 0.5f, 0.01f, 0.05f, 0.25f);
        device_line("move", frame, n);
        memset(buf, 0, 48);
        buf[0] = 0x21; buf[4] = 2;
        n = body_with_crc(ARMPROTO_MSG_MOVE, buf, 47, body);
        device_line("move_truncated", frame, raw_frame(body, n, frame, sizeof frame));
    }

    /* Fuzz seeds: the session as raw bytes (option 0x05: handshake first,
     * chunks of 2) and as records (option 0x03: handshake, structured). */
    if (corpus_dir != NULL) {
        const uint8_t raw_opts = 0x05, structured_opts = 0x03;
        seed_file(&raw_opts, 1, session, session_len);
        seed_file(&structured_opts, 1, records, records_len);
        move_seeds();
        goal_seeds();
    }
    return failures ? 1 : 0;
}
