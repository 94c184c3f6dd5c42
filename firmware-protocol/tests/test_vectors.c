/* Checks every line of vectors/vectors.txt against the codec, both ways. */
#include <stdlib.h>
#include "harness.h"

static int parse_float(const char *s, float *out)
{
    char *end;
    if (strcmp(s, "nan") == 0) {
        uint32_t bits = 0x7FC00000u; /* the canonical quiet NaN the format names */
        memcpy(out, &bits, sizeof *out);
        return 1;
    }
    *out = strtof(s, &end);
    return *end == '\0';
}

static int parse_floats(char *s, float *out, int max)
{
    int n = 0;
    char *tok = s;
    while (tok != NULL && n < max) {
        char *slash = strchr(tok, '/');
        if (slash != NULL) *slash = '\0';
        if (!parse_float(tok, &out[n++])) return -1;
        tok = slash != NULL ? slash + 1 : NULL;
    }
    return tok == NULL ? n : -1;
}

/* FIELDS column ("seq=1,tau=1.5/-2") into a message of the given type. */
static int parse_fields(char *text, uint8_t type, armproto_msg *m)
{
    char *item = text;
    int saw_qd = 0;
    armproto_msg_init(m, type);
    while (item != NULL) {
        char *comma = strchr(item, ',');
        char *eq;
        unsigned long long v;
        if (comma != NULL) *comma = '\0';
        eq = strchr(item, '=');
        if (eq == NULL) return 0;
        *eq = '\0';
        v = strtoull(eq + 1, NULL, 0);
#define INT_FIELD(name, dst, T) else if (strcmp(item, name) == 0) dst = (T)v
        if (strcmp(item, "q") == 0) { if (parse_floats(eq + 1, m->q, ARMPROTO_MAX_JOINTS) < 0) return 0; }
        else if (strcmp(item, "qd") == 0) {
            if (parse_floats(eq + 1, m->qd, ARMPROTO_MAX_JOINTS) < 0) return 0;
            saw_qd = 1;
        }
        else if (strcmp(item, "tau") == 0) { if (parse_floats(eq + 1, m->tau, ARMPROTO_MAX_JOINTS) < 0) return 0; }
        else if (strcmp(item, "target") == 0) { /* MOVE's target travels in armproto_msg.q */
            if (parse_floats(eq + 1, m->q, ARMPROTO_MAX_JOINTS) < 0) return 0;
        }
        else if (strcmp(item, "kp") == 0) { if (parse_floats(eq + 1, m->kp, ARMPROTO_MAX_JOINTS) < 0) return 0; }
        else if (strcmp(item, "kd") == 0) { if (parse_floats(eq + 1, m->kd, ARMPROTO_MAX_JOINTS) < 0) return 0; }
        else if (strcmp(item, "max_velocity") == 0) { if (!parse_float(eq + 1, &m->max_velocity)) return 0; }
        else if (strcmp(item, "position_tolerance") == 0) {
            if (!parse_float(eq + 1, &m->position_tolerance)) return 0;
        }
        else if (strcmp(item, "velocity_tolerance") == 0) {
            if (!parse_float(eq + 1, &m->velocity_tolerance)) return 0;
        }
        else if (strcmp(item, "integral_time") == 0) {
            if (!parse_float(eq + 1, &m->integral_time)) return 0;
        }
        else if (strcmp(item, "goal") == 0) { if (parse_floats(eq + 1, m->goal, ARMPROTO_ACTOR_MAX_GOAL) < 0) return 0; }
        else if (strcmp(item, "torque_limit") == 0) {
            if (parse_floats(eq + 1, m->torque_limit, ARMPROTO_MAX_JOINTS) < 0) return 0;
        }
        INT_FIELD("seq", m->seq, uint32_t);
        INT_FIELD("goal_count", m->goal_count, uint8_t);
        INT_FIELD("applied_seq", m->applied_seq, uint32_t);
        INT_FIELD("time_us", m->time_us, uint64_t);
        INT_FIELD("status", m->status, uint32_t);
        INT_FIELD("result", m->result, uint8_t);
        INT_FIELD("fault", m->fault, uint8_t);
        INT_FIELD("fault_joint", m->fault_joint, uint8_t);
        INT_FIELD("fault_detail", m->fault_detail, uint32_t);
        INT_FIELD("joint_count", m->joint_count, uint8_t);
        INT_FIELD("request_type", m->request_type, uint8_t);
        INT_FIELD("version_major", m->version_major, uint8_t);
        INT_FIELD("version_minor", m->version_minor, uint8_t);
        INT_FIELD("firmware_id", m->firmware_id, uint32_t);
        INT_FIELD("firmware_version", m->firmware_version, uint32_t);
        INT_FIELD("watchdog_us", m->watchdog_us, uint32_t);
        INT_FIELD("max_frame", m->max_frame, uint16_t);
        INT_FIELD("capabilities", m->capabilities, uint32_t);
        INT_FIELD("rx_frames", m->stats.rx_frames, uint32_t);
        INT_FIELD("rx_crc_errors", m->stats.rx_crc_errors, uint32_t);
        INT_FIELD("rx_cobs_errors", m->stats.rx_cobs_errors, uint32_t);
        INT_FIELD("rx_overlong", m->stats.rx_overlong, uint32_t);
        INT_FIELD("rx_short", m->stats.rx_short, uint32_t);
        INT_FIELD("rx_unknown_type", m->stats.rx_unknown_type, uint32_t);
        INT_FIELD("rx_bad_length", m->stats.rx_bad_length, uint32_t);
        INT_FIELD("tx_frames", m->stats.tx_frames, uint32_t);
        INT_FIELD("watchdog_trips", m->stats.watchdog_trips, uint32_t);
        INT_FIELD("torque_rejected", m->stats.torque_rejected, uint32_t);
        else return 0;
#undef INT_FIELD
        item = comma != NULL ? comma + 1 : NULL;
    }
    /* In HOME lines a qd key means the velocities of protocol 1.1 are on the wire. */
    if (type == ARMPROTO_MSG_HOME && saw_qd) {
        m->has_qd = 1;
    }
    return 1;
}

