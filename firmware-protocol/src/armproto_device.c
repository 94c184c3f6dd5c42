/* The device state machine (PROTOCOL.md, "Device behaviour"). */
#include "armproto_internal.h"

void armproto_device_config_default(armproto_device_config *cfg, uint8_t joint_count)
{
    int j;
    const uint32_t inf_bits = 0x7F800000u;
    float inf;

    memcpy(&inf, &inf_bits, sizeof inf);
    memset(cfg, 0, sizeof *cfg);
    cfg->joint_count = joint_count;
    cfg->watchdog_us = 100000u;
    for (j = 0; j < ARMPROTO_MAX_JOINTS; j++) {
        cfg->torque_limit[j] = inf;
        cfg->position_low[j] = -inf;
        cfg->position_high[j] = inf;
    }
}

static int limit_ok(float limit)
{
    /* Positive and not NaN; +inf (no limit) passes. */
    return limit > 0.0f;
}

/* Neither bound NaN (every comparison with NaN is false) and low <= high. */
static int range_ok(float low, float high)
{
    return low <= high;
}

int armproto_device_config_set_range(armproto_device_config *cfg, uint8_t joint, float low, float high)
{
    if (cfg == NULL || joint >= ARMPROTO_MAX_JOINTS || !range_ok(low, high)) {
        return ARMPROTO_ERR_ARG;
    }
    cfg->position_low[joint] = low;
    cfg->position_high[joint] = high;
    return 0;
}

int armproto_device_config_set_limit(armproto_device_config *cfg, uint8_t joint, float limit)
{
    if (cfg == NULL || joint >= ARMPROTO_MAX_JOINTS || !limit_ok(limit)) {
        return ARMPROTO_ERR_ARG;
    }
    cfg->torque_limit[joint] = limit;
    return 0;
}

uint32_t armproto_device_status(const armproto_device *dev)
{
    uint32_t s = 0;
    if (dev->enabled) s |= ARMPROTO_STATUS_ENABLED;
    if (dev->estop_latched) s |= ARMPROTO_STATUS_ESTOP_LATCHED;
    if (dev->watchdog_tripped) s |= ARMPROTO_STATUS_WATCHDOG_TRIPPED;
    if (dev->fault != ARMPROTO_FAULT_NONE) s |= ARMPROTO_STATUS_FAULT;
    if (dev->clamped) s |= ARMPROTO_STATUS_TORQUE_CLAMPED;
    if (dev->handshake_done) s |= ARMPROTO_STATUS_HANDSHAKE_DONE;
    if (dev->estop_input) s |= ARMPROTO_STATUS_ESTOP_INPUT;
    if (dev->moving) s |= ARMPROTO_STATUS_MOVING;
    if (dev->moving && dev->settled) s |= ARMPROTO_STATUS_SETTLED;
    if (dev->actor_running) s |= ARMPROTO_STATUS_ACTOR;
    return s;
}

static uint64_t now(armproto_device *dev)
{
    return dev->board.now_us(dev->board.ctx);
}

/* The watchdog's clock: real time even where the device clock is simulated (PROTOCOL.md 8.2). */
static uint64_t watchdog_now(armproto_device *dev)
{
    if (dev->board.watchdog_now_us != NULL) {
        return dev->board.watchdog_now_us(dev->board.ctx);
    }
    return dev->board.now_us(dev->board.ctx);
}

static void send(armproto_device *dev, const armproto_msg *m)
{
    int n = armproto_encode_msg(m, dev->tx, sizeof dev->tx);
    if (n > 0) {
        dev->board.write(dev->board.ctx, dev->tx, (size_t)n);
        dev->rx.stats.tx_frames++;
    }
}

/* Zeroes the output and disables. Returns the board's result. */
static int stop(armproto_device *dev)
{
    memset(dev->tau_out, 0, sizeof dev->tau_out);
    dev->enabled = 0;
    dev->clamped = 0;
    dev->moving = 0;
    dev->settled = 0;
    dev->actor_running = 0;
    return dev->board.set_torques(dev->board.ctx, dev->tau_out, dev->config.joint_count);
}

