#include <stdlib.h>
#include "harness.h"

int test_passed;
int test_failed;

void test_check(int ok, const char *file, int line, const char *what)
{
    if (ok) {
        test_passed++;
    } else {
        test_failed++;
        fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
    }
}

int same_float(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

int msg_equal(const armproto_msg *a, const armproto_msg *b)
{
    int j;
    if (a->type != b->type || a->result != b->result || a->joint_count != b->joint_count ||
        a->request_type != b->request_type || a->version_major != b->version_major ||
        a->version_minor != b->version_minor || a->fault != b->fault ||
        a->fault_joint != b->fault_joint || a->max_frame != b->max_frame || a->has_qd != b->has_qd ||
        a->seq != b->seq ||
        a->applied_seq != b->applied_seq || a->status != b->status ||
        a->firmware_id != b->firmware_id || a->firmware_version != b->firmware_version ||
        a->watchdog_us != b->watchdog_us || a->fault_detail != b->fault_detail ||
        a->time_us != b->time_us || memcmp(&a->stats, &b->stats, sizeof a->stats) != 0 ||
        a->capabilities != b->capabilities || !same_float(a->max_velocity, b->max_velocity) ||
        !same_float(a->position_tolerance, b->position_tolerance) ||
        !same_float(a->velocity_tolerance, b->velocity_tolerance) ||
        !same_float(a->integral_time, b->integral_time) || a->goal_count != b->goal_count) {
        return 0;
    }
    for (j = 0; j < ARMPROTO_ACTOR_MAX_GOAL; j++) {
        if (!same_float(a->goal[j], b->goal[j])) {
            return 0;
        }
    }
    for (j = 0; j < ARMPROTO_MAX_JOINTS; j++) {
        if (!same_float(a->q[j], b->q[j]) || !same_float(a->qd[j], b->qd[j]) ||
            !same_float(a->tau[j], b->tau[j]) || !same_float(a->torque_limit[j], b->torque_limit[j]) ||
            !same_float(a->kp[j], b->kp[j]) || !same_float(a->kd[j], b->kd[j])) {
            return 0;
        }
    }
    return 1;
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int parse_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    if (strcmp(hex, "-") == 0) {
        return 0;
    }
    while (hex[0] != '\0') {
        int hi = nibble(hex[0]);
        int lo = hex[1] != '\0' ? nibble(hex[1]) : -1;
        if (hi < 0 || lo < 0 || n >= cap) {
            return -1;
        }
        out[n++] = (uint8_t)(hi * 16 + lo);
        hex += 2;
    }
    return (int)n;
}

int main(int argc, char **argv)
{
    const char *vectors = argc > 1 ? argv[1] : "vectors/vectors.txt";
    test_codec();
    test_vectors(vectors);
    test_receiver();
    test_device();
    test_clock();
    test_actor();
    test_device_actor();
    test_joint_plant();
    printf("%d passed, %d failed\n", test_passed, test_failed);
    return test_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
