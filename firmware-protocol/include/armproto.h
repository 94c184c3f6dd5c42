/*
 * armproto.h - Armature wire protocol, portable C99 reference implementation.
 *
 * The normative description is firmware-protocol/PROTOCOL.md; this header is
 * its C binding. Everything here is usable from a host (the Swift package
 * compiles the sources in src/ as the CArmProto module) and from a microcontroller.
 *
 * Rules the implementation keeps: no heap, no stdio, no mutable globals; all
 * state lives in structs the caller owns. Functions that produce bytes return
 * the number of bytes written (>= 0) or a negative ARMPROTO_ERR_* code.
 */
#ifndef ARMPROTO_H
#define ARMPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "armproto_actor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Versions and sizes                                                        */
/* ------------------------------------------------------------------------ */

/** Protocol version this implementation speaks (PROTOCOL.md, "Versioning"). */
#define ARMPROTO_VERSION_MAJOR 1
#define ARMPROTO_VERSION_MINOR 4

/** Largest joint count the protocol allows in any message. */
#define ARMPROTO_PROTOCOL_MAX_JOINTS 16

/** Largest joint count this build supports; may be lowered with -D to save RAM. */
#ifndef ARMPROTO_MAX_JOINTS
#define ARMPROTO_MAX_JOINTS 16
#endif
#if ARMPROTO_MAX_JOINTS < 1 || ARMPROTO_MAX_JOINTS > ARMPROTO_PROTOCOL_MAX_JOINTS
#error "ARMPROTO_MAX_JOINTS must be between 1 and 16"
#endif

/** Largest payload (bytes after the type byte, before the CRC). */
#define ARMPROTO_MAX_PAYLOAD 251
/** Largest unstuffed frame body: type (1) + payload + CRC (2). */
#define ARMPROTO_MAX_BODY 254
/** Largest COBS-encoded body (no delimiter): body + 1 overhead byte. */
#define ARMPROTO_MAX_ENCODED 255
/** Largest frame on the wire: encoded body + the 0x00 delimiter. */
#define ARMPROTO_MAX_FRAME 256

/* ------------------------------------------------------------------------ */
/* Message types (first byte of the body)                                    */
/* ------------------------------------------------------------------------ */

/* Host -> device requests. Every request payload starts with a u32 seq. */
#define ARMPROTO_MSG_HELLO        0x01
#define ARMPROTO_MSG_ENABLE       0x02
#define ARMPROTO_MSG_DISABLE      0x03
#define ARMPROTO_MSG_TORQUE       0x04
#define ARMPROTO_MSG_HEARTBEAT    0x05
#define ARMPROTO_MSG_ESTOP        0x06
#define ARMPROTO_MSG_CLEAR_ESTOP  0x07
#define ARMPROTO_MSG_RESET        0x08
#define ARMPROTO_MSG_HOME         0x09
#define ARMPROTO_MSG_GET_STATS    0x0A
#define ARMPROTO_MSG_MOVE         0x0B  /* protocol 1.3: the device drives the arm to a pose and holds it */
#define ARMPROTO_MSG_GOAL         0x0C  /* protocol 1.4: the device's own actor closes the loop towards a goal */

/* Device -> host replies and events. */
#define ARMPROTO_MSG_HELLO_REPLY  0x81
#define ARMPROTO_MSG_ACK          0x82
#define ARMPROTO_MSG_NAK          0x83
#define ARMPROTO_MSG_STATE        0x84
#define ARMPROTO_MSG_FAULT        0x85
#define ARMPROTO_MSG_STATS        0x86

/* ------------------------------------------------------------------------ */
/* Wire codes                                                                */
/* ------------------------------------------------------------------------ */