/* Feeds a wire frame through a fresh receiver; returns its verdict. */
static int receiver_verdict(const uint8_t *frame, size_t n, armproto_msg *m)
{
    armproto_receiver rx;
    int result = ARMPROTO_RX_NEED_MORE, verdict = ARMPROTO_RX_NEED_MORE;
    armproto_receiver_init(&rx);
    while (n > 0) {
        size_t used = armproto_receiver_feed(&rx, frame, n, m, &result);
        frame += used;
        n -= used;
        if (result != ARMPROTO_RX_NEED_MORE && verdict == ARMPROTO_RX_NEED_MORE) {
            verdict = result;
        }
    }
    return verdict;
}

/* The same through a device's receiver: device-range types are unknown to it whatever their length. */
static int device_verdict(const uint8_t *frame, size_t n)
{
    armproto_receiver rx;
    armproto_msg m;
    int result = ARMPROTO_RX_NEED_MORE;
    size_t used = 0;
    armproto_receiver_init_device(&rx);
    while (used < n && result == ARMPROTO_RX_NEED_MORE) {
        used += armproto_receiver_feed(&rx, frame + used, n - used, &m, &result);
    }
    return result;
}

static const char *vectors_path;

int vector_frame(const char *name, uint8_t *out, size_t cap)
{
    static char line[8192];
    int found = -1;
    FILE *f = vectors_path != NULL ? fopen(vectors_path, "r") : NULL;
    if (f == NULL) return -1;
    while (found < 0 && fgets(line, sizeof line, f) != NULL) {
        char *kind = strtok(line, " \t\r\n");
        char *vname = strtok(NULL, " \t\r\n");
        char *frame;
        if (kind == NULL || vname == NULL || strcmp(kind, "msg") != 0 || strcmp(vname, name) != 0) continue;
        (void)strtok(NULL, " \t\r\n"); /* type */
        (void)strtok(NULL, " \t\r\n"); /* payload */
        frame = strtok(NULL, " \t\r\n");
        found = frame != NULL ? parse_hex(frame, out, cap) : -1;
    }
    fclose(f);
    return found;
}

