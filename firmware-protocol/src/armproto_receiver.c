/* Streaming frame receiver (PROTOCOL.md, "Receiving"). */
#include "armproto_internal.h"

void armproto_receiver_init(armproto_receiver *rx)
{
    memset(rx, 0, sizeof *rx);
}

void armproto_receiver_init_device(armproto_receiver *rx)
{
    armproto_receiver_init(rx);
    rx->requests_only = 1;
}

static void count(armproto_stats *s, int err)
{
    switch (err) {
    case 0:
        s->rx_frames++;
        break;
    case ARMPROTO_ERR_CRC:
        s->rx_crc_errors++;
        break;
    case ARMPROTO_ERR_COBS:
        s->rx_cobs_errors++;
        break;
    case ARMPROTO_ERR_SHORT:
        s->rx_short++;
        break;
    case ARMPROTO_ERR_OVERLONG:
        s->rx_overlong++;
        break;
    case ARMPROTO_ERR_UNKNOWN_TYPE:
        s->rx_frames++;
        s->rx_unknown_type++;
        break;
    case ARMPROTO_ERR_BAD_LENGTH:
    case ARMPROTO_ERR_JOINT_COUNT:
        s->rx_frames++;
        s->rx_bad_length++;
        break;
    default:
        break;
    }
}

size_t armproto_receiver_feed(armproto_receiver *rx, const uint8_t *data, size_t len,
                              armproto_msg *msg, int *result)
{
    size_t i;

    *result = ARMPROTO_RX_NEED_MORE;
    for (i = 0; i < len; i++) {
        uint8_t b = data[i];
        if (rx->discarding) {
            if (b == 0x00) {
                rx->discarding = 0; /* resynchronised */
            }
            continue;
        }
        if (b == 0x00) {
            int err;
            size_t n = rx->len;
            if (n == 0) {
                continue; /* empty frame: a flush, not an error */
            }
            rx->len = 0;
            err = armproto_decode_msg(rx->buf, n, msg);
            /* To a device a device-range type is never a request: unknown whatever its length
             * (PROTOCOL.md section 4), so its payload is not judged at all. */
            if (rx->requests_only && (msg->type & 0x80u) != 0 &&
                (err == 0 || err == ARMPROTO_ERR_BAD_LENGTH || err == ARMPROTO_ERR_JOINT_COUNT)) {
                err = ARMPROTO_ERR_UNKNOWN_TYPE;
            }
            count(&rx->stats, err);
            *result = (err == 0) ? ARMPROTO_RX_MESSAGE : err;
            return i + 1;
        }
        if (rx->len >= ARMPROTO_MAX_ENCODED) {
            rx->len = 0;
            rx->discarding = 1;
            count(&rx->stats, ARMPROTO_ERR_OVERLONG);
            *result = ARMPROTO_ERR_OVERLONG;
            return i + 1;
        }
        rx->buf[rx->len++] = b;
    }
    return len;
}