/* Stops, latches the first fault since the last ENABLE/RESET and reports it. */
static void raise_fault(armproto_device *dev, uint8_t code, uint8_t joint, uint32_t detail, uint32_t seq)
{
    armproto_msg *m = &dev->reply;
    int rc = stop(dev);

    if (dev->fault == ARMPROTO_FAULT_NONE) {
        dev->fault = code;
    }
    armproto_msg_init(m, ARMPROTO_MSG_FAULT);
    m->seq = seq;
    m->fault = code;
    m->fault_joint = joint;
    m->fault_detail = detail;
    m->time_us = now(dev);
    m->status = armproto_device_status(dev);
    send(dev, m);
    /* Zeroing itself failed: report that too, once (no recursion). */
    if (rc != 0 && code != ARMPROTO_FAULT_ACTUATOR) {
        armproto_msg_init(m, ARMPROTO_MSG_FAULT);
        m->seq = seq;
        m->fault = ARMPROTO_FAULT_ACTUATOR;
        m->fault_joint = ARMPROTO_NO_JOINT;
        m->fault_detail = (uint32_t)rc;
        m->time_us = now(dev);
        m->status = armproto_device_status(dev);
        send(dev, m);
    }
}

static void latch_estop(armproto_device *dev, uint32_t seq, uint32_t detail)
{
    if (!dev->estop_latched) {
        dev->estop_latched = 1;
        raise_fault(dev, ARMPROTO_FAULT_ESTOP, ARMPROTO_NO_JOINT, detail, seq);
    } else {
        (void)stop(dev);
    }
}

/* E-stop input and watchdog; run before every request and on every poll. */
static void check_inputs(armproto_device *dev)
{
    uint64_t t = watchdog_now(dev);

    if (dev->board.estop_input != NULL) {
        dev->estop_input = dev->board.estop_input(dev->board.ctx) != 0;
        if (dev->estop_input && !dev->estop_latched) {
            latch_estop(dev, dev->applied_seq, 1u);
        }
    }
    if (dev->enabled && t - dev->last_command_us >= dev->config.watchdog_us) {
        uint64_t late = t - dev->last_command_us;
        dev->watchdog_tripped = 1;
        dev->rx.stats.watchdog_trips++;
        raise_fault(dev, ARMPROTO_FAULT_WATCHDOG, ARMPROTO_NO_JOINT,
                    late > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)late, dev->applied_seq);
    }
}

int armproto_device_init(armproto_device *dev, const armproto_board *board,
                         const armproto_device_config *cfg)
{
    uint8_t j;

    if (dev == NULL || board == NULL || cfg == NULL || board->now_us == NULL ||
        board->set_torques == NULL || board->read_joints == NULL || board->write == NULL) {
        return ARMPROTO_ERR_ARG;
    }
    if (cfg->joint_count < 1 || cfg->joint_count > ARMPROTO_MAX_JOINTS || cfg->watchdog_us == 0) {
        return ARMPROTO_ERR_ARG;
    }
    for (j = 0; j < cfg->joint_count; j++) {
        if (!limit_ok(cfg->torque_limit[j]) || !range_ok(cfg->position_low[j], cfg->position_high[j])) {
            return ARMPROTO_ERR_ARG;
        }
    }
    memset(dev, 0, sizeof *dev);
    dev->board = *board;
    dev->config = *cfg;
    armproto_receiver_init_device(&dev->rx);
    if (stop(dev) != 0) {
        dev->fault = ARMPROTO_FAULT_ACTUATOR;
    }
    return 0;
}

/* Reads the joints into the device's scratch; raises SENSOR on failure. 0 on success. */
static int sample_joints(armproto_device *dev, uint32_t seq)
{
    int rc = dev->board.read_joints(dev->board.ctx, dev->q_in, dev->qd_in, dev->tau_in, dev->config.joint_count);
    if (rc != 0) {
        raise_fault(dev, ARMPROTO_FAULT_SENSOR, ARMPROTO_NO_JOINT, (uint32_t)rc, seq);
    }
    return rc;
}

