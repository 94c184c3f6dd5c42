/*
 * board_stubs.c - weak placeholder implementations of board.h.
 *
 * PORTING SURFACE: every function here is weak. Override them in a board
 * file of your own; until then the firmware links and runs the protocol, but
 * moves nothing: torques go nowhere, encoders read zero, UART is silent.
 *
 * The microsecond clock and the RX ring are real, generic Cortex-M code
 * (SysTick at 1 kHz plus the counter's sub-millisecond part) that most ports
 * can keep.
 */
#include "board.h"
#include "systick_clock.h"

#define WEAK __attribute__((weak))

/* ---- SysTick microsecond clock ---- */

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)
#define ICSR_PENDSTSET (1u << 26) /* SysTick interrupt pending */

static volatile uint32_t systick_ms_lo;
static volatile uint32_t systick_ms_hi;

void board_systick_tick(void)
{
    uint32_t lo = systick_ms_lo + 1u;
    systick_ms_lo = lo;
    if (lo == 0u) {
        systick_ms_hi = systick_ms_hi + 1u;
    }
}

WEAK void SysTick_Handler(void)
{
    board_systick_tick();
}

static void systick_start(void)
{
    SYST_RVR = BOARD_CPU_HZ / 1000u - 1u;
    SYST_CVR = 0u;
    SYST_CSR = 0x7u; /* processor clock, interrupt, enable */
}

WEAK uint64_t board_micros(void)
{
    uint32_t hi, lo, counter, counter_again;
    int pending;
    /* Re-read until no tick was counted in between, so the count and the counter agree; the
     * pending flag covers a reload the handler has not counted yet (systick_clock.h). */
    do {
        hi = systick_ms_hi;
        lo = systick_ms_lo;
        counter = SYST_CVR;
        pending = (SCB_ICSR & ICSR_PENDSTSET) != 0u;
        counter_again = SYST_CVR;
    } while (lo != systick_ms_lo || hi != systick_ms_hi);
    return systick_clock_micros(((uint64_t)hi << 32) | lo, counter, pending, counter_again, SYST_RVR,
                                BOARD_CPU_HZ / 1000000u);
}

/* ---- UART RX ring: single producer (ISR), single consumer (main loop) ---- */

#define RX_RING_SIZE 512u /* power of two */
static uint8_t rx_ring[RX_RING_SIZE];
static volatile uint32_t rx_head; /* written by the ISR only */
static volatile uint32_t rx_tail; /* written by the main loop only */

#define COMPILER_BARRIER() __asm__ volatile("" ::: "memory")

WEAK void board_uart_rx_isr_byte(uint8_t byte)
{
    uint32_t head = rx_head;
    if (head - rx_tail < RX_RING_SIZE) {
        rx_ring[head & (RX_RING_SIZE - 1u)] = byte;
        COMPILER_BARRIER(); /* data before index */
        rx_head = head + 1u;
    }
    /* On overflow the byte is dropped; the protocol's CRC and resync cope. */
}

WEAK size_t board_uart_read(uint8_t *buf, size_t cap)
{
    uint32_t tail = rx_tail;
    uint32_t head = rx_head;
    size_t n = 0;
    COMPILER_BARRIER(); /* index before data */
    while (tail != head && n < cap) {
        buf[n++] = rx_ring[tail & (RX_RING_SIZE - 1u)];
        tail++;
    }
    rx_tail = tail;
    return n;
}

WEAK void board_idle(void)
{
    /* Interrupts masked across the check and the WFI: a byte that arrives in between leaves its
     * interrupt pending, which ends the WFI at once (and runs once they are unmasked), instead of
     * sleeping on it until the next SysTick. Sleeping also matters on an emulator: a core that
     * spins on the clock registers keeps QEMU's I/O thread from delivering the next byte. */
    __asm__ volatile("cpsid i" ::: "memory");
    if (rx_head == rx_tail) {
        __asm__ volatile("dsb\n\twfi" ::: "memory");
    }
    __asm__ volatile("cpsie i" ::: "memory");
}

/* ---- Placeholders: replace with the real hardware ---- */

WEAK void board_init(void)
{
    /* PORT: clocks, GPIO, UART (e.g. 1 Mbaud 8N1 with RX interrupt calling
     * board_uart_rx_isr_byte), motor PWM/current loops, encoder timers. */
    systick_start();
}

WEAK void board_uart_write(const uint8_t *bytes, size_t n)
{
    /* PORT: push to the UART TX FIFO or DMA. */
    (void)bytes;
    (void)n;
}

WEAK int board_motor_set_torque(const float *tau, uint8_t n)
{
    /* PORT: torque -> current (divide by Kt and gear ratio) -> driver setpoint. */
    (void)tau;
    (void)n;
    return 0;
}

WEAK int board_joint_read(float *q, float *qd, float *tau, uint8_t n)
{
    /* PORT: encoder counts -> rad, filtered velocity, current sense -> N*m. */
    uint8_t j;
    for (j = 0; j < n; j++) {
        q[j] = 0.0f;
        qd[j] = 0.0f;
        tau[j] = 0.0f;
    }
    return 0;
}

WEAK int board_estop_pressed(void)
{
    /* PORT: read the (normally closed) e-stop loop; nonzero when open. */
    return 0;
}

WEAK int board_home(const float *q, uint8_t n)
{
    /* PORT: store encoder offsets so that the current pose reads q. */
    (void)q;
    (void)n;
    return -1; /* unsupported until ported */
}

WEAK float board_torque_limit(uint8_t joint)
{
    /* PORT: the drive's peak torque per joint. */
    (void)joint;
    return 1.0f;
}

WEAK void board_position_range(uint8_t joint, float *low, float *high)
{
    /* PORT: the joint's mechanical stops (what HOME may claim the arm is at). */
    (void)joint;
    *low = -3.14159265f;
    *high = 3.14159265f;
}
