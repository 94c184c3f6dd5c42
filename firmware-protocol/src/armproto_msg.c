/* Message layouts (PROTOCOL.md, "Messages"): pack, unpack, names. */
#include "armproto_internal.h"

/* Fixed part of each variable-length layout, before the per-joint arrays. */
#define LEN_SEQ_ONLY     4
#define LEN_HELLO        6
#define LEN_JOINTS_HDR   5   /* TORQUE, HOME: seq u32, n u8 */
#define LEN_HELLO_REPLY  24  /* + 4n, + 4 (capabilities, protocol 1.3) */
#define LEN_MOVE_HDR     24  /* seq u32, n u8, reserved u8[3], max_velocity, position_tolerance, velocity_tolerance, integral_time; + 12n */
#define LEN_GOAL_HDR     8   /* seq u32, m u8, reserved u8[3]; + 4m (protocol 1.4) */
#define LEN_ACK          5
#define LEN_NAK          6
#define LEN_STATE        24  /* + 12n */
#define LEN_FAULT        24
#define LEN_STATS        (4 + 4 * ARMPROTO_STATS_FIELDS)

void armproto_msg_init(armproto_msg *msg, uint8_t type)
{
    memset(msg, 0, sizeof *msg);
    msg->type = type;
}

int armproto_msg_known(uint8_t type)
{
    switch (type) {
    case ARMPROTO_MSG_HELLO:
    case ARMPROTO_MSG_ENABLE:
    case ARMPROTO_MSG_DISABLE:
    case ARMPROTO_MSG_TORQUE:
    case ARMPROTO_MSG_HEARTBEAT:
    case ARMPROTO_MSG_ESTOP:
    case ARMPROTO_MSG_CLEAR_ESTOP:
    case ARMPROTO_MSG_RESET:
    case ARMPROTO_MSG_HOME:
    case ARMPROTO_MSG_GET_STATS:
    case ARMPROTO_MSG_MOVE:
    case ARMPROTO_MSG_GOAL:
    case ARMPROTO_MSG_HELLO_REPLY:
    case ARMPROTO_MSG_ACK:
    case ARMPROTO_MSG_NAK:
    case ARMPROTO_MSG_STATE:
    case ARMPROTO_MSG_FAULT:
    case ARMPROTO_MSG_STATS:
        return 1;
    default:
        return 0;
    }
}

static void stats_to_array(const armproto_stats *s, uint32_t a[ARMPROTO_STATS_FIELDS])
{
    a[0] = s->rx_frames;
    a[1] = s->rx_crc_errors;
    a[2] = s->rx_cobs_errors;
    a[3] = s->rx_overlong;
    a[4] = s->rx_short;
    a[5] = s->rx_unknown_type;
    a[6] = s->rx_bad_length;
    a[7] = s->tx_frames;
    a[8] = s->watchdog_trips;
    a[9] = s->torque_rejected;
}

static void stats_from_array(armproto_stats *s, const uint32_t a[ARMPROTO_STATS_FIELDS])
{
    s->rx_frames = a[0];
    s->rx_crc_errors = a[1];
    s->rx_cobs_errors = a[2];
    s->rx_overlong = a[3];
    s->rx_short = a[4];
    s->rx_unknown_type = a[5];
    s->rx_bad_length = a[6];
    s->tx_frames = a[7];
    s->watchdog_trips = a[8];
    s->torque_rejected = a[9];
}

static void put_f32s(uint8_t *p, const float *v, uint8_t n)
{
    uint8_t j;
    for (j = 0; j < n; j++) {
        ap_put_f32(p + 4u * j, v[j]);
    }
}

static void get_f32s(const uint8_t *p, float *v, uint8_t n)
{
    uint8_t j;
    for (j = 0; j < n; j++) {
        v[j] = ap_get_f32(p + 4u * j);
    }
}

static int joints_ok(uint8_t n)
{
    return n >= 1 && n <= ARMPROTO_MAX_JOINTS;
}