/* One update of the MOVE controller from fresh readings; faults as a TORQUE would. 0 on success. */
static int run_controller(armproto_device *dev, uint32_t seq)
{
    uint8_t n = dev->config.joint_count;
    int flags;
    int rc;

    if (sample_joints(dev, seq) != 0) {
        return -1;
    }
    flags = armproto_move_update(&dev->move, dev->q_in, dev->qd_in, dev->config.torque_limit, n, now(dev), dev->tau_out);
    dev->settled = (flags & ARMPROTO_MOVE_SETTLED) != 0;
    dev->clamped = (flags & ARMPROTO_MOVE_CLAMPED) != 0;
    rc = dev->board.set_torques(dev->board.ctx, dev->tau_out, n);
    if (rc != 0) {
        raise_fault(dev, ARMPROTO_FAULT_ACTUATOR, ARMPROTO_NO_JOINT, (uint32_t)rc, seq);
        return -1;
    }
    return 0;
}

/* One step of the on-device actor (PROTOCOL.md 8.7) from fresh readings. 0 on success. */
static int run_actor(armproto_device *dev, uint32_t seq)
{
    const armproto_actor *actor = dev->actor;
    uint8_t n = dev->config.joint_count;
    uint8_t j;
    int flags;
    int rc;

    if (sample_joints(dev, seq) != 0) {
        return -1;
    }
    armproto_actor_observe(actor, dev->q_in, dev->qd_in, dev->goal, dev->previous_action, dev->observation);
    armproto_actor_forward(actor, dev->observation, dev->action, &dev->actor_scratch);
    flags = armproto_actor_torques(actor, dev->action, dev->q_in, dev->qd_in, dev->tau_out);
    if (flags < 0) {
        /* The torques are zero already; the fault stops the device and names the joint. */
        uint32_t bits;
        uint8_t bad = (uint8_t)(-flags - 1);
        memcpy(&bits, &dev->action[bad], sizeof bits);
        raise_fault(dev, ARMPROTO_FAULT_ACTOR_OUTPUT, bad, bits, seq);
        return -1;
    }
    dev->clamped = (flags & ARMPROTO_ACTOR_GUARDED) != 0;
    for (j = 0; j < n; j++) {
        /* The device's own limits last, as for a TORQUE from the host. */
        float lim = dev->config.torque_limit[j];
        if (dev->tau_out[j] > lim) {
            dev->tau_out[j] = lim;
            dev->clamped = 1;
        } else if (dev->tau_out[j] < -lim) {
            dev->tau_out[j] = -lim;
            dev->clamped = 1;
        }
        /* What the next observation's previous-action values read: the action as the map used it. */
        dev->previous_action[j] = dev->action[j] > 1.0f ? 1.0f : (dev->action[j] < -1.0f ? -1.0f : dev->action[j]);
    }
    rc = dev->board.set_torques(dev->board.ctx, dev->tau_out, n);
    if (rc != 0) {
        raise_fault(dev, ARMPROTO_FAULT_ACTUATOR, ARMPROTO_NO_JOINT, (uint32_t)rc, seq);
        return -1;
    }
    return 0;
}

void armproto_device_actor_step(armproto_device *dev)
{
    if (dev->actor_running && dev->enabled) {
        dev->actor_updated_us = now(dev);
        (void)run_actor(dev, dev->applied_seq);
    }
}

int armproto_device_set_actor(armproto_device *dev, const armproto_actor *actor)
{
    int rc;
    if (dev == NULL) {
        return ARMPROTO_ERR_ARG;
    }
    if (actor != NULL) {
        if ((rc = armproto_actor_check(actor)) != 0) {
            return rc;
        }
        if (actor->joint_count != dev->config.joint_count) {
            return ARMPROTO_ERR_ARG;
        }
    }
    if (dev->actor_running) {
        (void)stop(dev);
    }
    dev->actor = actor;
    return 0;
}

void armproto_device_control(armproto_device *dev)
{
    if (dev->moving && dev->enabled) {
        (void)run_controller(dev, dev->applied_seq);
    }
}

