/*
 * Minimal Cortex-M4F startup: vector table, .data/.bss initialisation, FPU
 * enable, then main(). Symbols come from cortex-m4.ld.
 */
#include <stdint.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;

int main(void);
void Reset_Handler(void);
void Default_Handler(void);

/* Core exceptions; any can be overridden by a strong definition. */
void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void MemManage_Handler(void) __attribute__((weak, alias("Default_Handler")));
void BusFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void); /* board_stubs.c */

/* PORT: device interrupts (UART RX etc.) follow the 16 core entries; add
 * the vendor's IRQ handlers here in the order of its reference manual.
 * The table has the STM32F405/407's 82 device interrupts. */
#define DEVICE_IRQS 82

/* STM32F4 USART1 global interrupt (position 37 in RM0090's vector table). A board that takes its UART
 * input by interrupt defines it (board_netduinoplus2.c); elsewhere it is the hanging default. */
#define USART1_IRQ 37
void USART1_IRQHandler(void) __attribute__((weak, alias("Default_Handler")));

typedef void (*handler_t)(void);

typedef struct vector_table {
    uint32_t *initial_sp;
    handler_t core[15];
    handler_t irq[DEVICE_IRQS];
} vector_table;

__attribute__((section(".isr_vector"), used))
const vector_table vectors = {
    &_estack,
    {
        Reset_Handler, NMI_Handler, HardFault_Handler, MemManage_Handler,
        BusFault_Handler, UsageFault_Handler, 0, 0, 0, 0,
        SVC_Handler, DebugMon_Handler, 0, PendSV_Handler, SysTick_Handler,
    },
    { [USART1_IRQ] = USART1_IRQHandler },
};

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

void Reset_Handler(void)
{
    uint32_t *src = &_sidata;
    uint32_t *dst;

    /* Full access to CP10/CP11 before any floating-point instruction. */
    SCB_CPACR |= (0xFu << 20);
    __asm__ volatile("dsb\n\tisb" ::: "memory");

    for (dst = &_sdata; dst < &_edata;) {
        *dst++ = *src++;
    }
    for (dst = &_sbss; dst < &_ebss;) {
        *dst++ = 0u;
    }
    (void)main();
    for (;;) {
    }
}

void Default_Handler(void)
{
    /* Unexpected interrupt or fault: hang. Motors hold their last setpoint
     * only if the drive has no watchdog of its own - a port should make the
     * drives time out too (defence in depth). */
    for (;;) {
    }
}