void test_vectors(const char *path)
{
    static char line[8192];
    static uint8_t a[1024], b[1024], c[1024];
    FILE *f = fopen(path, "r");
    int counts[5] = {0, 0, 0, 0, 0};
    int lineno = 0;
    const int msg_types_expected = 18;
    int seen_type[256];

    memset(seen_type, 0, sizeof seen_type);
    vectors_path = path;
    CHECK(f != NULL);
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *col[7];
        int ncol = 0;
        char *tok = strtok(line, " \t\r\n");
        lineno++;
        while (tok != NULL && ncol < 7) {
            col[ncol++] = tok;
            tok = strtok(NULL, " \t\r\n");
        }
        if (ncol == 0 || col[0][0] == '#') continue;

        if (strcmp(col[0], "crc") == 0 && ncol == 4) {
            int n = parse_hex(col[2], a, sizeof a);
            CHECK(n >= 0);
            CHECK_EQ(armproto_crc16(a, (size_t)n), strtoul(col[3], NULL, 16));
            counts[0]++;
        } else if (strcmp(col[0], "cobs") == 0 && ncol == 4) {
            int dn = parse_hex(col[2], a, sizeof a);
            int en = parse_hex(col[3], b, sizeof b);
            int n;
            CHECK(dn >= 0 && en > 0);
            n = armproto_cobs_encode(a, (size_t)dn, c, sizeof c);
            CHECK_BYTES(c, n, b, en);
            n = armproto_cobs_decode(b, (size_t)en, c, sizeof c);
            CHECK_BYTES(c, n, a, dn);
            counts[1]++;
        } else if (strcmp(col[0], "msg") == 0 && ncol == 6) {
            uint8_t type = (uint8_t)strtoul(col[2], NULL, 16);
            int pn = parse_hex(col[3], a, sizeof a);
            int fn = parse_hex(col[4], b, sizeof b);
            armproto_msg want, got;
            int n, ok = parse_fields(col[5], type, &want);
            CHECK(ok);
            if (!ok) fprintf(stderr, "    %s:%d fields\n", path, lineno);
            n = armproto_pack_payload(&want, c, sizeof c);
            CHECK_BYTES(c, n, a, pn);
            n = armproto_encode_msg(&want, c, sizeof c);
            CHECK_BYTES(c, n, b, fn);
            CHECK(fn <= ARMPROTO_MAX_FRAME && b[fn - 1] == 0x00);
            CHECK_EQ(armproto_decode_msg(b, (size_t)fn, &got), 0);
            CHECK(msg_equal(&got, &want));
            CHECK_EQ(receiver_verdict(b, (size_t)fn, &got), ARMPROTO_RX_MESSAGE);
            CHECK(msg_equal(&got, &want));
            seen_type[type] = 1;
            counts[2]++;
        } else if (strcmp(col[0], "bad") == 0 && ncol == 4) {
            int n = parse_hex(col[2], a, sizeof a);
            armproto_msg got;
            int err = armproto_decode_msg(a, (size_t)n, &got);
            CHECK(strcmp(armproto_err_name(err), col[3]) == 0);
            if (strcmp(armproto_err_name(err), col[3]) != 0) {
                fprintf(stderr, "    %s:%d %s: got %s\n", path, lineno, col[1], armproto_err_name(err));
            }
            CHECK(strcmp(armproto_err_name(receiver_verdict(a, (size_t)n, &got)), col[3]) == 0);
            counts[3]++;
        } else if (strcmp(col[0], "device") == 0 && ncol == 4) {
            int n = parse_hex(col[2], a, sizeof a);
            int verdict = device_verdict(a, (size_t)n);
            const char *got = verdict == ARMPROTO_RX_MESSAGE ? "ok" : armproto_err_name(verdict);
            CHECK(strcmp(got, col[3]) == 0);
            if (strcmp(got, col[3]) != 0) fprintf(stderr, "    %s:%d %s: got %s\n", path, lineno, col[1], got);
            counts[4]++;
        } else {
            CHECK(0);
            fprintf(stderr, "    %s:%d: malformed vector line\n", path, lineno);
        }
    }
    fclose(f);
    CHECK(counts[0] >= 1 && counts[1] >= 10 && counts[2] >= 16 && counts[3] >= 8 && counts[4] >= 4);
    {
        int t, seen = 0;
        for (t = 0; t < 256; t++) seen += seen_type[t];
        CHECK_EQ(seen, msg_types_expected); /* a vector for every message type */
    }
}