void armproto_device_poll(armproto_device *dev)
{
    check_inputs(dev);
    /* Only when the device clock has moved: a lockstep device's clock stands still between
     * requests, and its simulator runs the controller inside its own steps. */
    if (dev->moving && dev->enabled && now(dev) != dev->move.updated_us) {
        (void)run_controller(dev, dev->applied_seq);
    }
    /* The actor keeps its own control period on the device clock. A lockstep device's clock moves
     * only inside a GOAL's step, which has run the actor already: there the poll never does. */
    if (dev->actor_running && dev->enabled && !dev->config.lockstep_clock) {
        uint64_t t = now(dev);
        uint64_t due = dev->actor_updated_us + dev->actor->control_period_us;
        if (t >= due) {
            /* Steps stay on the period's grid (a late poll does not delay the next step); after
             * a stall of more than a period the grid restarts from now rather than catching up. */
            dev->actor_updated_us = t - due < dev->actor->control_period_us ? due : t;
            (void)run_actor(dev, dev->applied_seq);
        }
    }
}

static void reply_ack(armproto_device *dev, const armproto_msg *req)
{
    armproto_msg *m = &dev->reply;
    armproto_msg_init(m, ARMPROTO_MSG_ACK);
    m->seq = req->seq;
    m->request_type = req->type;
    send(dev, m);
}

static void reply_nak(armproto_device *dev, uint8_t type, uint32_t seq, uint8_t error)
{
    armproto_msg *m = &dev->reply;
    armproto_msg_init(m, ARMPROTO_MSG_NAK);
    m->seq = seq;
    m->request_type = type;
    m->result = error;
    send(dev, m);
}

static void reply_state(armproto_device *dev, uint32_t seq, uint8_t result)
{
    armproto_msg *m = &dev->reply;
    uint8_t n = dev->config.joint_count;
    uint64_t t;
    int rc;

    armproto_msg_init(m, ARMPROTO_MSG_STATE);
    t = now(dev);
    rc = dev->board.read_joints(dev->board.ctx, m->q, m->qd, m->tau, n);
    if (rc != 0) {
        raise_fault(dev, ARMPROTO_FAULT_SENSOR, ARMPROTO_NO_JOINT, (uint32_t)rc, seq);
        armproto_msg_init(m, ARMPROTO_MSG_STATE); /* do not report garbage readings */
        if (result == ARMPROTO_RESULT_OK) {
            result = ARMPROTO_RESULT_BOARD_ERROR;
        }
    }
    m->seq = seq;
    m->applied_seq = dev->applied_seq;
    m->time_us = t;
    m->status = armproto_device_status(dev);
    m->result = result;
    m->fault = dev->fault;
    m->joint_count = n;
    send(dev, m);
}

static void reply_hello(armproto_device *dev, uint32_t seq, uint8_t result)
{
    armproto_msg *m = &dev->reply;
    armproto_msg_init(m, ARMPROTO_MSG_HELLO_REPLY);
    m->seq = seq;
    m->result = result;
    m->version_major = ARMPROTO_VERSION_MAJOR;
    m->version_minor = ARMPROTO_VERSION_MINOR;
    m->joint_count = dev->config.joint_count;
    m->firmware_id = dev->config.firmware_id;
    m->firmware_version = dev->config.firmware_version;
    m->watchdog_us = dev->config.watchdog_us;
    m->max_frame = ARMPROTO_MAX_FRAME;
    memcpy(m->torque_limit, dev->config.torque_limit, sizeof m->torque_limit);
    m->capabilities = ARMPROTO_CAPABILITY_MOVE;
    if (dev->board.home != NULL || dev->board.home_velocity != NULL) m->capabilities |= ARMPROTO_CAPABILITY_HOME;
    if (dev->board.home_velocity != NULL) m->capabilities |= ARMPROTO_CAPABILITY_HOME_VELOCITY;
    if (dev->config.lockstep_clock) m->capabilities |= ARMPROTO_CAPABILITY_LOCKSTEP;
    if (dev->actor != NULL) m->capabilities |= ARMPROTO_CAPABILITY_ACTOR;
    send(dev, m);
}

/* A request whose form does not fit this device (BAD_LENGTH, BAD_JOINT_COUNT) is counted in
 * rx_bad_length however it was found out, by the decoder (n outside 1..16 or the build limit) or
 * here (n is not the device's joint count): rx_bad_length is the number of such NAKs. */