/* Result codes (u8): HELLO_REPLY.result, STATE.result, NAK.error. */
#define ARMPROTO_RESULT_OK               0x00
#define ARMPROTO_RESULT_UNKNOWN_TYPE     0x01
#define ARMPROTO_RESULT_BAD_LENGTH       0x02
#define ARMPROTO_RESULT_BAD_JOINT_COUNT  0x03
#define ARMPROTO_RESULT_NOT_ENABLED      0x04
#define ARMPROTO_RESULT_ESTOP_LATCHED    0x05
#define ARMPROTO_RESULT_NON_FINITE       0x06
#define ARMPROTO_RESULT_STALE_SEQUENCE   0x07
#define ARMPROTO_RESULT_NO_HANDSHAKE     0x08
#define ARMPROTO_RESULT_VERSION_MISMATCH 0x09
#define ARMPROTO_RESULT_UNSUPPORTED      0x0A
#define ARMPROTO_RESULT_ESTOP_ACTIVE     0x0B
#define ARMPROTO_RESULT_BOARD_ERROR      0x0C
#define ARMPROTO_RESULT_MUST_BE_DISABLED 0x0D
#define ARMPROTO_RESULT_OUT_OF_RANGE     0x0E  /* protocol 1.2: HOME outside the device's joint range */
#define ARMPROTO_RESULT_NO_ACTOR         0x0F  /* protocol 1.4: GOAL to a device that holds no actor */

/* Fault codes (u8): STATE.fault, FAULT.code. */
#define ARMPROTO_FAULT_NONE            0x00
#define ARMPROTO_FAULT_WATCHDOG        0x01
#define ARMPROTO_FAULT_NON_FINITE      0x02
#define ARMPROTO_FAULT_ESTOP           0x03
#define ARMPROTO_FAULT_SENSOR          0x04
#define ARMPROTO_FAULT_ACTUATOR        0x05
#define ARMPROTO_FAULT_ACTOR_OUTPUT    0x06  /* protocol 1.4: the on-device actor gave a non-finite action */

/** FAULT.joint value when a fault concerns no particular joint. */
#define ARMPROTO_NO_JOINT 0xFF

/* Status flags (u32 bitfield): STATE.status, FAULT.status. */
#define ARMPROTO_STATUS_ENABLED          (1u << 0)
#define ARMPROTO_STATUS_ESTOP_LATCHED    (1u << 1)
#define ARMPROTO_STATUS_WATCHDOG_TRIPPED (1u << 2)
#define ARMPROTO_STATUS_FAULT            (1u << 3)
#define ARMPROTO_STATUS_TORQUE_CLAMPED   (1u << 4)
#define ARMPROTO_STATUS_HANDSHAKE_DONE   (1u << 5)
#define ARMPROTO_STATUS_ESTOP_INPUT      (1u << 6)
#define ARMPROTO_STATUS_MOVING           (1u << 7)  /* protocol 1.3: the device's position controller drives the arm */
#define ARMPROTO_STATUS_SETTLED          (1u << 8)  /* protocol 1.3: moving, and at the target within the tolerances */
#define ARMPROTO_STATUS_ACTOR            (1u << 9)  /* protocol 1.4: the device's actor commands the torque */

/* Capability flags (u32): HELLO_REPLY.capabilities, protocol 1.3. */
#define ARMPROTO_CAPABILITY_HOME          (1u << 0)  /* HOME re-zeroes the position sensors (else NAK UNSUPPORTED) */
#define ARMPROTO_CAPABILITY_HOME_VELOCITY (1u << 1)  /* HOME also sets joint velocities (a simulator) */
#define ARMPROTO_CAPABILITY_MOVE          (1u << 2)  /* MOVE is carried out */
#define ARMPROTO_CAPABILITY_LOCKSTEP      (1u << 3)  /* time_us advances only with applied TORQUE, MOVE and GOAL (a lockstep simulator) */
#define ARMPROTO_CAPABILITY_ACTOR         (1u << 4)  /* protocol 1.4: the device holds an actor: GOAL is carried out */

/* ------------------------------------------------------------------------ */
/* Library error codes (negative return values; never on the wire)          */
/* ------------------------------------------------------------------------ */

