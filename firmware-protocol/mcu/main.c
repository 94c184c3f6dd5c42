/*
 * Reference firmware main loop: bytes in -> armproto device -> bytes out,
 * with the watchdog polled at 1 kHz. All hardware access goes through
 * board.h; the protocol logic is the portable library in ../src.
 */
#include "armproto.h"
#include "board.h"

#ifdef ARMATURE_ACTOR_HEADER
/* The actor `armature export-firmware --policy` wrote (make firmware ACTOR=path/armature_actor.h):
 * GOAL then runs it on the device (PROTOCOL.md 8.7). Without it GOAL is refused NO_ACTOR. */
#include ARMATURE_ACTOR_HEADER
#ifndef ARMATURE_ACTOR
#define ARMATURE_ACTOR armature_actor
#endif
#endif

#define POLL_PERIOD_US 1000u

/* Firmware state lives in .bss; the library itself keeps none. */
static armproto_device device;

static uint64_t fw_now(void *ctx)
{
    (void)ctx;
    return board_micros();
}

static int fw_set_torques(void *ctx, const float *tau, uint8_t n)
{
    (void)ctx;
    return board_motor_set_torque(tau, n);
}

static int fw_read_joints(void *ctx, float *q, float *qd, float *tau, uint8_t n)
{
    (void)ctx;
    return board_joint_read(q, qd, tau, n);
}

static void fw_write(void *ctx, const uint8_t *bytes, size_t n)
{
    (void)ctx;
    board_uart_write(bytes, n);
}

static int fw_estop(void *ctx)
{
    (void)ctx;
    return board_estop_pressed();
}

static int fw_home(void *ctx, const float *q, uint8_t n)
{
    (void)ctx;
    return board_home(q, n);
}

int main(void)
{
    armproto_board board;
    armproto_device_config cfg;
    uint64_t last_poll;
    uint8_t j;

    board_init();

    board.ctx = 0;
    board.now_us = fw_now;
    board.set_torques = fw_set_torques;
    board.read_joints = fw_read_joints;
    board.write = fw_write;
    board.estop_input = fw_estop;
    board.home = fw_home;
    board.home_velocity = 0; /* a real arm cannot be placed at a velocity: HOME ignores qd (1.1) */
    board.watchdog_now_us = 0; /* fw_now is real time: the watchdog runs on it (PROTOCOL.md 8.2) */

    armproto_device_config_default(&cfg, BOARD_JOINTS);
    cfg.watchdog_us = BOARD_WATCHDOG_US;
    cfg.firmware_id = BOARD_FIRMWARE_ID;
    cfg.firmware_version = BOARD_FIRMWARE_VERSION;
    for (j = 0; j < BOARD_JOINTS; j++) {
        float low, high;
        (void)armproto_device_config_set_limit(&cfg, j, board_torque_limit(j));
        board_position_range(j, &low, &high);
        (void)armproto_device_config_set_range(&cfg, j, low, high);
    }
    if (armproto_device_init(&device, &board, &cfg) != 0) {
        for (;;) {
            /* Misconfigured build: stay here with the motors at zero. */
        }
    }
#ifdef ARMATURE_ACTOR_HEADER
    /* An actor the kernel refuses (a header for another joint count) leaves the device without
     * one: GOAL is refused NO_ACTOR and HELLO_REPLY does not report the capability. */
    (void)armproto_device_set_actor(&device, &ARMATURE_ACTOR);
#endif

    /* The poll runs on a grid of whole milliseconds, the SysTick's, so that the pass each tick
     * wakes always finds its grid point passed. Timed from each pass (last_poll = now), a wake-up
     * a few microseconds sooner after its tick than the one before would find less than the
     * period elapsed and wait a whole tick more: the watchdog would be checked 2 ms apart
     * (PROTOCOL.md 8.2 asks for every millisecond). */
    last_poll = board_micros();
    last_poll -= (uint32_t)last_poll % POLL_PERIOD_US; /* 2^32 is no multiple of 1000: fine just after boot */
    for (;;) {
        uint8_t rx[64];
        size_t n = board_uart_read(rx, sizeof rx);
        uint64_t now;
        if (n > 0) {
            armproto_device_receive(&device, rx, n);
        } else {
            board_idle(); /* until the next byte or SysTick: the poll below keeps its 1 kHz */
        }
        now = board_micros();
        if (now - last_poll >= POLL_PERIOD_US) {
            uint64_t late = now - last_poll;
            /* 32-bit arithmetic: the pass comes every millisecond or so (and a 64-bit remainder
             * would pull in a library division). */
            last_poll = late > 0xFFFFFFFFu ? now : now - (uint32_t)late % POLL_PERIOD_US;
            armproto_device_poll(&device);
        }
    }
}