static void nak_form(armproto_device *dev, uint8_t type, uint32_t seq, uint8_t error)
{
    dev->rx.stats.rx_bad_length++;
    reply_nak(dev, type, seq, error);
}

/* 1 if every q[j] lies in the joint's configured range (q finite). */
static int in_range(const armproto_device *dev, const float *q, uint8_t n)
{
    uint8_t j;
    for (j = 0; j < n; j++) {
        if (!(q[j] >= dev->config.position_low[j] && q[j] <= dev->config.position_high[j])) {
            return 0;
        }
    }
    return 1;
}

/* Serial-number arithmetic (RFC 1982 style): is a after b, modulo 2^32? */
static int seq_newer(uint32_t a, uint32_t b)
{
    uint32_t d = a - b;
    return d != 0 && d < 0x80000000u;
}


/* The checks of the device's state that every motion command (TORQUE, MOVE) makes, in the order of
 * PROTOCOL.md 8.4: e-stop, enabled, sequence. 0 when the command may go on to its values. */
static uint8_t motion_refusal(const armproto_device *dev, uint32_t seq)
{
    if (dev->estop_latched) {
        return ARMPROTO_RESULT_ESTOP_LATCHED;
    }
    if (!dev->enabled) {
        return ARMPROTO_RESULT_NOT_ENABLED;
    }
    if (!seq_newer(seq, dev->applied_seq)) {
        return ARMPROTO_RESULT_STALE_SEQUENCE;
    }
    return ARMPROTO_RESULT_OK;
}

static void handle_torque(armproto_device *dev, const armproto_msg *req)
{
    uint8_t n = dev->config.joint_count;
    uint8_t result = ARMPROTO_RESULT_OK;
    int bad;

    if (req->joint_count != n) {
        dev->rx.stats.torque_rejected++;
        nak_form(dev, req->type, req->seq, ARMPROTO_RESULT_BAD_JOINT_COUNT);
        return;
    }
    if ((result = motion_refusal(dev, req->seq)) != ARMPROTO_RESULT_OK) {
        /* refused as it stands: the torque in force stays */
    } else if ((bad = ap_first_non_finite(req->tau, n)) >= 0) {
        uint32_t bits;
        memcpy(&bits, &req->tau[bad], sizeof bits);
        result = ARMPROTO_RESULT_NON_FINITE;
        raise_fault(dev, ARMPROTO_FAULT_NON_FINITE, (uint8_t)bad, bits, req->seq);
    } else {
        uint8_t j;
        int rc;
        dev->clamped = 0;
        for (j = 0; j < n; j++) {
            float lim = dev->config.torque_limit[j];
            float v = req->tau[j];
            if (v > lim) {
                v = lim;
                dev->clamped = 1;
            } else if (v < -lim) {
                v = -lim;
                dev->clamped = 1;
            }
            dev->tau_out[j] = v;
        }
        /* An applied TORQUE ends a move or the actor: the host commands the torque again. */
        dev->moving = 0;
        dev->settled = 0;
        dev->actor_running = 0;
        rc = dev->board.set_torques(dev->board.ctx, dev->tau_out, n);
        if (rc != 0) {
            result = ARMPROTO_RESULT_BOARD_ERROR;
            raise_fault(dev, ARMPROTO_FAULT_ACTUATOR, ARMPROTO_NO_JOINT, (uint32_t)rc, req->seq);
        } else {
            dev->applied_seq = req->seq;
            dev->last_command_us = watchdog_now(dev);
        }
    }
    if (result != ARMPROTO_RESULT_OK) {
        dev->rx.stats.torque_rejected++;
    }
    reply_state(dev, req->seq, result);
}

/* MOVE (PROTOCOL.md 8.4 and 8.6): the checks of TORQUE in the same order, then the values; an
 * accepted MOVE takes over from the torque in force, feeds the watchdog and runs the controller at
 * once, so that the STATE reports the torque it commands. */
