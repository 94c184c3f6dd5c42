/* A tiny assert harness: checks count and continue; main prints the tally. */
#ifndef ARMPROTO_TEST_HARNESS_H
#define ARMPROTO_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>
#include "armproto.h"

extern int test_passed;
extern int test_failed;

void test_check(int ok, const char *file, int line, const char *what);

#define CHECK(cond) test_check((cond) ? 1 : 0, __FILE__, __LINE__, #cond)
#define CHECK_EQ(a, b) do { \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
        test_check(check_a_ == check_b_, __FILE__, __LINE__, #a " == " #b); \
        if (check_a_ != check_b_) fprintf(stderr, "    %lld != %lld\n", check_a_, check_b_); \
    } while (0)
#define CHECK_BYTES(got, got_len, want, want_len) \
    test_check((size_t)(got_len) == (size_t)(want_len) && memcmp((got), (want), (size_t)(want_len)) == 0, \
               __FILE__, __LINE__, "bytes " #got " == " #want)

/* Float equality by bit pattern (distinguishes -0, matches NaN payloads). */
int same_float(float a, float b);
/* Field-by-field equality of two messages (floats by bit pattern). */
int msg_equal(const armproto_msg *a, const armproto_msg *b);
/* Hex string to bytes ("-" is empty). Returns length or -1. */
int parse_hex(const char *hex, uint8_t *out, size_t cap);

/* The wire frame of the `msg` vector called name (test_vectors must have run). Length or -1. */
int vector_frame(const char *name, uint8_t *out, size_t cap);

void test_codec(void);
void test_vectors(const char *path);
void test_receiver(void);
void test_device(void);
void test_clock(void);
void test_actor(void);
void test_device_actor(void);
void test_joint_plant(void);

#endif
