/*
 * systick_clock.h - the microsecond clock from SysTick, as one pure function.
 *
 * SysTick counts down from its reload value to 0 once a millisecond, reloads, and raises its
 * interrupt, whose handler counts the millisecond. Between the reload and the handler (a few
 * cycles, or as long as interrupts are masked) the counter has started the next millisecond but
 * the count has not: a reading that trusts the count then steps back almost 1 ms, and a watchdog
 * computing now - last_feed on 64 bits sees ~2^64 and trips at once. The pending flag tells the
 * reader: read the counter, then the flag, then the counter again; if the flag is set, the
 * millisecond the handler has not counted yet is added and the second reading (taken after the
 * reload, since the flag was already set) is the one used. A second reload missed as well would
 * take interrupts masked for over a millisecond, which the firmware never does.
 *
 * Kept free of registers so the host-side tests can drive it with a simulated SysTick.
 */
#ifndef ARMATURE_SYSTICK_CLOCK_H
#define ARMATURE_SYSTICK_CLOCK_H

#include <stdint.h>

/* ms: milliseconds counted by the handler; counter: SysTick's current value read first;
 * pending: the SysTick interrupt's pending flag read next; counter_again: the current value read
 * after the flag; reload: the reload value (cycles per millisecond - 1); cycles_per_us: clock
 * cycles per microsecond. */
static inline uint64_t systick_clock_micros(uint64_t ms, uint32_t counter, int pending, uint32_t counter_again,
                                            uint32_t reload, uint32_t cycles_per_us)
{
    if (pending) {
        ms += 1u;
        counter = counter_again;
    }
    return ms * 1000u + (uint64_t)((reload - counter) / cycles_per_us);
}

#endif