/* The checks every payload with a joint array needs: the fixed part is
 * there, its joint count (the byte at count_at) is in range, and the array of
 * per_joint bytes per joint after the fixed part is complete. 0 and *n set,
 * or the error to return. */
static int joint_array(const uint8_t *p, size_t len, size_t fixed, size_t count_at, size_t per_joint, uint8_t *n)
{
    if (len < fixed) {
        return ARMPROTO_ERR_BAD_LENGTH;
    }
    *n = p[count_at];
    if (!joints_ok(*n)) {
        return ARMPROTO_ERR_JOINT_COUNT;
    }
    if (len < fixed + per_joint * *n) {
        return ARMPROTO_ERR_BAD_LENGTH;
    }
    return 0;
}

int armproto_pack_payload(const armproto_msg *m, uint8_t *p, size_t cap)
{
    size_t len;
    uint8_t n;

    if (m == NULL || p == NULL) {
        return ARMPROTO_ERR_ARG;
    }
    n = m->joint_count;
    /* Length first, so that nothing is written when the buffer is short. */
    switch (m->type) {
    case ARMPROTO_MSG_ENABLE:
    case ARMPROTO_MSG_DISABLE:
    case ARMPROTO_MSG_HEARTBEAT:
    case ARMPROTO_MSG_ESTOP:
    case ARMPROTO_MSG_CLEAR_ESTOP:
    case ARMPROTO_MSG_RESET:
    case ARMPROTO_MSG_GET_STATS:
        len = LEN_SEQ_ONLY;
        break;
    case ARMPROTO_MSG_HELLO:
        len = LEN_HELLO;
        break;
    case ARMPROTO_MSG_TORQUE:
        if (!joints_ok(n)) {
            return ARMPROTO_ERR_ARG;
        }
        len = LEN_JOINTS_HDR + 4u * n;
        break;
    case ARMPROTO_MSG_HOME:
        if (!joints_ok(n)) {
            return ARMPROTO_ERR_ARG;
        }
        len = LEN_JOINTS_HDR + (m->has_qd ? 8u : 4u) * n;
        break;
    case ARMPROTO_MSG_HELLO_REPLY:
        if (!joints_ok(n)) {
            return ARMPROTO_ERR_ARG;
        }
        len = LEN_HELLO_REPLY + 4u * n + 4u;
        break;
    case ARMPROTO_MSG_MOVE:
        if (!joints_ok(n)) {
            return ARMPROTO_ERR_ARG;
        }
        len = LEN_MOVE_HDR + 12u * n;
        break;
    case ARMPROTO_MSG_GOAL:
        if (m->goal_count < 1 || m->goal_count > ARMPROTO_ACTOR_MAX_GOAL) {
            return ARMPROTO_ERR_ARG;
        }
        len = LEN_GOAL_HDR + 4u * m->goal_count;
        break;
    case ARMPROTO_MSG_ACK:
        len = LEN_ACK;
        break;
    case ARMPROTO_MSG_NAK:
        len = LEN_NAK;
        break;
    case ARMPROTO_MSG_STATE:
        if (!joints_ok(n)) {
            return ARMPROTO_ERR_ARG;
        }
        len = LEN_STATE + 12u * n;
        break;
    case ARMPROTO_MSG_FAULT:
        len = LEN_FAULT;
        break;
    case ARMPROTO_MSG_STATS:
        len = LEN_STATS;
        break;
    default:
        return ARMPROTO_ERR_UNKNOWN_TYPE;
    }
    if (len > cap) {
        return ARMPROTO_ERR_CAPACITY;
    }
    memset(p, 0, len); /* reserved bytes are zero */

    switch (m->type) {
    case ARMPROTO_MSG_HELLO:
        ap_put_u32(p, m->seq);
        p[4] = m->version_major;
        p[5] = m->version_minor;
        break;
    case ARMPROTO_MSG_TORQUE:
        ap_put_u32(p, m->seq);
        p[4] = n;
        put_f32s(p + 5, m->tau, n);
        break;
    case ARMPROTO_MSG_HOME:
        ap_put_u32(p, m->seq);
        p[4] = n;
        put_f32s(p + 5, m->q, n);
        if (m->has_qd) {
            put_f32s(p + 5 + 4u * n, m->qd, n);
        }
        break;
    case ARMPROTO_MSG_HELLO_REPLY:
        ap_put_u32(p, m->seq);
        p[4] = m->result;
        p[5] = m->version_major;
        p[6] = m->version_minor;
        p[7] = n;
        ap_put_u32(p + 8, m->firmware_id);
        ap_put_u32(p + 12, m->firmware_version);
        ap_put_u32(p + 16, m->watchdog_us);
        ap_put_u16(p + 20, m->max_frame);
        put_f32s(p + 24, m->torque_limit, n);
        ap_put_u32(p + 24 + 4u * n, m->capabilities);
        break;
    case ARMPROTO_MSG_MOVE:
        ap_put_u32(p, m->seq);
        p[4] = n;
        ap_put_f32(p + 8, m->max_velocity);
        ap_put_f32(p + 12, m->position_tolerance);
        ap_put_f32(p + 16, m->velocity_tolerance);
        ap_put_f32(p + 20, m->integral_time);
        put_f32s(p + LEN_MOVE_HDR, m->q, n);
        put_f32s(p + LEN_MOVE_HDR + 4u * n, m->kp, n);
        put_f32s(p + LEN_MOVE_HDR + 8u * n, m->kd, n);
        break;
    case ARMPROTO_MSG_GOAL:
        ap_put_u32(p, m->seq);
        p[4] = m->goal_count;
        put_f32s(p + LEN_GOAL_HDR, m->goal, m->goal_count);
        break;
    case ARMPROTO_MSG_ACK:
        ap_put_u32(p, m->seq);
        p[4] = m->request_type;
        break;
    case ARMPROTO_MSG_NAK:
        ap_put_u32(p, m->seq);
        p[4] = m->request_type;
        p[5] = m->result;
        break;
    case ARMPROTO_MSG_STATE:
        ap_put_u32(p, m->seq);
        ap_put_u32(p + 4, m->applied_seq);
        ap_put_u64(p + 8, m->time_us);
        ap_put_u32(p + 16, m->status);
        p[20] = m->result;
        p[21] = m->fault;
        p[22] = n;
        put_f32s(p + 24, m->q, n);
        put_f32s(p + 24 + 4u * n, m->qd, n);
        put_f32s(p + 24 + 8u * n, m->tau, n);
        break;
    case ARMPROTO_MSG_FAULT:
        ap_put_u32(p, m->seq);
        p[4] = m->fault;
        p[5] = m->fault_joint;
        ap_put_u64(p + 8, m->time_us);
        ap_put_u32(p + 16, m->status);
        ap_put_u32(p + 20, m->fault_detail);
        break;
    case ARMPROTO_MSG_STATS: {
        uint32_t a[ARMPROTO_STATS_FIELDS];
        int k;
        ap_put_u32(p, m->seq);
        stats_to_array(&m->stats, a);
        for (k = 0; k < ARMPROTO_STATS_FIELDS; k++) {
            ap_put_u32(p + 4 + 4 * k, a[k]);
        }
        break;
    }
    default: /* the seq-only requests */
        ap_put_u32(p, m->seq);
        break;
    }
    return (int)len;
}

