/* The streaming receiver: chunking, noise, corruption, overlong frames, resync. */
#include "harness.h"

typedef struct collected {
    armproto_msg msgs[64];
    int nmsgs;
    int errors[64];
    int nerrors;
} collected;

/* Feeds `data` in chunks of `chunk` bytes (0: all at once). */
static void feed(armproto_receiver *rx, const uint8_t *data, size_t len, size_t chunk, collected *out)
{
    size_t off = 0;
    int progress_ok = 1;
    while (off < len) {
        size_t piece = chunk == 0 ? len - off : (len - off < chunk ? len - off : chunk);
        const uint8_t *p = data + off;
        size_t left = piece;
        while (left > 0) {
            int result;
            armproto_msg m;
            size_t used = armproto_receiver_feed(rx, p, left, &m, &result);
            if (used < 1 || used > left) progress_ok = 0;
            p += used;
            left -= used;
            if (result == ARMPROTO_RX_MESSAGE && out->nmsgs < 64) {
                out->msgs[out->nmsgs++] = m;
            } else if (result < 0 && out->nerrors < 64) {
                out->errors[out->nerrors++] = result;
            }
        }
        off += piece;
    }
    CHECK(progress_ok); /* every call consumed at least one byte, never more than given */
}

static size_t append(uint8_t *buf, size_t at, const uint8_t *src, size_t n)
{
    memcpy(buf + at, src, n);
    return at + n;
}

