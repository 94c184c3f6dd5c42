/*
 * fwprobe: looks at a device from the outside, through the reference codec.
 *
 *   fwprobe decode FILE    prints every frame of a captured byte stream, one line each (what a
 *                          device sent, e.g. a QEMU chardev's logfile, FAULTs sent while no host
 *                          listened included)
 *   fwprobe query PORT     HELLO (again until answered, 3 s), HEARTBEAT and GET_STATS on a serial
 *                          port or pty; prints the replies; exit 0 when all three were answered
 *
 * Lines look like `FAULT seq=41 code=watchdog joint=255 time_us=5123456 status=0x24 detail=100412`
 * so that a script can pick fields with grep/sed. POSIX host tool; not part of the firmware.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "armproto.h"

static void print_msg(const armproto_msg *m)
{
    printf("%s seq=%lu", armproto_msg_name(m->type), (unsigned long)m->seq);
    switch (m->type) {
    case ARMPROTO_MSG_HELLO_REPLY:
        printf(" result=%s version=%u.%u joints=%u watchdog_us=%lu firmware_id=0x%08lx capabilities=0x%lx",
               armproto_result_name(m->result), m->version_major, m->version_minor, m->joint_count,
               (unsigned long)m->watchdog_us, (unsigned long)m->firmware_id, (unsigned long)m->capabilities);
        break;
    case ARMPROTO_MSG_STATE: {
        uint8_t j;
        printf(" result=%s fault=%s status=0x%lx time_us=%llu applied_seq=%lu tau=", armproto_result_name(m->result),
               armproto_fault_name(m->fault), (unsigned long)m->status, (unsigned long long)m->time_us,
               (unsigned long)m->applied_seq);
        for (j = 0; j < m->joint_count; j++) {
            printf("%s%g", j == 0 ? "" : ",", (double)m->tau[j]);
        }
        break;
    }
    case ARMPROTO_MSG_FAULT:
        printf(" code=%s joint=%u time_us=%llu status=0x%lx detail=%lu", armproto_fault_name(m->fault), m->fault_joint,
               (unsigned long long)m->time_us, (unsigned long)m->status, (unsigned long)m->fault_detail);
        break;
    case ARMPROTO_MSG_STATS:
        printf(" rx_frames=%lu rx_crc_errors=%lu tx_frames=%lu watchdog_trips=%lu torque_rejected=%lu",
               (unsigned long)m->stats.rx_frames, (unsigned long)m->stats.rx_crc_errors,
               (unsigned long)m->stats.tx_frames, (unsigned long)m->stats.watchdog_trips,
               (unsigned long)m->stats.torque_rejected);
        break;
    case ARMPROTO_MSG_NAK:
        printf(" error=%s request=%s", armproto_result_name(m->result), armproto_msg_name(m->request_type));
        break;
    default:
        break;
    }
    printf("\n");
}

static int decode_file(const char *path)
{
    static uint8_t bytes[1u << 22];
    FILE *f = fopen(path, "rb");
    size_t n, i;
    armproto_receiver rx;
    armproto_msg msg;
    if (f == NULL) {
        fprintf(stderr, "fwprobe: cannot open %s: %s\n", path, strerror(errno));
        return 2;
    }
    n = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    armproto_receiver_init(&rx);
    for (i = 0; i < n;) {
        int result;
        i += armproto_receiver_feed(&rx, bytes + i, n - i, &msg, &result);
        if (result == ARMPROTO_RX_MESSAGE) {
            print_msg(&msg);
        } else if (result < 0) {
            printf("damaged frame: %s\n", armproto_err_name(result));
        }
    }
    return 0;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Sends a frame and waits up to timeout_s for the reply answering seq; FAULTs met on the way are
 * printed. 1 when answered. */
static int exchange(int fd, armproto_receiver *rx, const uint8_t *frame, int len, uint32_t seq, double timeout_s)
{
    double deadline = now_s() + timeout_s;
    armproto_msg msg;
    if (write(fd, frame, (size_t)len) != len) {
        fprintf(stderr, "fwprobe: write failed: %s\n", strerror(errno));
        return 0;
    }
    for (;;) {
        uint8_t buf[256];
        struct pollfd p;
        double left = deadline - now_s();
        ssize_t got;
        size_t i;
        if (left <= 0) {
            return 0;
        }
        p.fd = fd;
        p.events = POLLIN;
        if (poll(&p, 1, (int)(left * 1000) + 1) <= 0) {
            continue;
        }
        got = read(fd, buf, sizeof buf);
        if (got <= 0) {
            continue;
        }
        for (i = 0; i < (size_t)got;) {
            int result;
            i += armproto_receiver_feed(rx, buf + i, (size_t)got - i, &msg, &result);
            if (result == ARMPROTO_RX_MESSAGE) {
                print_msg(&msg);
                if (msg.type != ARMPROTO_MSG_FAULT && msg.seq == seq) {
                    return 1;
                }
            }
        }
    }
}

static int query(const char *port)
{
    int fd = open(port, O_RDWR | O_NOCTTY);
    struct termios t;
    armproto_receiver rx;
    uint8_t frame[ARMPROTO_MAX_FRAME];
    uint32_t seq = 0x70000000u; /* far from any host's counter, so no reply is mistaken for ours */
    double give_up;
    int len, ok = 0;
    if (fd < 0) {
        fprintf(stderr, "fwprobe: cannot open %s: %s\n", port, strerror(errno));
        return 2;
    }
    if (tcgetattr(fd, &t) == 0) {
        /* Raw bytes both ways (what cfmakeraw does, which POSIX lacks). */
        t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
        t.c_oflag &= ~(tcflag_t)OPOST;
        t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
        t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
        t.c_cflag |= CS8;
        t.c_cc[VMIN] = 0;
        t.c_cc[VTIME] = 0;
        tcsetattr(fd, TCSANOW, &t);
    }
    armproto_receiver_init(&rx);
    frame[0] = 0x00; /* ends whatever partial frame the device holds (PROTOCOL.md 2.3) */
    if (write(fd, frame, 1) != 1) {
        fprintf(stderr, "fwprobe: write failed: %s\n", strerror(errno));
        close(fd);
        return 2;
    }
    give_up = now_s() + 3.0;
    while (!ok && now_s() < give_up) {
        len = armproto_encode_hello(frame, sizeof frame, ++seq, ARMPROTO_VERSION_MAJOR, ARMPROTO_VERSION_MINOR);
        ok = exchange(fd, &rx, frame, len, seq, 0.2);
    }
    if (ok) {
        len = armproto_encode_heartbeat(frame, sizeof frame, ++seq);
        ok = exchange(fd, &rx, frame, len, seq, 0.5);
    }
    if (ok) {
        len = armproto_encode_get_stats(frame, sizeof frame, ++seq);
        ok = exchange(fd, &rx, frame, len, seq, 0.5);
    }
    close(fd);
    if (!ok) {
        fprintf(stderr, "fwprobe: %s did not answer\n", port);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "decode") == 0) {
        return decode_file(argv[2]);
    }
    if (argc == 3 && strcmp(argv[1], "query") == 0) {
        return query(argv[2]);
    }
    fprintf(stderr, "usage: fwprobe decode FILE | fwprobe query PORT\n");
    return 2;
}