int armproto_unpack_payload(uint8_t type, const uint8_t *p, size_t len, armproto_msg *m)
{
    uint8_t n;
    int err;

    if (m == NULL || (p == NULL && len > 0)) {
        return ARMPROTO_ERR_ARG;
    }
    armproto_msg_init(m, type);
    /* Every message starts with a u32 seq: recover it even from payloads we
     * cannot otherwise parse, so that a NAK can name the request. */
    if (len >= 4) {
        m->seq = ap_get_u32(p);
    }
    if (!armproto_msg_known(type)) {
        return ARMPROTO_ERR_UNKNOWN_TYPE;
    }
    /* Longer payloads are accepted and their tail ignored: a later minor
     * version may append fields (PROTOCOL.md, "Versioning"). */
    switch (type) {
    case ARMPROTO_MSG_ENABLE:
    case ARMPROTO_MSG_DISABLE:
    case ARMPROTO_MSG_HEARTBEAT:
    case ARMPROTO_MSG_ESTOP:
    case ARMPROTO_MSG_CLEAR_ESTOP:
    case ARMPROTO_MSG_RESET:
    case ARMPROTO_MSG_GET_STATS:
        if (len < LEN_SEQ_ONLY) {
            return ARMPROTO_ERR_BAD_LENGTH;
        }
        return 0;
    case ARMPROTO_MSG_HELLO:
        if (len < LEN_HELLO) {
            return ARMPROTO_ERR_BAD_LENGTH;
        }
        m->version_major = p[4];
        m->version_minor = p[5];
        return 0;
    case ARMPROTO_MSG_TORQUE:
    case ARMPROTO_MSG_HOME:
        if ((err = joint_array(p, len, LEN_JOINTS_HDR, 4, 4, &n)) != 0) {
            return err;
        }
        m->joint_count = n;
        get_f32s(p + 5, type == ARMPROTO_MSG_TORQUE ? m->tau : m->q, n);
        /* Protocol 1.1: HOME may append per-joint velocities. A partial array
         * is an unknown tail and ignored like any other (section 9). */
        if (type == ARMPROTO_MSG_HOME && len >= LEN_JOINTS_HDR + 8u * n) {
            get_f32s(p + 5 + 4u * n, m->qd, n);
            m->has_qd = 1;
        }
        return 0;
    case ARMPROTO_MSG_HELLO_REPLY:
        if ((err = joint_array(p, len, LEN_HELLO_REPLY, 7, 4, &n)) != 0) {
            return err;
        }
        m->result = p[4];
        m->version_major = p[5];
        m->version_minor = p[6];
        m->joint_count = n;
        m->firmware_id = ap_get_u32(p + 8);
        m->firmware_version = ap_get_u32(p + 12);
        m->watchdog_us = ap_get_u32(p + 16);
        m->max_frame = ap_get_u16(p + 20);
        get_f32s(p + 24, m->torque_limit, n);
        /* Protocol 1.3 appends the capabilities; an older device's reply ends before them. */
        if (len >= LEN_HELLO_REPLY + 4u * n + 4u) {
            m->capabilities = ap_get_u32(p + 24 + 4u * n);
        }
        return 0;
    case ARMPROTO_MSG_MOVE:
        if ((err = joint_array(p, len, LEN_MOVE_HDR, 4, 12, &n)) != 0) {
            return err;
        }
        m->joint_count = n;
        m->max_velocity = ap_get_f32(p + 8);
        m->position_tolerance = ap_get_f32(p + 12);
        m->velocity_tolerance = ap_get_f32(p + 16);
        m->integral_time = ap_get_f32(p + 20);
        get_f32s(p + LEN_MOVE_HDR, m->q, n);
        get_f32s(p + LEN_MOVE_HDR + 4u * n, m->kp, n);
        get_f32s(p + LEN_MOVE_HDR + 8u * n, m->kd, n);
        return 0;
    case ARMPROTO_MSG_GOAL:
        /* The goal count is no joint count: 0 or more than the protocol carries is a bad form. */
        if (len < LEN_GOAL_HDR || p[4] < 1 || p[4] > ARMPROTO_ACTOR_MAX_GOAL || len < LEN_GOAL_HDR + 4u * p[4]) {
            return ARMPROTO_ERR_BAD_LENGTH;
        }
        m->goal_count = p[4];
        get_f32s(p + LEN_GOAL_HDR, m->goal, m->goal_count);
        return 0;
    case ARMPROTO_MSG_ACK:
        if (len < LEN_ACK) {
            return ARMPROTO_ERR_BAD_LENGTH;
        }
        m->request_type = p[4];
        return 0;
    case ARMPROTO_MSG_NAK:
        if (len < LEN_NAK) {
            return ARMPROTO_ERR_BAD_LENGTH;
        }
        m->request_type = p[4];
        m->result = p[5];
        return 0;
    case ARMPROTO_MSG_STATE:
        if ((err = joint_array(p, len, LEN_STATE, 22, 12, &n)) != 0) {
            return err;
        }
        m->applied_seq = ap_get_u32(p + 4);
        m->time_us = ap_get_u64(p + 8);
        m->status = ap_get_u32(p + 16);
        m->result = p[20];
        m->fault = p[21];
        m->joint_count = n;
        get_f32s(p + 24, m->q, n);
        get_f32s(p + 24 + 4u * n, m->qd, n);
        get_f32s(p + 24 + 8u * n, m->tau, n);
        return 0;
    case ARMPROTO_MSG_FAULT:
        if (len < LEN_FAULT) {
            return ARMPROTO_ERR_BAD_LENGTH;
        }
        m->fault = p[4];
        m->fault_joint = p[5];
        m->time_us = ap_get_u64(p + 8);
        m->status = ap_get_u32(p + 16);
        m->fault_detail = ap_get_u32(p + 20);
        return 0;
    case ARMPROTO_MSG_STATS: {
        uint32_t a[ARMPROTO_STATS_FIELDS];
        int k;
        if (len < LEN_STATS) {
            return ARMPROTO_ERR_BAD_LENGTH;
        }
        for (k = 0; k < ARMPROTO_STATS_FIELDS; k++) {
            a[k] = ap_get_u32(p + 4 + 4 * k);
        }
        stats_from_array(&m->stats, a);
        return 0;
    }
    default:
        return ARMPROTO_ERR_UNKNOWN_TYPE;
    }
}