static void handle_move(armproto_device *dev, const armproto_msg *req)
{
    uint8_t n = dev->config.joint_count;
    uint8_t result = ARMPROTO_RESULT_OK;
    uint8_t joint = ARMPROTO_NO_JOINT;
    uint32_t bits = 0;

    if (req->joint_count != n) {
        nak_form(dev, req->type, req->seq, ARMPROTO_RESULT_BAD_JOINT_COUNT);
        return;
    }
    if ((result = motion_refusal(dev, req->seq)) != ARMPROTO_RESULT_OK) {
        /* refused as it stands: a move in force goes on */
    } else if ((result = armproto_move_check(req, dev->config.position_low, dev->config.position_high, &joint, &bits)) ==
               ARMPROTO_RESULT_NON_FINITE) {
        raise_fault(dev, ARMPROTO_FAULT_NON_FINITE, joint, bits, req->seq);
    } else if (result == ARMPROTO_RESULT_OK) {
        if (!dev->moving) {
            if (sample_joints(dev, req->seq) != 0) {
                reply_state(dev, req->seq, ARMPROTO_RESULT_BOARD_ERROR);
                return;
            }
            armproto_move_start(&dev->move, dev->q_in, n, now(dev));
        }
        armproto_move_set(&dev->move, req);
        dev->moving = 1;
        dev->actor_running = 0; /* the position controller takes over from the actor */
        dev->applied_seq = req->seq;
        dev->last_command_us = watchdog_now(dev);
        if (run_controller(dev, req->seq) != 0) {
            result = ARMPROTO_RESULT_BOARD_ERROR;
        }
    }
    /* OUT_OF_RANGE and the refusals before it change nothing: a move in force goes on. */
    reply_state(dev, req->seq, result);
}

/* GOAL (PROTOCOL.md 8.4 and 8.7): form and capability first (NAKed), then the checks of TORQUE in
 * the same order (answered by STATE), then the values. An accepted GOAL sets the goal, feeds the
 * watchdog and, when the actor was not running, starts it with one step at once so that the STATE
 * reports its first torque; a lockstep device steps it once per GOAL, a real-time one at its
 * control period from the poll. */
static void handle_goal(armproto_device *dev, const armproto_msg *req)
{
    uint8_t result;
    int bad;

    if (dev->actor != NULL && req->goal_count != dev->actor->goal_count) {
        nak_form(dev, req->type, req->seq, ARMPROTO_RESULT_BAD_LENGTH);
        return;
    }
    if (dev->actor == NULL) {
        reply_nak(dev, req->type, req->seq, ARMPROTO_RESULT_NO_ACTOR);
        return;
    }
    if ((result = motion_refusal(dev, req->seq)) != ARMPROTO_RESULT_OK) {
        /* refused as it stands: the torque, move or goal in force stays */
    } else if ((bad = ap_first_non_finite(req->goal, req->goal_count)) >= 0) {
        uint32_t bits;
        memcpy(&bits, &req->goal[bad], sizeof bits);
        result = ARMPROTO_RESULT_NON_FINITE;
        raise_fault(dev, ARMPROTO_FAULT_NON_FINITE, ARMPROTO_NO_JOINT, bits, req->seq);
    } else {
        int step = dev->config.lockstep_clock || !dev->actor_running;
        memcpy(dev->goal, req->goal, sizeof(float) * req->goal_count);
        if (!dev->actor_running) {
            memset(dev->previous_action, 0, sizeof dev->previous_action);
        }
        dev->actor_running = 1;
        dev->moving = 0;
        dev->settled = 0;
        dev->applied_seq = req->seq;
        dev->last_command_us = watchdog_now(dev);
        if (step) {
            dev->actor_updated_us = now(dev);
        }
        if (step && run_actor(dev, req->seq) != 0) {
            result = ARMPROTO_RESULT_BOARD_ERROR;
        }
    }
    reply_state(dev, req->seq, result);
}

/* A board that can set velocities gets them (zeros when HOME carried none:
 * the arm is at rest); a board that cannot only re-zeroes its positions. */