void test_receiver(void)
{
    static uint8_t stream[4096];
    uint8_t frame[ARMPROTO_MAX_FRAME];
    const float tau[3] = {0.5f, -1.0f, 0.0f};
    size_t len = 0, chunks[] = {0, 1, 2, 3, 7, 64};
    size_t k;
    int n;

    /* Stream: garbage without a delimiter, a flush 0x00, HEARTBEAT(1),
     * empty frames, TORQUE(2) with a flipped bit, TORQUE(3), an overlong
     * run, ENABLE(4), a truncated COBS block, HEARTBEAT(5). */
    {
        const uint8_t noise[] = {0x13, 0x37, 0xFF, 0x42, 0x00};
        len = append(stream, len, noise, sizeof noise);
    }
    n = armproto_encode_heartbeat(frame, sizeof frame, 1);
    len = append(stream, len, frame, (size_t)n);
    stream[len++] = 0x00;
    stream[len++] = 0x00;
    n = armproto_encode_torque(frame, sizeof frame, 2, tau, 3);
    frame[5] ^= 0x10;
    len = append(stream, len, frame, (size_t)n);
    n = armproto_encode_torque(frame, sizeof frame, 3, tau, 3);
    len = append(stream, len, frame, (size_t)n);
    memset(stream + len, 0x5A, 600);
    len += 600;
    stream[len++] = 0x00;
    n = armproto_encode_enable(frame, sizeof frame, 4);
    len = append(stream, len, frame, (size_t)n);
    {
        const uint8_t truncated[] = {0x09, 0x01, 0x02, 0x00};
        len = append(stream, len, truncated, sizeof truncated);
    }
    n = armproto_encode_heartbeat(frame, sizeof frame, 5);
    len = append(stream, len, frame, (size_t)n);

    for (k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
        armproto_receiver rx;
        static collected got;
        memset(&got, 0, sizeof got);
        armproto_receiver_init(&rx);
        feed(&rx, stream, len, chunks[k], &got);
        CHECK_EQ(got.nmsgs, 4);
        if (got.nmsgs == 4) {
            CHECK(got.msgs[0].type == ARMPROTO_MSG_HEARTBEAT && got.msgs[0].seq == 1);
            CHECK(got.msgs[1].type == ARMPROTO_MSG_TORQUE && got.msgs[1].seq == 3);
            CHECK(same_float(got.msgs[1].tau[1], -1.0f));
            CHECK(got.msgs[2].type == ARMPROTO_MSG_ENABLE && got.msgs[2].seq == 4);
            CHECK(got.msgs[3].type == ARMPROTO_MSG_HEARTBEAT && got.msgs[3].seq == 5);
        }
        /* Errors in order: noise (bad COBS or CRC), flipped bit, overlong, truncated COBS. */
        CHECK_EQ(got.nerrors, 4);
        if (got.nerrors == 4) {
            CHECK(got.errors[0] == ARMPROTO_ERR_CRC || got.errors[0] == ARMPROTO_ERR_COBS);
            CHECK(got.errors[1] == ARMPROTO_ERR_CRC || got.errors[1] == ARMPROTO_ERR_COBS);
            CHECK_EQ(got.errors[2], ARMPROTO_ERR_OVERLONG);
            CHECK_EQ(got.errors[3], ARMPROTO_ERR_COBS);
        }
        CHECK_EQ(rx.stats.rx_frames, 4);
        CHECK_EQ(rx.stats.rx_overlong, 1);
        CHECK_EQ(rx.stats.rx_crc_errors + rx.stats.rx_cobs_errors, 3);
        CHECK_EQ(rx.len, 0);
        CHECK_EQ(rx.discarding, 0);
    }

    /* A frame split anywhere still arrives whole, exactly once. */
    {
        size_t split;
        int all_ok = 1;
        n = armproto_encode_torque(frame, sizeof frame, 99, tau, 3);
        for (split = 1; split < (size_t)n; split++) {
            armproto_receiver rx;
            static collected got;
            memset(&got, 0, sizeof got);
            armproto_receiver_init(&rx);
            feed(&rx, frame, split, 0, &got);
            if (got.nmsgs != 0) all_ok = 0;
            feed(&rx, frame + split, (size_t)n - split, 0, &got);
            if (got.nmsgs != 1 || got.msgs[0].seq != 99 || got.nerrors != 0) all_ok = 0;
        }
        CHECK(all_ok);
    }

    /* A maximum-size frame (255 stuffed bytes) is accepted; one more byte is overlong. */
    {
        uint8_t payload[ARMPROTO_MAX_PAYLOAD];
        uint8_t big[ARMPROTO_MAX_FRAME + 1];
        armproto_receiver rx;
        static collected got;
        armproto_msg_init(&got.msgs[0], 0);
        memset(payload, 0x11, sizeof payload);
        /* STATS type with a long payload: valid, tail ignored. */
        n = armproto_frame_encode(ARMPROTO_MSG_STATS, payload, sizeof payload, big, sizeof big);
        CHECK_EQ(n, ARMPROTO_MAX_FRAME);
        memset(&got, 0, sizeof got);
        armproto_receiver_init(&rx);
        feed(&rx, big, (size_t)n, 1, &got);
        CHECK_EQ(got.nmsgs, 1);
        CHECK_EQ(got.nerrors, 0);
        /* Insert one extra non-zero byte before the delimiter. */
        big[n - 1] = 0x11;
        big[n] = 0x00;
        memset(&got, 0, sizeof got);
        armproto_receiver_init(&rx);
        feed(&rx, big, (size_t)n + 1, 1, &got);
        CHECK_EQ(got.nmsgs, 0);
        CHECK_EQ(got.nerrors, 1);
        CHECK_EQ(got.errors[0], ARMPROTO_ERR_OVERLONG);
        /* ...and the receiver is back in sync for the next frame. */
        n = armproto_encode_heartbeat(frame, sizeof frame, 7);
        feed(&rx, frame, (size_t)n, 1, &got);
        CHECK_EQ(got.nmsgs, 1);
    }

    /* Valid frame with unknown type: reported with type and seq, counted. */
    {
        const uint8_t p[] = {0x2A, 0, 0, 0};
        armproto_receiver rx;
        static collected got;
        memset(&got, 0, sizeof got);
        armproto_receiver_init(&rx);
        n = armproto_frame_encode(0x55, p, sizeof p, frame, sizeof frame);
        feed(&rx, frame, (size_t)n, 0, &got);
        CHECK_EQ(got.nerrors, 1);
        CHECK_EQ(got.errors[0], ARMPROTO_ERR_UNKNOWN_TYPE);
        CHECK_EQ(rx.stats.rx_unknown_type, 1);
        CHECK_EQ(rx.stats.rx_frames, 1);
    }
}