int armproto_encode_msg(const armproto_msg *msg, uint8_t *out, size_t cap)
{
    uint8_t payload[ARMPROTO_MAX_PAYLOAD];
    int len;

    if (msg == NULL || out == NULL) {
        return ARMPROTO_ERR_ARG;
    }
    len = armproto_pack_payload(msg, payload, sizeof payload);
    if (len < 0) {
        return len;
    }
    return armproto_frame_encode(msg->type, payload, (size_t)len, out, cap);
}

int armproto_decode_msg(const uint8_t *frame, size_t len, armproto_msg *msg)
{
    uint8_t payload[ARMPROTO_MAX_PAYLOAD];
    uint8_t type = 0;
    int plen;

    if (frame == NULL || msg == NULL) {
        return ARMPROTO_ERR_ARG;
    }
    plen = armproto_frame_decode(frame, len, &type, payload, sizeof payload);
    if (plen < 0) {
        armproto_msg_init(msg, 0);
        return plen;
    }
    return armproto_unpack_payload(type, payload, (size_t)plen, msg);
}

/* ---- host-side convenience encoders ---- */

static int encode_seq_only(uint8_t type, uint8_t *out, size_t cap, uint32_t seq)
{
    uint8_t p[LEN_SEQ_ONLY];
    ap_put_u32(p, seq);
    return armproto_frame_encode(type, p, sizeof p, out, cap);
}