static int home(armproto_device *dev, const armproto_msg *req)
{
    if (dev->board.home_velocity != NULL) {
        float rest[ARMPROTO_MAX_JOINTS];
        if (req->has_qd) {
            return dev->board.home_velocity(dev->board.ctx, req->q, req->qd, req->joint_count);
        }
        memset(rest, 0, sizeof rest);
        return dev->board.home_velocity(dev->board.ctx, req->q, rest, req->joint_count);
    }
    return dev->board.home(dev->board.ctx, req->q, req->joint_count);
}

void armproto_device_handle(armproto_device *dev, const armproto_msg *req)
{
    /* Time passes before the request is looked at: a TORQUE arriving after
     * the watchdog period finds the device already tripped. */
    check_inputs(dev);

    switch (req->type) {
    case ARMPROTO_MSG_HELLO: {
        uint8_t result = ARMPROTO_RESULT_OK;
        if (dev->enabled) {
            (void)stop(dev); /* a new session starts disabled */
        }
        if (req->version_major != ARMPROTO_VERSION_MAJOR) {
            result = ARMPROTO_RESULT_VERSION_MISMATCH;
        }
        dev->handshake_done = (result == ARMPROTO_RESULT_OK);
        reply_hello(dev, req->seq, result);
        break;
    }
    case ARMPROTO_MSG_ENABLE:
        if (!dev->handshake_done) {
            reply_nak(dev, req->type, req->seq, ARMPROTO_RESULT_NO_HANDSHAKE);
        } else if (dev->estop_latched) {
            reply_nak(dev, req->type, req->seq, ARMPROTO_RESULT_ESTOP_LATCHED);
        } else {
            int rc = stop(dev);
            if (rc != 0) {
                raise_fault(dev, ARMPROTO_FAULT_ACTUATOR, ARMPROTO_NO_JOINT, (uint32_t)rc, req->seq);
                reply_nak(dev, req->type, req->seq, ARMPROTO_RESULT_BOARD_ERROR);
                break;
            }
            dev->enabled = 1;
            dev->watchdog_tripped = 0;
            dev->fault = ARMPROTO_FAULT_NONE;
            dev->applied_seq = req->seq;
            dev->last_command_us = watchdog_now(dev);
            reply_ack(dev, req);
        }
        break;
    case ARMPROTO_MSG_DISABLE: {
        int rc = stop(dev);
        if (rc != 0) {
            raise_fault(dev, ARMPROTO_FAULT_ACTUATOR, ARMPROTO_NO_JOINT, (uint32_t)rc, req->seq);
            reply_nak(dev, req->type, req->seq, ARMPROTO_RESULT_BOARD_ERROR);
        } else {
            reply_ack(dev, req);
        }
        break;
    }
    case ARMPROTO_MSG_TORQUE:
        handle_torque(dev, req);
        break;
    case ARMPROTO_MSG_MOVE:
        handle_move(dev, req);
        break;
    case ARMPROTO_MSG_GOAL:
        handle_goal(dev, req);
        break;
    case ARMPROTO_MSG_HEARTBEAT:
        /* While the device's actor drives the arm, the host's heartbeat is what keeps it alive:
         * it feeds the watchdog then (protocol 1.4), and only then. */
        if (dev->actor_running && dev->enabled) {
            dev->last_command_us = watchdog_now(dev);
        }
        reply_state(dev, req->seq, ARMPROTO_RESULT_OK);
        break;
    case ARMPROTO_MSG_ESTOP:
        latch_estop(dev, req->seq, 0u);
        reply_ack(dev, req);
        break;
    case ARMPROTO_MSG_CLEAR_ESTOP:
        if (dev->estop_input) {
            reply_nak(dev, req->type, req->seq, ARMPROTO_RESULT_ESTOP_ACTIVE);
        } else {
            dev->estop_latched = 0;
            reply_ack(dev, req);
        }
        break;
    case ARMPROTO_MSG_RESET:
        /* The counters restart here: this RESET was counted before they were zeroed and is not
         * in the new counts; its ACK, sent after, is (tx_frames = 1). PROTOCOL.md 8.4. */
        (void)stop(dev);
        dev->watchdog_tripped = 0;
        dev->fault = ARMPROTO_FAULT_NONE;
        dev->handshake_done = 0;
        dev->applied_seq = 0;
        memset(&dev->rx.stats, 0, sizeof dev->rx.stats);
        reply_ack(dev, req);
        break;
    case ARMPROTO_MSG_HOME:
        /* The order of PROTOCOL.md 8.4 "Which refusal wins": form, capability, session,
         * safety state, values, execution. Re-zeroing the encoders while the e-stop is latched
         * or to a pose the arm cannot be in would move the limits the device protects. */
        if (req->joint_count != dev->config.joint_count) {
            nak_form(dev, req->type, req->seq, ARMPROTO_RESULT_BAD_JOINT_COUNT);
        } else if (dev->board.home == NULL && dev->board.home_velocity == NULL) {
            reply_nak(dev, req->type, req->seq, ARMPROTO_RESULT_UNSUPPORTED);
        } else if (!dev->handshake_done) {
            reply_nak(dev, req->type, req->seq, ARMPROTO_RESULT_NO_HANDSHAKE);
        } else if (dev->estop_latched) {
            reply_nak(dev, req->type, req->seq, ARMPROTO_RESULT_ESTOP_LATCHED);
        } else if (dev->enabled) {
            reply_nak(dev, req->type, req->seq, ARMPROTO_RESULT_MUST_BE_DISABLED);
        } else if (ap_first_non_finite(req->q, req->joint_count) >= 0 ||
                   (req->has_qd && ap_first_non_finite(req->qd, req->joint_count) >= 0)) {
            reply_nak(dev, req->type, req->seq, ARMPROTO_RESULT_NON_FINITE);
        } else if (!in_range(dev, req->q, req->joint_count)) {
            reply_nak(dev, req->type, req->seq, ARMPROTO_RESULT_OUT_OF_RANGE);
        } else if (home(dev, req) != 0) {
            reply_nak(dev, req->type, req->seq, ARMPROTO_RESULT_BOARD_ERROR);
        } else {
            reply_ack(dev, req);
        }
        break;
    case ARMPROTO_MSG_GET_STATS: {
        armproto_msg *m = &dev->reply;
        armproto_msg_init(m, ARMPROTO_MSG_STATS);
        m->seq = req->seq;
        m->stats = dev->rx.stats;
        m->stats.tx_frames++; /* count this reply in its own snapshot */
        send(dev, m);
        break;
    }
    default:
        /* Device-to-host types (high bit set) are never answered: a looped
         * back line must not start an endless NAK exchange. */
        if ((req->type & 0x80u) == 0) {
            reply_nak(dev, req->type, req->seq, ARMPROTO_RESULT_UNKNOWN_TYPE);
        } else if (armproto_msg_known(req->type)) {
            dev->rx.stats.rx_unknown_type++; /* a reply type is no request */
        }
        break;
    }
}

