/*
 * test_clock.c - the firmware's SysTick microsecond clock (mcu/systick_clock.h) against a
 * simulated SysTick: a 168 MHz core whose counter reloads every millisecond and whose interrupt
 * handler counts the millisecond some cycles later (at once, after a few cycles, or after a long
 * stretch with interrupts masked). Every reading must be monotonic and within a microsecond of
 * the true time; the reading without the pending flag must be caught going back, so that the
 * simulation is known to reach the window the fix is for.
 */
#include "harness.h"
#include "../mcu/systick_clock.h"

#define SIM_RELOAD (168000u - 1u) /* 168 MHz, 1 kHz */
#define SIM_CYCLES_PER_US 168u

/* The handler-counted milliseconds at cycle t: the reload k happens at k * (reload + 1) and its
 * handler runs `delay` cycles later. */
static uint64_t sim_counted(uint64_t t, uint64_t delay)
{
    return t < delay ? 0u : (t - delay) / (SIM_RELOAD + 1u);
}

static uint32_t sim_counter(uint64_t t)
{
    return SIM_RELOAD - (uint32_t)(t % (SIM_RELOAD + 1u));
}

static int sim_pending(uint64_t t, uint64_t delay)
{
    return t / (SIM_RELOAD + 1u) > sim_counted(t, delay);
}

/* board_micros's reads, one register per cycle from cycle *t; *t is left after the last read.
 * `use_pending` 0 is the clock before the fix (the counted milliseconds and the counter only). */
static uint64_t sim_read(uint64_t *t, uint64_t delay, int use_pending)
{
    uint64_t ms, again_ms;
    uint32_t counter, counter_again;
    int pending;
    do {
        ms = sim_counted((*t)++, delay);
        counter = sim_counter((*t)++);
        pending = sim_pending((*t)++, delay);
        counter_again = sim_counter((*t)++);
        again_ms = sim_counted((*t)++, delay);
    } while (again_ms != ms);
    return systick_clock_micros(ms, counter, use_pending ? pending : 0, counter_again, SIM_RELOAD, SIM_CYCLES_PER_US);
}

void test_clock(void)
{
    /* Handler latencies in cycles: at once, interrupt entry, a short critical section, 0.6 ms masked. */
    static const uint64_t delays[] = {0u, 12u, 700u, 100000u};
    size_t d;
    for (d = 0; d < sizeof delays / sizeof delays[0]; d++) {
        uint64_t delay = delays[d];
        uint64_t t = 0;
        uint64_t previous = 0;
        uint64_t previous_old = 0;
        int monotonic = 1, accurate = 1, old_went_back = 0;
        /* Three milliseconds, starting a read at every cycle offset through each reload. */
        uint64_t start;
        for (start = 0; start < 3u * (SIM_RELOAD + 1u); start += 7u) {
            uint64_t begin = start, end;
            uint64_t now;
            t = start;
            now = sim_read(&t, delay, 1);
            end = t;
            if (now < previous) monotonic = 0;
            if (now + 1u < begin / SIM_CYCLES_PER_US || now > end / SIM_CYCLES_PER_US + 1u) accurate = 0;
            previous = now;
            t = start;
            now = sim_read(&t, delay, 0);
            if (now < previous_old) old_went_back = 1;
            previous_old = now;
        }
        CHECK(monotonic);
        CHECK(accurate);
        /* Without the flag the reading steps back whenever a read falls between a reload and its
         * handler: the window is `delay` cycles, so only a handler that runs at once is safe. */
        CHECK(old_went_back == (delay > 4u));
    }
}