#define ARMPROTO_ERR_CAPACITY     (-1)  /* output buffer too small */
#define ARMPROTO_ERR_ARG          (-2)  /* invalid argument (NULL, joint count > max, bad type) */
#define ARMPROTO_ERR_COBS         (-3)  /* invalid COBS stuffing */
#define ARMPROTO_ERR_SHORT        (-4)  /* body shorter than type + CRC */
#define ARMPROTO_ERR_CRC          (-5)  /* CRC mismatch */
#define ARMPROTO_ERR_OVERLONG     (-6)  /* frame longer than ARMPROTO_MAX_FRAME */
#define ARMPROTO_ERR_UNKNOWN_TYPE (-7)  /* valid frame, unknown message type */
#define ARMPROTO_ERR_BAD_LENGTH   (-8)  /* valid frame, payload length wrong for its type */
#define ARMPROTO_ERR_JOINT_COUNT  (-9)  /* valid frame, joint count 0 or above ARMPROTO_MAX_JOINTS */

/* ------------------------------------------------------------------------ */
/* Low level: CRC-16/CCITT-FALSE and COBS                                    */
/* ------------------------------------------------------------------------ */

/** CRC-16/CCITT-FALSE initial value. */
#define ARMPROTO_CRC_INIT 0xFFFFu

/** Continues a CRC-16/CCITT-FALSE over more bytes (start with ARMPROTO_CRC_INIT). */
uint16_t armproto_crc16_update(uint16_t crc, const uint8_t *data, size_t len);
/** CRC-16/CCITT-FALSE of a buffer: poly 0x1021, init 0xFFFF, no reflection, xorout 0. */
uint16_t armproto_crc16(const uint8_t *data, size_t len);

/** COBS-encodes len bytes (no delimiter is written). Returns encoded length or ARMPROTO_ERR_CAPACITY. */
int armproto_cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap);
/** Decodes COBS bytes (without the delimiter). Returns decoded length or ARMPROTO_ERR_COBS/_CAPACITY. */
int armproto_cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/* ------------------------------------------------------------------------ */
/* Frames: COBS(type | payload | CRC-16 LE) 0x00                             */
/* ------------------------------------------------------------------------ */

/** Builds a wire frame, trailing 0x00 included. Returns frame length or a negative error. */
int armproto_frame_encode(uint8_t type, const uint8_t *payload, size_t len, uint8_t *out, size_t cap);

/**
 * Checks and unstuffs one frame. `frame` holds the bytes between delimiters;
 * one trailing 0x00 is tolerated. On success stores the type and copies the
 * payload, returning the payload length; otherwise a negative error.
 */
int armproto_frame_decode(const uint8_t *frame, size_t len, uint8_t *type, uint8_t *payload, size_t cap);

/* ------------------------------------------------------------------------ */
/* Messages                                                                  */
/* ------------------------------------------------------------------------ */

/** Link and device counters; the payload of STATS. */
typedef struct armproto_stats {
    uint32_t rx_frames;        /* frames accepted (valid CRC), any type */
    uint32_t rx_crc_errors;    /* dropped: CRC mismatch */
    uint32_t rx_cobs_errors;   /* dropped: invalid COBS stuffing */
    uint32_t rx_overlong;      /* dropped: longer than ARMPROTO_MAX_FRAME */
    uint32_t rx_short;         /* dropped: body shorter than 3 bytes */
    uint32_t rx_unknown_type;  /* valid frame, unknown type (on a device: also every device-range type) */
    uint32_t rx_bad_length;    /* requests NAKed BAD_LENGTH or BAD_JOINT_COUNT (joint count not the device's included) */
    uint32_t tx_frames;        /* frames sent by the device */
    uint32_t watchdog_trips;   /* watchdog expirations */
    uint32_t torque_rejected;  /* TORQUE requests answered with a result other than OK */
} armproto_stats;

#define ARMPROTO_STATS_FIELDS 10

/**
 * One decoded message of any type: a flat tagged struct (no unions) so that
 * Swift sees plain fields. Which fields are meaningful depends on `type`; the
 * table in PROTOCOL.md names them. Unused fields are zero after decoding.
 */