/* seq, n, v[n] and, when v2 is given, v2[n] (HOME's velocities). */
static int encode_joints(uint8_t type, uint8_t *out, size_t cap, uint32_t seq, const float *v, const float *v2,
                         uint8_t n)
{
    uint8_t p[LEN_JOINTS_HDR + 8 * ARMPROTO_MAX_JOINTS];
    size_t len;
    if (v == NULL || !joints_ok(n)) {
        return ARMPROTO_ERR_ARG;
    }
    ap_put_u32(p, seq);
    p[4] = n;
    put_f32s(p + 5, v, n);
    len = LEN_JOINTS_HDR + 4u * n;
    if (v2 != NULL) {
        put_f32s(p + len, v2, n);
        len += 4u * n;
    }
    return armproto_frame_encode(type, p, len, out, cap);
}

int armproto_encode_hello(uint8_t *out, size_t cap, uint32_t seq, uint8_t major, uint8_t minor)
{
    uint8_t p[LEN_HELLO];
    ap_put_u32(p, seq);
    p[4] = major;
    p[5] = minor;
    return armproto_frame_encode(ARMPROTO_MSG_HELLO, p, sizeof p, out, cap);
}

int armproto_encode_enable(uint8_t *out, size_t cap, uint32_t seq)
{
    return encode_seq_only(ARMPROTO_MSG_ENABLE, out, cap, seq);
}