void armproto_device_receive(armproto_device *dev, const uint8_t *bytes, size_t len)
{
    while (len > 0) {
        int result;
        size_t used = armproto_receiver_feed(&dev->rx, bytes, len, &dev->msg, &result);
        bytes += used;
        len -= used;
        if (result == ARMPROTO_RX_MESSAGE) {
            armproto_device_handle(dev, &dev->msg);
        } else if (result == ARMPROTO_ERR_UNKNOWN_TYPE || result == ARMPROTO_ERR_BAD_LENGTH ||
                   result == ARMPROTO_ERR_JOINT_COUNT) {
            /* The frame is intact, so it came from the host: answer it. */
            if ((dev->msg.type & 0x80u) == 0) {
                uint8_t code = result == ARMPROTO_ERR_UNKNOWN_TYPE ? ARMPROTO_RESULT_UNKNOWN_TYPE
                             : result == ARMPROTO_ERR_BAD_LENGTH   ? ARMPROTO_RESULT_BAD_LENGTH
                                                                   : ARMPROTO_RESULT_BAD_JOINT_COUNT;
                check_inputs(dev);
                if (dev->msg.type == ARMPROTO_MSG_TORQUE) {
                    dev->rx.stats.torque_rejected++;
                }
                reply_nak(dev, dev->msg.type, dev->msg.seq, code);
            }
        }
        /* Damaged frames (CRC, COBS, short, overlong) are counted and dropped. */
    }
}