typedef struct armproto_msg {
    uint8_t  type;             /* ARMPROTO_MSG_* */
    uint8_t  result;           /* HELLO_REPLY, STATE: ARMPROTO_RESULT_*; NAK: the error */
    uint8_t  joint_count;      /* TORQUE, HOME, HELLO_REPLY, STATE */
    uint8_t  request_type;     /* ACK, NAK: the type of the request answered */
    uint8_t  version_major;    /* HELLO (host's), HELLO_REPLY (device's) */
    uint8_t  version_minor;
    uint8_t  fault;            /* STATE: latched fault; FAULT: the fault raised */
    uint8_t  fault_joint;      /* FAULT: joint index or ARMPROTO_NO_JOINT */
    uint16_t max_frame;        /* HELLO_REPLY: largest frame the device accepts, delimiter included */
    uint8_t  has_qd;           /* HOME: 1 when qd carries target velocities (protocol 1.1), else 0 */
    uint8_t  reserved0;        /* keeps the layout explicit; always 0 */
    uint32_t seq;              /* every message: request seq, or the seq a reply answers; FAULT: see PROTOCOL.md */
    uint32_t applied_seq;      /* STATE: seq of the TORQUE currently applied */
    uint32_t status;           /* STATE, FAULT: ARMPROTO_STATUS_* */
    uint32_t firmware_id;      /* HELLO_REPLY */
    uint32_t firmware_version; /* HELLO_REPLY */
    uint32_t watchdog_us;      /* HELLO_REPLY */
    uint32_t fault_detail;     /* FAULT */
    uint32_t capabilities;     /* HELLO_REPLY (protocol 1.3): ARMPROTO_CAPABILITY_*; 0 from an older device */
    float    max_velocity;     /* MOVE: the setpoint's speed limit, rad/s */
    float    position_tolerance; /* MOVE: settled within this of the target, rad */
    float    velocity_tolerance; /* MOVE: settled below this speed, rad/s */
    float    integral_time;    /* MOVE: integral time constant Ti, s (0: no integral action) */
    uint8_t  goal_count;       /* GOAL (protocol 1.4): values in goal, 1..ARMPROTO_ACTOR_MAX_GOAL */
    uint8_t  reserved1[3];     /* keeps the layout explicit; always 0 */
    float    goal[ARMPROTO_ACTOR_MAX_GOAL]; /* GOAL: what the actor's observation needs that the device cannot measure */
    uint64_t time_us;          /* STATE, FAULT: device clock, microseconds */
    armproto_stats stats;      /* STATS */
    float q[ARMPROTO_MAX_JOINTS];            /* STATE: rad; HOME: position the arm is at now; MOVE: target, rad */
    float qd[ARMPROTO_MAX_JOINTS];           /* STATE: rad/s; HOME (if has_qd): velocity to set, rad/s */
    float tau[ARMPROTO_MAX_JOINTS];          /* TORQUE: command N*m; STATE: measured N*m */
    float torque_limit[ARMPROTO_MAX_JOINTS]; /* HELLO_REPLY: N*m, +inf means none */
    float kp[ARMPROTO_MAX_JOINTS];           /* MOVE: position gain, N*m/rad */
    float kd[ARMPROTO_MAX_JOINTS];           /* MOVE: velocity gain, N*m*s/rad */
} armproto_msg;

/** Zeroes a message and sets its type. */
void armproto_msg_init(armproto_msg *msg, uint8_t type);

/** 1 if `type` is a message type of this protocol version, else 0. */
int armproto_msg_known(uint8_t type);

/** Writes the payload of `msg` (no type, no CRC). Returns its length or a negative error. */
int armproto_pack_payload(const armproto_msg *msg, uint8_t *payload, size_t cap);

/**
 * Parses a payload of the given type into `msg` (zeroed first; type set).
 * For a malformed or unknown payload `msg->type` and, when the payload holds
 * at least 4 bytes, `msg->seq` are still set so that a NAK can echo them.
 * Returns 0 or ARMPROTO_ERR_UNKNOWN_TYPE/_BAD_LENGTH/_JOINT_COUNT.
 */
int armproto_unpack_payload(uint8_t type, const uint8_t *payload, size_t len, armproto_msg *msg);

/** Encodes any message into a complete wire frame. Returns frame length or a negative error. */
int armproto_encode_msg(const armproto_msg *msg, uint8_t *out, size_t cap);

/**
 * Decodes one frame (bytes between delimiters; a trailing 0x00 is tolerated)
 * into `msg`. Returns 0 or a negative error; see armproto_unpack_payload for
 * what `msg` holds after UNKNOWN_TYPE/BAD_LENGTH/JOINT_COUNT.
 */