int armproto_encode_disable(uint8_t *out, size_t cap, uint32_t seq)
{
    return encode_seq_only(ARMPROTO_MSG_DISABLE, out, cap, seq);
}

int armproto_encode_torque(uint8_t *out, size_t cap, uint32_t seq, const float *tau, uint8_t n)
{
    return encode_joints(ARMPROTO_MSG_TORQUE, out, cap, seq, tau, NULL, n);
}

int armproto_encode_heartbeat(uint8_t *out, size_t cap, uint32_t seq)
{
    return encode_seq_only(ARMPROTO_MSG_HEARTBEAT, out, cap, seq);
}

int armproto_encode_estop(uint8_t *out, size_t cap, uint32_t seq)
{
    return encode_seq_only(ARMPROTO_MSG_ESTOP, out, cap, seq);
}

int armproto_encode_clear_estop(uint8_t *out, size_t cap, uint32_t seq)
{
    return encode_seq_only(ARMPROTO_MSG_CLEAR_ESTOP, out, cap, seq);
}

int armproto_encode_reset(uint8_t *out, size_t cap, uint32_t seq)
{
    return encode_seq_only(ARMPROTO_MSG_RESET, out, cap, seq);
}

int armproto_encode_home(uint8_t *out, size_t cap, uint32_t seq, const float *q, uint8_t n)
{
    return encode_joints(ARMPROTO_MSG_HOME, out, cap, seq, q, NULL, n);
}

int armproto_encode_home_velocity(uint8_t *out, size_t cap, uint32_t seq, const float *q, const float *qd,
                                  uint8_t n)
{
    return encode_joints(ARMPROTO_MSG_HOME, out, cap, seq, q, qd, n);
}

int armproto_encode_get_stats(uint8_t *out, size_t cap, uint32_t seq)
{
    return encode_seq_only(ARMPROTO_MSG_GET_STATS, out, cap, seq);
}

int armproto_encode_move(uint8_t *out, size_t cap, uint32_t seq, const float *target, const float *kp, const float *kd,
                         uint8_t n, float max_velocity, float position_tolerance, float velocity_tolerance,
                         float integral_time)
{
    armproto_msg m;
    if (target == NULL || kp == NULL || kd == NULL || !joints_ok(n)) {
        return ARMPROTO_ERR_ARG;
    }
    armproto_msg_init(&m, ARMPROTO_MSG_MOVE);
    m.seq = seq;
    m.joint_count = n;
    m.max_velocity = max_velocity;
    m.position_tolerance = position_tolerance;
    m.velocity_tolerance = velocity_tolerance;
    m.integral_time = integral_time;
    memcpy(m.q, target, sizeof(float) * n);
    memcpy(m.kp, kp, sizeof(float) * n);
    memcpy(m.kd, kd, sizeof(float) * n);
    return armproto_encode_msg(&m, out, cap);
}

int armproto_encode_goal(uint8_t *out, size_t cap, uint32_t seq, const float *goal, uint8_t count)
{
    armproto_msg m;
    if (goal == NULL || count < 1 || count > ARMPROTO_ACTOR_MAX_GOAL) {
        return ARMPROTO_ERR_ARG;
    }
    armproto_msg_init(&m, ARMPROTO_MSG_GOAL);
    m.seq = seq;
    m.goal_count = count;
    memcpy(m.goal, goal, sizeof(float) * count);
    return armproto_encode_msg(&m, out, cap);
}

/* ---- names ---- */

