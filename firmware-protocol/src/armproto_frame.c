/* CRC-16/CCITT-FALSE, COBS and the frame layer (PROTOCOL.md, "Framing"). */
#include "armproto_internal.h"

/* CRC of each 4-bit value shifted through the 0x1021 register: a 32-byte
 * table processes a nibble per step, a fair trade on a microcontroller
 * between a 512-byte byte table and a bit loop. */
static const uint16_t crc_nibble[16] = {
    0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50A5, 0x60C6, 0x70E7,
    0x8108, 0x9129, 0xA14A, 0xB16B, 0xC18C, 0xD1AD, 0xE1CE, 0xF1EF
};

uint16_t armproto_crc16_update(uint16_t crc, const uint8_t *data, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++) {
        uint8_t b = data[i];
        crc = (uint16_t)((crc << 4) ^ crc_nibble[((crc >> 12) ^ (b >> 4)) & 0x0Fu]);
        crc = (uint16_t)((crc << 4) ^ crc_nibble[((crc >> 12) ^ b) & 0x0Fu]);
    }
    return crc;
}

uint16_t armproto_crc16(const uint8_t *data, size_t len)
{
    return armproto_crc16_update((uint16_t)ARMPROTO_CRC_INIT, data, len);
}

int armproto_cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
    size_t code_pos = 0; /* where the current block's code byte goes */
    size_t o = 1;        /* next output index */
    uint8_t code = 1;    /* 1 + data bytes in the current block */
    size_t i;

    if (out == NULL || (in == NULL && len > 0)) {
        return ARMPROTO_ERR_ARG;
    }
    if (cap < 1) {
        return ARMPROTO_ERR_CAPACITY;
    }
    for (i = 0; i < len; i++) {
        if (in[i] == 0) {
            out[code_pos] = code;
            if (o >= cap) {
                return ARMPROTO_ERR_CAPACITY;
            }
            code_pos = o++;
            code = 1;
        } else {
            if (o >= cap) {
                return ARMPROTO_ERR_CAPACITY;
            }
            out[o++] = in[i];
            code++;
            /* A full block implies no zero; open a new one only if data
             * remains, so that 254 non-zero bytes encode to 255 bytes. */
            if (code == 0xFF && i + 1 < len) {
                out[code_pos] = code;
                if (o >= cap) {
                    return ARMPROTO_ERR_CAPACITY;
                }
                code_pos = o++;
                code = 1;
            }
        }
    }
    out[code_pos] = code;
    return (int)o;
}

int armproto_cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
    size_t i = 0;
    size_t o = 0;

    if ((in == NULL || out == NULL) && len > 0) {
        return ARMPROTO_ERR_ARG;
    }
    while (i < len) {
        uint8_t code = in[i++];
        uint8_t k;
        if (code == 0) {
            return ARMPROTO_ERR_COBS;
        }
        for (k = 1; k < code; k++) {
            uint8_t b;
            if (i >= len) {
                return ARMPROTO_ERR_COBS; /* block runs past the end */
            }
            b = in[i++];
            if (b == 0) {
                return ARMPROTO_ERR_COBS;
            }
            if (o >= cap) {
                return ARMPROTO_ERR_CAPACITY;
            }
            out[o++] = b;
        }
        if (code != 0xFF && i < len) {
            if (o >= cap) {
                return ARMPROTO_ERR_CAPACITY;
            }
            out[o++] = 0;
        }
    }
    return (int)o;
}

int armproto_frame_encode(uint8_t type, const uint8_t *payload, size_t len, uint8_t *out, size_t cap)
{
    uint8_t body[ARMPROTO_MAX_BODY];
    uint16_t crc;
    int n;

    if (out == NULL || (payload == NULL && len > 0)) {
        return ARMPROTO_ERR_ARG;
    }
    if (len > ARMPROTO_MAX_PAYLOAD) {
        return ARMPROTO_ERR_ARG;
    }
    body[0] = type;
    if (len > 0) {
        memcpy(body + 1, payload, len);
    }
    crc = armproto_crc16(body, len + 1);
    ap_put_u16(body + 1 + len, crc);
    n = armproto_cobs_encode(body, len + 3, out, cap);
    if (n < 0) {
        return n;
    }
    if ((size_t)n >= cap) {
        return ARMPROTO_ERR_CAPACITY;
    }
    out[n] = 0x00;
    return n + 1;
}

int armproto_frame_decode(const uint8_t *frame, size_t len, uint8_t *type, uint8_t *payload, size_t cap)
{
    uint8_t body[ARMPROTO_MAX_BODY];
    int n;
    size_t plen;

    if (frame == NULL || type == NULL || (payload == NULL && cap > 0)) {
        return ARMPROTO_ERR_ARG;
    }
    if (len > 0 && frame[len - 1] == 0x00) {
        len--;
    }
    if (len > ARMPROTO_MAX_ENCODED) {
        return ARMPROTO_ERR_OVERLONG;
    }
    n = armproto_cobs_decode(frame, len, body, sizeof body);
    if (n == ARMPROTO_ERR_CAPACITY) {
        return ARMPROTO_ERR_OVERLONG; /* unreachable: 255 stuffed bytes hold at most 254 */
    }
    if (n < 0) {
        return n;
    }
    if (n < 3) {
        return ARMPROTO_ERR_SHORT;
    }
    if (armproto_crc16(body, (size_t)n - 2) != ap_get_u16(body + n - 2)) {
        return ARMPROTO_ERR_CRC;
    }
    plen = (size_t)n - 3;
    if (plen > cap) {
        return ARMPROTO_ERR_CAPACITY;
    }
    *type = body[0];
    if (plen > 0) {
        memcpy(payload, body + 1, plen);
    }
    return (int)plen;
}