int armproto_decode_msg(const uint8_t *frame, size_t len, armproto_msg *msg);

/* Host-side convenience encoders: each returns the frame length or a negative error. */
int armproto_encode_hello(uint8_t *out, size_t cap, uint32_t seq, uint8_t major, uint8_t minor);
int armproto_encode_enable(uint8_t *out, size_t cap, uint32_t seq);
int armproto_encode_disable(uint8_t *out, size_t cap, uint32_t seq);
int armproto_encode_torque(uint8_t *out, size_t cap, uint32_t seq, const float *tau, uint8_t n);
int armproto_encode_heartbeat(uint8_t *out, size_t cap, uint32_t seq);
int armproto_encode_estop(uint8_t *out, size_t cap, uint32_t seq);
int armproto_encode_clear_estop(uint8_t *out, size_t cap, uint32_t seq);
int armproto_encode_reset(uint8_t *out, size_t cap, uint32_t seq);
int armproto_encode_home(uint8_t *out, size_t cap, uint32_t seq, const float *q, uint8_t n);
/** HOME with joint velocities appended (protocol 1.1); qd == NULL is the same as armproto_encode_home. */
int armproto_encode_home_velocity(uint8_t *out, size_t cap, uint32_t seq, const float *q, const float *qd,
                                  uint8_t n);
int armproto_encode_get_stats(uint8_t *out, size_t cap, uint32_t seq);
/**
 * MOVE (protocol 1.3): drive to `target` (rad) with per-joint gains kp (N*m/rad) and kd (N*m*s/rad)
 * and integral time `integral_time` (s, 0 for none), the setpoint moving at most `max_velocity`
 * rad/s; settled within `position_tolerance` rad of the target and below `velocity_tolerance` rad/s.
 */
int armproto_encode_move(uint8_t *out, size_t cap, uint32_t seq, const float *target, const float *kp, const float *kd,
                         uint8_t n, float max_velocity, float position_tolerance, float velocity_tolerance,
                         float integral_time);

/** GOAL (protocol 1.4): the goal (`count` values: x, y for the reach task) for the device's actor. */
int armproto_encode_goal(uint8_t *out, size_t cap, uint32_t seq, const float *goal, uint8_t count);

/** Static names for diagnostics ("crc", "not_enabled", "watchdog", "TORQUE"...); never NULL. */
const char *armproto_err_name(int err);
const char *armproto_result_name(uint8_t result);
const char *armproto_fault_name(uint8_t fault);
const char *armproto_msg_name(uint8_t type);

/* ------------------------------------------------------------------------ */
/* Streaming receiver                                                        */
/* ------------------------------------------------------------------------ */

/** Reassembles frames from a byte stream; caller-owned, initialise with armproto_receiver_init. */
typedef struct armproto_receiver {
    uint8_t buf[ARMPROTO_MAX_ENCODED];
    uint16_t len;
    uint8_t discarding;        /* overlong frame: dropping bytes up to the next 0x00 */
    uint8_t requests_only;     /* a device's receiver: every device-range type is unknown (armproto_receiver_init_device) */
    armproto_stats stats;      /* the receiver maintains the rx_* fields */
} armproto_receiver;

/* armproto_receiver_feed *result values besides negative errors. */
#define ARMPROTO_RX_NEED_MORE 0  /* input consumed, no complete frame yet */
#define ARMPROTO_RX_MESSAGE   1  /* *msg holds a valid, known message */

void armproto_receiver_init(armproto_receiver *rx);

/**
 * A device's receiver (PROTOCOL.md section 4): a frame of a device-range type (0x80-0xFF) is
 * never a request, so it is classified ARMPROTO_ERR_UNKNOWN_TYPE whatever its length, and counted
 * in rx_unknown_type, never in rx_bad_length.
 */
void armproto_receiver_init_device(armproto_receiver *rx);

/**
 * Consumes bytes until one frame ends (its 0x00 is consumed), a frame is
 * dropped as overlong, or the input runs out; returns the number consumed.
 * *result is ARMPROTO_RX_MESSAGE (msg filled), ARMPROTO_RX_NEED_MORE, or the
 * negative error of a dropped frame (counted in rx->stats). Call again with
 * the remaining bytes until all are consumed. Empty frames (0x00 0x00) are
 * skipped silently.
 */