const char *armproto_err_name(int err)
{
    switch (err) {
    case 0: return "ok";
    case ARMPROTO_ERR_CAPACITY: return "capacity";
    case ARMPROTO_ERR_ARG: return "arg";
    case ARMPROTO_ERR_COBS: return "cobs";
    case ARMPROTO_ERR_SHORT: return "short";
    case ARMPROTO_ERR_CRC: return "crc";
    case ARMPROTO_ERR_OVERLONG: return "overlong";
    case ARMPROTO_ERR_UNKNOWN_TYPE: return "unknown_type";
    case ARMPROTO_ERR_BAD_LENGTH: return "bad_length";
    case ARMPROTO_ERR_JOINT_COUNT: return "joint_count";
    default: return "unknown_error";
    }
}

const char *armproto_result_name(uint8_t r)
{
    switch (r) {
    case ARMPROTO_RESULT_OK: return "ok";
    case ARMPROTO_RESULT_UNKNOWN_TYPE: return "unknown_type";
    case ARMPROTO_RESULT_BAD_LENGTH: return "bad_length";
    case ARMPROTO_RESULT_BAD_JOINT_COUNT: return "bad_joint_count";
    case ARMPROTO_RESULT_NOT_ENABLED: return "not_enabled";
    case ARMPROTO_RESULT_ESTOP_LATCHED: return "estop_latched";
    case ARMPROTO_RESULT_NON_FINITE: return "non_finite";
    case ARMPROTO_RESULT_STALE_SEQUENCE: return "stale_sequence";
    case ARMPROTO_RESULT_NO_HANDSHAKE: return "no_handshake";
    case ARMPROTO_RESULT_VERSION_MISMATCH: return "version_mismatch";
    case ARMPROTO_RESULT_UNSUPPORTED: return "unsupported";
    case ARMPROTO_RESULT_ESTOP_ACTIVE: return "estop_active";
    case ARMPROTO_RESULT_BOARD_ERROR: return "board_error";
    case ARMPROTO_RESULT_MUST_BE_DISABLED: return "must_be_disabled";
    case ARMPROTO_RESULT_OUT_OF_RANGE: return "out_of_range";
    case ARMPROTO_RESULT_NO_ACTOR: return "no_actor";
    default: return "unknown_result";
    }
}

const char *armproto_fault_name(uint8_t f)
{
    switch (f) {
    case ARMPROTO_FAULT_NONE: return "none";
    case ARMPROTO_FAULT_WATCHDOG: return "watchdog";
    case ARMPROTO_FAULT_NON_FINITE: return "non_finite";
    case ARMPROTO_FAULT_ESTOP: return "estop";
    case ARMPROTO_FAULT_SENSOR: return "sensor";
    case ARMPROTO_FAULT_ACTUATOR: return "actuator";
    case ARMPROTO_FAULT_ACTOR_OUTPUT: return "actor_output";
    default: return "unknown_fault";
    }
}

const char *armproto_msg_name(uint8_t type)
{
    switch (type) {
    case ARMPROTO_MSG_HELLO: return "HELLO";
    case ARMPROTO_MSG_ENABLE: return "ENABLE";
    case ARMPROTO_MSG_DISABLE: return "DISABLE";
    case ARMPROTO_MSG_TORQUE: return "TORQUE";
    case ARMPROTO_MSG_HEARTBEAT: return "HEARTBEAT";
    case ARMPROTO_MSG_ESTOP: return "ESTOP";
    case ARMPROTO_MSG_CLEAR_ESTOP: return "CLEAR_ESTOP";
    case ARMPROTO_MSG_RESET: return "RESET";
    case ARMPROTO_MSG_HOME: return "HOME";
    case ARMPROTO_MSG_GET_STATS: return "GET_STATS";
    case ARMPROTO_MSG_MOVE: return "MOVE";
    case ARMPROTO_MSG_GOAL: return "GOAL";
    case ARMPROTO_MSG_HELLO_REPLY: return "HELLO_REPLY";
    case ARMPROTO_MSG_ACK: return "ACK";
    case ARMPROTO_MSG_NAK: return "NAK";
    case ARMPROTO_MSG_STATE: return "STATE";
    case ARMPROTO_MSG_FAULT: return "FAULT";
    case ARMPROTO_MSG_STATS: return "STATS";
    default: return "UNKNOWN";
    }
}
