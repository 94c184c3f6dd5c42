/* Which row cuts of the DDPG update's matrix products are exact on the OpenBLAS kernel family this
 * process runs (set OPENBLAS_CORETYPE to pick one): a product on rows 0..<c and c..<B is compared
 * bit for bit with the same product on all B rows, for every c. Used for BENCHMARKS.md (issue 9).
 *
 *   cc -O2 bench/openblas_row_cuts.c -o /tmp/row_cuts $(pkg-config --cflags --libs openblas)
 *   OPENBLAS_CORETYPE=Haswell /tmp/row_cuts forward 256 256 256      # B=256 rows, 256 in, 256 out
 *   OPENBLAS_CORETYPE=Haswell /tmp/row_cuts input-gradient 256 256 12
 *
 * forward:        y[B, out] = x[B, in]·Wᵀ on y holding the bias (beta 1), as Dense.forward
 * input-gradient: dx[B, in] = dy[B, out]·W (beta 0), as Dense.inputGradient
 * Prints the kernel family, the shape, and the smallest p whose every multiple is an exact cut
 * (0 when some multiple of every p ≤ 48 is inexact), then the inexact cuts. */
#include <cblas.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float uniform(uint32_t *state) {
    *state = *state * 1664525u + 1013904223u;
    return (float)(*state >> 8) / 8388608.0f - 1.0f;
}

static void product(int forward, int rows, int in, int out, const float *x, const float *w, float *y) {
    if (forward)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, out, in, 1, x, in, w, in, 1, y, out);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, in, out, 1, x, out, w, in, 0, y, in);
}

int main(int argc, char **argv) {
    if (argc != 5 || (strcmp(argv[1], "forward") && strcmp(argv[1], "input-gradient"))) {
        fprintf(stderr, "usage: %s forward|input-gradient ROWS IN OUT\n", argv[0]);
        return 2;
    }
    int forward = !strcmp(argv[1], "forward");
    int rows = atoi(argv[2]), in = atoi(argv[3]), out = atoi(argv[4]);
    int operandWidth = forward ? in : out, resultWidth = forward ? out : in;
    size_t operandCount = (size_t)rows * operandWidth, resultCount = (size_t)rows * resultWidth;
    float *x = malloc(4 * operandCount), *w = malloc(4 * (size_t)in * out);
    float *start = malloc(4 * resultCount), *whole = malloc(4 * resultCount), *parts = malloc(4 * resultCount);
    char *exact = calloc(rows + 1, 1);
    uint32_t state = 12345;
    for (size_t i = 0; i < operandCount; i++) x[i] = uniform(&state);
    for (size_t i = 0; i < (size_t)in * out; i++) w[i] = uniform(&state);
    for (size_t i = 0; i < resultCount; i++) start[i] = 0.1f * uniform(&state);
    openblas_set_num_threads(1);

    memcpy(whole, start, 4 * resultCount);
    product(forward, rows, in, out, x, w, whole);
    for (int c = 1; c < rows; c++) {
        memcpy(parts, start, 4 * resultCount);
        product(forward, c, in, out, x, w, parts);
        product(forward, rows - c, in, out, x + (size_t)c * operandWidth, w, parts + (size_t)c * resultWidth);
        exact[c] = memcmp(whole, parts, 4 * resultCount) == 0;
    }
    int period = 0;
    for (int p = 1; p <= 48 && !period; p++) {
        int all = 1;
        for (int c = p; c < rows; c += p) all &= exact[c];
        if (all) period = p;
    }
    printf("%-11s %-14s rows %4d in %4d out %4d: exact at every multiple of %2d; inexact:", openblas_get_corename(), argv[1],
           rows, in, out, period);
    int shown = 0;
    for (int c = 1; c < rows && shown < 24; c++)
        if (!exact[c]) { printf(" %d", c); shown++; }
    printf(shown == 24 ? " …\n" : shown ? "\n" : " none\n");
    return 0;
}