size_t armproto_receiver_feed(armproto_receiver *rx, const uint8_t *data, size_t len,
                              armproto_msg *msg, int *result);

/* ------------------------------------------------------------------------ */
/* Position controller of MOVE (PROTOCOL.md 8.6)                             */
/* ------------------------------------------------------------------------ */

/**
 * One move: what MOVE asked for and where the controller's setpoint is. Pure data, so that a
 * simulator can run exactly the device's controller (Armature's simulated arm does).
 */
typedef struct armproto_move {
    float    target[ARMPROTO_MAX_JOINTS];   /* rad */
    float    kp[ARMPROTO_MAX_JOINTS];       /* N*m/rad */
    float    kd[ARMPROTO_MAX_JOINTS];       /* N*m*s/rad */
    float    setpoint[ARMPROTO_MAX_JOINTS]; /* rad: moves towards target at most max_velocity */
    float    integral[ARMPROTO_MAX_JOINTS]; /* rad*s: the integral of setpoint - q, bounded (anti-windup) */
    float    max_velocity;                  /* rad/s, > 0 */
    float    position_tolerance;            /* rad, >= 0 */
    float    velocity_tolerance;            /* rad/s, >= 0 */
    float    integral_time;                 /* s, >= 0; 0: no integral action */
    uint64_t updated_us;                    /* device time of the last update */
} armproto_move;

/* armproto_move_update result flags. */
#define ARMPROTO_MOVE_SETTLED 1  /* every joint within the tolerances, the setpoint at the target */
#define ARMPROTO_MOVE_CLAMPED 2  /* a torque was clamped to its limit */

/** Takes a MOVE's target, gains and limits from a decoded message (the setpoint is not touched). */
void armproto_move_set(armproto_move *m, const armproto_msg *req);

/** Starts the setpoint at the measured positions q at device time now_us, the integrals at zero. */
void armproto_move_start(armproto_move *m, const float *q, uint8_t n, uint64_t now_us);

/**
 * One controller update at device time now_us, from measured q (rad) and qd (rad/s): the setpoint
 * advances towards the target by at most max_velocity * dt (dt = now_us - updated_us); with
 * e = setpoint - q, the integral I += e * dt (kept to |kp * I / Ti| <= limit when Ti > 0), and
 * tau[j] = kp[j] * (e + I / Ti) + kd[j] * (v_ref[j] - qd[j]), clamped to +-limit[j], where v_ref is
 * the setpoint's velocity (+-max_velocity while it travels, 0 once at the target) and the I / Ti
 * term is absent when Ti = 0; a torque that is still not finite (products overflowed) is 0,
 * flagged ARMPROTO_MOVE_CLAMPED. Returns ARMPROTO_MOVE_* flags.
 */
int armproto_move_update(armproto_move *m, const float *q, const float *qd, const float *limit, uint8_t n,
                         uint64_t now_us, float *tau);

/**
 * 0 if a decoded MOVE's values are usable: ARMPROTO_RESULT_NON_FINITE for a NaN or infinity
 * (scalars first, then the lowest joint, target before kp before kd; *joint = that joint or
 * ARMPROTO_NO_JOINT for a scalar, *bits = the value's bit pattern), ARMPROTO_RESULT_OUT_OF_RANGE
 * for a negative gain, tolerance or integral time, a max_velocity not above zero, or a target
 * outside [low, high]
 * (*joint = the joint, or ARMPROTO_NO_JOINT for a scalar).
 */
uint8_t armproto_move_check(const armproto_msg *req, const float *low, const float *high, uint8_t *joint,
                            uint32_t *bits);

/* ------------------------------------------------------------------------ */
/* Device state machine                                                      */
/* ------------------------------------------------------------------------ */

/**
 * What the device needs from its hardware (or from a simulator). All
 * callbacks receive `ctx`. Required: now_us, set_torques, read_joints, write.
 * Optional (NULL = absent): estop_input, home, home_velocity.
 */
