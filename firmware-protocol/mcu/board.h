/*
 * board.h - THE PORTING SURFACE of the reference firmware.
 *
 * Every function below has a weak default in board_stubs.c that compiles and
 * links but drives no hardware. A port defines the same functions (strong
 * symbols) in its own file, e.g. board_mylab_arm.c, and the linker picks
 * them over the stubs. Nothing else in mcu/ needs to change.
 */
#ifndef ARMATURE_BOARD_H
#define ARMATURE_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* A port's settings (joint count, clock, watchdog...) in one header that every file of the
 * firmware sees: build with -DBOARD_CONFIG_HEADER='"my_board_config.h"'. The defaults below
 * apply to whatever it leaves undefined. */
#ifdef BOARD_CONFIG_HEADER
#include BOARD_CONFIG_HEADER
#endif

/* Number of joints this board drives (1..ARMPROTO_MAX_JOINTS). */
#ifndef BOARD_JOINTS
#define BOARD_JOINTS 2
#endif

/* Vendor identification reported in HELLO_REPLY. */
#ifndef BOARD_FIRMWARE_ID
#define BOARD_FIRMWARE_ID 0x314D5241u /* "ARM1" little-endian */
#endif
#ifndef BOARD_FIRMWARE_VERSION
#define BOARD_FIRMWARE_VERSION 0x00010000u /* 1.0.0 */
#endif

/* Torque-stream watchdog period. */
#ifndef BOARD_WATCHDOG_US
#define BOARD_WATCHDOG_US 100000u
#endif

/* Core clock after board_init (the stub assumes the 16 MHz reset clock). */
#ifndef BOARD_CPU_HZ
#define BOARD_CPU_HZ 16000000u
#endif

/** Clocks, pins, UART, motor drivers, encoders, the microsecond timer. */
void board_init(void);

/** Non-blocking: copies up to cap received UART bytes into buf, returns the count. */
size_t board_uart_read(uint8_t *buf, size_t cap);

/** Queues bytes for UART transmission (may block until queued). */
void board_uart_write(const uint8_t *bytes, size_t n);

/** Commands n joint torques in N*m (already clamped by the protocol layer). 0 on success. */
int board_motor_set_torque(const float *tau, uint8_t n);

/** Samples joint positions (rad), velocities (rad/s), measured torques (N*m). 0 on success. */
int board_joint_read(float *q, float *qd, float *tau, uint8_t n);

/** Monotonic microseconds since boot; must not wrap in practice (64 bits). */
uint64_t board_micros(void);
/* The millisecond count behind board_micros (board_stubs.c, with the SysTick set-up and the
 * pending-reload check): a board with its own SysTick_Handler calls it first. */
void board_systick_tick(void);

/** Nonzero while the hardware emergency-stop input is asserted. */
int board_estop_pressed(void);

/** Re-zeroes the encoders so that the current pose reads q. 0 on success, nonzero if unsupported. */
int board_home(const float *q, uint8_t n);

/** Peak torque the drive for `joint` may deliver, N*m (> 0). */
float board_torque_limit(uint8_t joint);

/** The joint's mechanical range, rad (low <= high; -inf/+inf for a continuous joint): HOME outside it is refused. */
void board_position_range(uint8_t joint, float *low, float *high);

/** Called from the UART receive interrupt for each byte (feeds the RX ring). */
void board_uart_rx_isr_byte(uint8_t byte);

/**
 * Called by the main loop when a pass found no received bytes: may sleep until the next interrupt
 * (the UART's receive interrupt or the 1 kHz SysTick), never longer. The stub sleeps (WFI) when
 * the RX ring is empty; a port with other work to poll overrides it.
 */
void board_idle(void);

#endif /* ARMATURE_BOARD_H */
