/*
 * board_netduinoplus2_config.h - the build-time settings of the STM32F405 board port
 * (board_netduinoplus2.c), included by board.h through BOARD_CONFIG_HEADER so that main.c, the
 * stubs and the board agree on them. The robot's numbers come from armature_robot.h, which
 * `armature export-firmware` writes from a robot description.
 */
#ifndef ARMATURE_BOARD_NETDUINOPLUS2_CONFIG_H
#define ARMATURE_BOARD_NETDUINOPLUS2_CONFIG_H

#include "armature_robot.h"

#define BOARD_JOINTS ARMATURE_JOINTS
#define BOARD_WATCHDOG_US ARMATURE_WATCHDOG_US
/* The core clock board_init sets up (HSI 16 MHz through the PLL), and the one QEMU's
 * netduinoplus2 runs at whatever the firmware does. */
#define BOARD_CPU_HZ 168000000u
/* USART1 sits on APB2, which board_init divides to the 84 MHz maximum. */
#define BOARD_APB2_HZ 84000000u
#define BOARD_FIRMWARE_ID 0x514D5241u /* "ARMQ" little-endian: this port, emulated plant */

#endif