typedef struct armproto_board {
    void *ctx;
    /** Monotonic microseconds since an arbitrary origin. The device's only time source. */
    uint64_t (*now_us)(void *ctx);
    /** Output n joint torques in N*m (already clamped) and hold them. 0 on success. */
    int (*set_torques)(void *ctx, const float *tau, uint8_t n);
    /** Sample q (rad), qd (rad/s), measured tau (N*m) for n joints. 0 on success. */
    int (*read_joints)(void *ctx, float *q, float *qd, float *tau, uint8_t n);
    /** Send bytes to the host (one call per complete frame). */
    void (*write)(void *ctx, const uint8_t *bytes, size_t n);
    /** Optional: nonzero while a hardware emergency-stop input is asserted. */
    int (*estop_input)(void *ctx);
    /** Optional: declare that the arm is now at positions q (re-zero encoders). 0 on success. */
    int (*home)(void *ctx, const float *q, uint8_t n);
    /**
     * Optional: the watchdog's clock, monotonic microseconds of real time. NULL = now_us. A board
     * whose now_us is not real time (a lockstep simulator, whose clock advances only with applied
     * torques) MUST supply it: a clock that stops when the host stops can never trip the watchdog
     * (PROTOCOL.md 8.2).
     */
    uint64_t (*watchdog_now_us)(void *ctx);
    /**
     * Optional (protocol 1.1): place the arm at positions q moving with velocities qd, for boards
     * that can set velocity (simulators). qd is never NULL: zeros when HOME carried none. When
     * present it handles every HOME; otherwise `home` does and velocities are ignored.
     */
    int (*home_velocity)(void *ctx, const float *q, const float *qd, uint8_t n);
} armproto_board;

/** Device identity and limits, fixed at init. */
typedef struct armproto_device_config {
    uint8_t  joint_count;                        /* 1..ARMPROTO_MAX_JOINTS */
    uint8_t  lockstep_clock;                     /* 1: now_us advances only with applied TORQUE/MOVE (reported in HELLO_REPLY) */
    uint8_t  reserved0[2];
    uint32_t watchdog_us;                        /* torque stream timeout while enabled, > 0 */
    uint32_t firmware_id;                        /* vendor-defined board/firmware identifier */
    uint32_t firmware_version;                   /* vendor-defined, e.g. (major<<16)|(minor<<8)|patch */
    float    torque_limit[ARMPROTO_MAX_JOINTS];  /* N*m, > 0; +inf means no device limit */
    float    position_low[ARMPROTO_MAX_JOINTS];  /* rad: HOME or a MOVE target below it is refused (OUT_OF_RANGE); -inf: none */
    float    position_high[ARMPROTO_MAX_JOINTS]; /* rad: HOME or a MOVE target above it is refused (OUT_OF_RANGE); +inf: none */
} armproto_device_config;

/** Device state: caller-owned, initialise with armproto_device_init. */
typedef struct armproto_device {
    armproto_board board;
    armproto_device_config config;
    armproto_receiver rx;      /* rx.stats holds every counter of STATS */
    uint8_t  enabled;
    uint8_t  estop_latched;
    uint8_t  watchdog_tripped;
    uint8_t  handshake_done;
    uint8_t  fault;            /* latched ARMPROTO_FAULT_*, cleared by ENABLE or RESET */
    uint8_t  clamped;          /* last applied torque was clamped */
    uint8_t  estop_input;      /* last sampled hardware e-stop input */
    uint8_t  moving;           /* protocol 1.3: the MOVE controller drives the arm (until TORQUE or any stop) */
    uint8_t  settled;          /* moving and at the target at the last controller update */
    uint8_t  actor_running;    /* protocol 1.4: the actor commands the torque (from the first applied GOAL until TORQUE, MOVE or any stop) */
    uint8_t  reserved0[2];
    uint32_t applied_seq;      /* seq of the TORQUE in force (ENABLE's seq right after enabling) */
    uint64_t last_command_us;  /* time the watchdog was last fed, on the watchdog's clock */
    float    tau_out[ARMPROTO_MAX_JOINTS];  /* torque currently commanded to the board */
    armproto_move move;        /* the MOVE in force while `moving` */
    float    q_in[ARMPROTO_MAX_JOINTS];     /* scratch: joints read for the controller */
    float    qd_in[ARMPROTO_MAX_JOINTS];
    float    tau_in[ARMPROTO_MAX_JOINTS];
    const armproto_actor *actor;            /* protocol 1.4: the actor GOAL runs (armproto_device_set_actor); NULL: none */
    float    goal[ARMPROTO_ACTOR_MAX_GOAL]; /* the goal in force while actor_running */
    float    previous_action[ARMPROTO_MAX_JOINTS]; /* the actor's last action, clamped to [-1, 1]; zero at its start */
    float    action[ARMPROTO_MAX_JOINTS];   /* scratch: the actor's action */
    float    observation[4 * ARMPROTO_MAX_JOINTS + 4]; /* scratch: the actor's observation (largest layout) */
    uint64_t actor_updated_us; /* device time of the actor's last step */
    armproto_actor_scratch actor_scratch;   /* the forward pass's activations */
    armproto_msg msg;          /* scratch: decoded request */
    armproto_msg reply;        /* scratch: reply being built */
    uint8_t  tx[ARMPROTO_MAX_FRAME];
} armproto_device;

/** Fills a config with n joints, a 100 ms watchdog, no torque limits and no joint range. */
void armproto_device_config_default(armproto_device_config *cfg, uint8_t joint_count);

/** Sets one joint's torque limit (N*m, > 0, +inf for none). Returns 0 or ARMPROTO_ERR_ARG. */
int armproto_device_config_set_limit(armproto_device_config *cfg, uint8_t joint, float limit);

/**
 * Sets one joint's position range, rad (low <= high, neither NaN; -inf/+inf for no bound). HOME
 * with a position outside it is refused with OUT_OF_RANGE. Returns 0 or ARMPROTO_ERR_ARG.
 */
int armproto_device_config_set_range(armproto_device_config *cfg, uint8_t joint, float low, float high);

/**
 * Initialises a device: disabled, no handshake, zero torque output (the board's
 * set_torques is called once with zeros). Returns 0 or ARMPROTO_ERR_ARG when
 * the board lacks a required callback or the config is invalid.
 */
int armproto_device_init(armproto_device *dev, const armproto_board *board,
                         const armproto_device_config *cfg);

/** Feeds bytes received from the host; handles every complete frame, writing replies. */
void armproto_device_receive(armproto_device *dev, const uint8_t *bytes, size_t len);

/** Handles one already decoded request (what receive does per frame). */
void armproto_device_handle(armproto_device *dev, const armproto_msg *msg);

/**
 * Runs the time-driven part: the hardware e-stop input and the watchdog.
 * Call it periodically (the reaction time is the period plus one poll
 * interval; the reference firmware polls at 1 kHz). Deterministic given the
 * board clock.
 */
void armproto_device_poll(armproto_device *dev);

/**
 * Runs one update of the MOVE controller now (nothing when not moving): reads the joints, computes
 * the torque, commands it. The poll does this whenever the device clock has advanced; a lockstep
 * simulator, whose clock advances inside its own physics steps, calls it after each step. Raises
 * SENSOR or ACTUATOR faults as a TORQUE would.
 */
void armproto_device_control(armproto_device *dev);

/**
 * Gives the device an actor for GOAL (protocol 1.4; NULL removes it). The actor must pass
 * armproto_actor_check and have the device's joint count; it must outlive the device (it is
 * usually const data in flash). Stops a running actor. Returns 0, ARMPROTO_ERR_ARG for a joint
 * count other than the device's, or the check's error.
 */
int armproto_device_set_actor(armproto_device *dev, const armproto_actor *actor);

/**
 * Runs one step of the actor now (nothing unless it is running): reads the joints, builds the
 * observation, runs the network, maps the action through the actuator map and guard limits and
 * the device's torque limits, commands it. The poll does this every control period in real
 * time; in lockstep each applied GOAL does it once. Raises SENSOR, ACTUATOR or ACTOR_OUTPUT faults.
 */
void armproto_device_actor_step(armproto_device *dev);

/** Current ARMPROTO_STATUS_* flags. */
uint32_t armproto_device_status(const armproto_device *dev);

#ifdef __cplusplus
}
#endif

#endif /* ARMPROTO_H */
