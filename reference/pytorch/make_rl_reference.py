#!/usr/bin/env python3
"""Generate PyTorch reference numbers for Armature's Swift TD3 and SAC updates.

Writes reference/pytorch/rl_reference.json (next to this script).

How to run (from anywhere):
    scripts/install-python-packages --bench      # or any Python with torch and numpy
    .venv/bin/python3 reference/pytorch/make_rl_reference.py

Written from the update rules of CleanRL's td3_continuous_action.py and sac_continuous_action.py
(own code). It reuses the helpers and the DDPG networks of make_nn_reference.py by importing that
module, so the parameter formula, the float32 rounding rule, Adam (foreach=False) and the JSON layout
are exactly the ones of nn_reference.json. Everything is float32, CPU, torch.set_num_threads(1); no
torch RNG is used: every "random" draw comes from a tape given by a formula, and the tapes are also
stored in the JSON (the consumer needs no formula).

FORMULAS (0-based indices; evaluated in float64 with Python math, argument summed left to right as
written, then rounded to float32):
  Linear layer with PyTorch weight shape [out, in] and layer index k:
      weight[i][j] = 0.5*sin(0.37*(i+1) + 0.71*(j+1) + k),  bias[i] = 0.1*cos(0.53*(i+1) + k)
  Batch (identical to the "ddpg_update" case of nn_reference.json; checked against it at run time):
      obs[b][j]      = 0.6*sin(0.9*(b+1) + 0.5*(j+1))     5x3
      actions[b][j]  = 0.7*cos(1.1*(b+1) + 0.3*(j+1))     5x2
      next_obs[b][j] = 0.6*sin(1.7*(b+1) + 0.2*(j+1))     5x3
      rewards[b]     = -0.2*(b+1) + 0.05                  5
      dones          = [0, 0, 1, 0, 0]                    5 (termination)
  TD3 target-policy-smoothing tape (stands for N(0,1) draws; u = update, b = batch row, j = action):
      smoothing_noise[u][b][j] = 3.0*sin(0.61*(u+1) + 0.37*(b+1) + 0.83*(j+1))      4x5x2
    The amplitude 3.0 makes |tape*0.2| exceed noise_clip 0.5 for some entries, so the clamp is
    exercised (the JSON lists which entries clip).
  SAC reparameterisation tapes (N(0,1) draws; i = actor iteration 0..1 within an update):
      eps_next[u][b][j]     = 1.2*sin(0.43*(u+1) + 0.59*(b+1) + 0.97*(j+1))                   4x5x2
      eps_pi[u][i][b][j]    = 1.1*cos(0.29*(u+1) + 0.47*(i+1) + 0.67*(b+1) + 0.89*(j+1))      4x2x5x2
      eps_alpha[u][i][b][j] = 0.9*sin(0.53*(u+1) + 0.31*(i+1) + 0.73*(b+1) + 0.41*(j+1))      4x2x5x2
    eps_pi/eps_alpha are defined for every u; only the actor updates (u = 1 and 3, 0-based) use them.

Shapes: obs 3, action 2, hidden 8 (two ReLU hidden layers), batch 5, action_scale 1, action_bias 0.

Cases (see "procedure" in each case of the JSON for the exact order of operations):
  "td3_update": actor fc1 k=0, fc2 k=1, fc_mu k=2 (tanh); qf1 fc1 k=10 (input concat[obs, action]),
     fc2 k=11, fc3 k=12; qf2 k=20, 21, 22; targets start as exact copies. gamma 0.99, tau 0.005,
     policy_noise 0.2, noise_clip 0.5, lr 3e-4, ONE Adam over list(qf1) + list(qf2) parameters, one
     Adam for the actor. Four updates on the same batch, policy_frequency 2: the actor step and the
     Polyak averaging of all three targets happen on updates 2 and 4 (1-based).
  "sac_update": actor fc1 k=0, fc2 k=1, fc_mean k=2, fc_logstd k=3; qf1 k=10..12, qf2 k=20..22,
     qf1_target/qf2_target copies (no target actor). gamma 0.99, tau 0.005, policy lr 3e-4, q lr 1e-3
     (one Adam over qf1 + qf2), autotuned entropy: log_alpha = 0, target_entropy = -2, alpha Adam
     lr 1e-3. Four updates on the same batch; critic step every update; on updates 2 and 4 (1-based)
     the actor block runs policy_frequency = 2 iterations (actor step, then alpha step); Polyak of
     both Q targets every update (target_network_frequency 1).
  "sac_droq_update": "sac_update" with DroQ's critics (Hiraoka et al. 2021): each hidden layer of qf1,
     qf2 and their targets is Linear -> Dropout(0.25) -> LayerNorm(eps 1e-5) -> ReLU, the layer norms'
     weight and bias from LAYER_NORM_FORMULA, the dropout masks from MASK_FORMULA (one stream per
     network, indexed by its forward calls; stored per network as "dropout_tapes"). The critics stay in
     training mode throughout: the targets' y and the actor's loss are computed with dropout. Weights,
     batch, normal draws and procedure are sac_update's; the other cases' numbers do not depend on it.
"""
import json
import math
import os
import platform
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_nn_reference as nnref  # noqa: E402  (sets float32 default dtype and 1 thread)
from make_nn_reference import (  # noqa: E402
    Actor, QNetwork, f32_matrix, f32_vector, init_linear, make_adam, params_dict, grads_dict, tolist, dump,
)

OUT = os.path.join(HERE, "rl_reference.json")
NN_REFERENCE = os.path.join(HERE, "nn_reference.json")

torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)

OBS, ACT, HID, B = 3, 2, 8, 5
UPDATES = 4
GAMMA, TAU = 0.99, 0.005

TAPE_FORMULAS = {
    "smoothing_noise": "smoothing_noise[u][b][j] = 3.0*sin(0.61*(u+1) + 0.37*(b+1) + 0.83*(j+1)), 4x5x2",
    "eps_next": "eps_next[u][b][j] = 1.2*sin(0.43*(u+1) + 0.59*(b+1) + 0.97*(j+1)), 4x5x2",
    "eps_pi": "eps_pi[u][i][b][j] = 1.1*cos(0.29*(u+1) + 0.47*(i+1) + 0.67*(b+1) + 0.89*(j+1)), 4x2x5x2",
    "eps_alpha": "eps_alpha[u][i][b][j] = 0.9*sin(0.53*(u+1) + 0.31*(i+1) + 0.73*(b+1) + 0.41*(j+1)), 4x2x5x2",
}


def f32_array(shape, fn):
    """float64 formula over a multi-index -> float32 tensor of any rank."""
    data = np.empty(shape, dtype=np.float64)
    for idx in np.ndindex(*shape):
        data[idx] = fn(*idx)
    return torch.tensor(data.astype(np.float32))


def tapes():
    return {
        "smoothing_noise": f32_array((UPDATES, B, ACT), lambda u, b, j:
                                     3.0 * math.sin(0.61 * (u + 1) + 0.37 * (b + 1) + 0.83 * (j + 1))),
        "eps_next": f32_array((UPDATES, B, ACT), lambda u, b, j:
                              1.2 * math.sin(0.43 * (u + 1) + 0.59 * (b + 1) + 0.97 * (j + 1))),
        "eps_pi": f32_array((UPDATES, 2, B, ACT), lambda u, i, b, j:
                            1.1 * math.cos(0.29 * (u + 1) + 0.47 * (i + 1) + 0.67 * (b + 1) + 0.89 * (j + 1))),
        "eps_alpha": f32_array((UPDATES, 2, B, ACT), lambda u, i, b, j:
                               0.9 * math.sin(0.53 * (u + 1) + 0.31 * (i + 1) + 0.73 * (b + 1) + 0.41 * (j + 1))),
    }


def make_batch():
    obs = f32_matrix(B, OBS, lambda b, j: 0.6 * math.sin(0.9 * (b + 1) + 0.5 * (j + 1)))
    actions = f32_matrix(B, ACT, lambda b, j: 0.7 * math.cos(1.1 * (b + 1) + 0.3 * (j + 1)))
    next_obs = f32_matrix(B, OBS, lambda b, j: 0.6 * math.sin(1.7 * (b + 1) + 0.2 * (j + 1)))
    rewards = f32_matrix(B, 1, lambda b, _j: -0.2 * (b + 1) + 0.05)  # CleanRL buffer shape (B, 1)
    dones = torch.tensor([[0.0], [0.0], [1.0], [0.0], [0.0]], dtype=torch.float32)
    # Same batch as nn_reference.json's ddpg_update case, bit for bit.
    with open(NN_REFERENCE) as f:
        ddpg = json.load(f)["cases"]["ddpg_update"]
    for name, t in (("obs", obs), ("actions", actions), ("next_obs", next_obs),
                    ("rewards", rewards.view(-1)), ("dones", dones.view(-1))):
        assert tolist(t) == ddpg[name], f"batch {name} differs from nn_reference.json ddpg_update"
    return obs, actions, next_obs, rewards, dones


def batch_json(batch):
    obs, actions, next_obs, rewards, dones = batch
    return {
        "batch_formulas": {
            "obs": "obs[b][j] = 0.6*sin(0.9*(b+1) + 0.5*(j+1)), 5x3",
            "actions": "actions[b][j] = 0.7*cos(1.1*(b+1) + 0.3*(j+1)), 5x2",
            "next_obs": "next_obs[b][j] = 0.6*sin(1.7*(b+1) + 0.2*(j+1)), 5x3",
            "rewards": "rewards[b] = -0.2*(b+1) + 0.05",
            "dones": "[0,0,1,0,0] (termination only)",
            "note": "identical to nn_reference.json cases.ddpg_update",
        },
        "obs": tolist(obs),
        "actions": tolist(actions),
        "next_obs": tolist(next_obs),
        "rewards": tolist(rewards.view(-1)),
        "dones": tolist(dones.view(-1)),
    }


def polyak(online, target, tau):
    # CleanRL's loop: target = tau * online + (1 - tau) * target, in float32 tensors.
    for p, tp in zip(online.parameters(), target.parameters()):
        tp.data.copy_(tau * p.data + (1 - tau) * tp.data)


def layer_list(names_ks, ins, outs, acts):
    return [{"name": n, "in": i, "out": o, "k": k, "activation": a}
            for (n, k), i, o, a in zip(names_ks, ins, outs, acts)]


def q_layers(k0):
    layers = layer_list([("fc1", k0), ("fc2", k0 + 1), ("fc3", k0 + 2)], (OBS + ACT, HID, HID),
                        (HID, HID, 1), ("relu", "relu", "none"))
    layers[0]["input"] = "concat([obs, action], dim=1): columns 0..2 obs, 3..4 action"
    return layers


# ----------------------------------------------------------------------------------------------
# case "td3_update"

def case_td3(batch, tape):
    policy_noise, noise_clip, lr, policy_frequency = 0.2, 0.5, 3e-4, 2
    actor = Actor(OBS, ACT, HID, k0=0)
    qf1 = QNetwork(OBS, ACT, HID, k0=10)
    qf2 = QNetwork(OBS, ACT, HID, k0=20)
    target_actor = Actor(OBS, ACT, HID, k0=0)
    qf1_target = QNetwork(OBS, ACT, HID, k0=10)
    qf2_target = QNetwork(OBS, ACT, HID, k0=20)
    target_actor.load_state_dict(actor.state_dict())
    qf1_target.load_state_dict(qf1.state_dict())
    qf2_target.load_state_dict(qf2.state_dict())
    q_optimizer = make_adam(list(qf1.parameters()) + list(qf2.parameters()), lr)
    actor_optimizer = make_adam(list(actor.parameters()), lr)
    initial = {"actor": params_dict(actor), "qf1": params_dict(qf1), "qf2": params_dict(qf2)}

    obs, actions, next_obs, rewards, dones = batch
    noise_tape = tape["smoothing_noise"]
    updates = []
    clipped_entries, clamped_actions = [], []
    for u in range(UPDATES):
        rec = {"update": u + 1}
        # (1) TD target under no_grad, with the tape standing in for torch.randn_like(actions)
        with torch.no_grad():
            draws = noise_tape[u]
            clipped_noise = (draws * policy_noise).clamp(-noise_clip, noise_clip) * target_actor.action_scale
            target_pi = target_actor(next_obs)
            unclamped = target_pi + clipped_noise
            next_state_actions = unclamped.clamp(-1.0, 1.0)
            qf1_next_target = qf1_target(next_obs, next_state_actions)
            qf2_next_target = qf2_target(next_obs, next_state_actions)
            min_qf_next_target = torch.min(qf1_next_target, qf2_next_target)
            next_q_value = rewards.flatten() + (1 - dones.flatten()) * GAMMA * min_qf_next_target.view(-1)
        for b in range(B):
            for j in range(ACT):
                if abs(float(draws[b, j] * policy_noise)) > noise_clip:
                    clipped_entries.append([u, b, j])
                if abs(float(unclamped[b, j])) > 1.0:
                    clamped_actions.append([u, b, j])
        rec["smoothing_noise_draws"] = tolist(draws)
        rec["clipped_noise"] = tolist(clipped_noise)
        rec["target_actor_next_actions"] = tolist(target_pi)
        rec["next_actions"] = tolist(next_state_actions)
        rec["qf1_next_target"] = tolist(qf1_next_target.view(-1))
        rec["qf2_next_target"] = tolist(qf2_next_target.view(-1))
        rec["min_qf_next_target"] = tolist(min_qf_next_target.view(-1))
        rec["y"] = tolist(next_q_value)

        # (2) critic: both Q networks, one loss, one optimizer
        qf1_a_values = qf1(obs, actions).view(-1)
        qf2_a_values = qf2(obs, actions).view(-1)
        qf1_loss = F.mse_loss(qf1_a_values, next_q_value)
        qf2_loss = F.mse_loss(qf2_a_values, next_q_value)
        qf_loss = qf1_loss + qf2_loss
        q_optimizer.zero_grad()
        qf_loss.backward()
        rec["qf1_values"] = tolist(qf1_a_values)
        rec["qf2_values"] = tolist(qf2_a_values)
        rec["qf1_loss"] = float(qf1_loss.item())
        rec["qf2_loss"] = float(qf2_loss.item())
        rec["qf_loss_sum"] = float(qf_loss.item())
        rec["qf_loss"] = float(qf_loss.item()) / 2.0
        rec["qf1_grads"] = grads_dict(qf1)
        rec["qf2_grads"] = grads_dict(qf2)
        q_optimizer.step()

        # (3) delayed actor step + Polyak of all three targets
        actor_update = (u + 1) % policy_frequency == 0
        rec["actor_update"] = actor_update
        if actor_update:
            pi = actor(obs)
            q_pi = qf1(obs, pi)
            actor_loss = -q_pi.mean()
            actor_optimizer.zero_grad()
            actor_loss.backward()
            rec["actor_actions"] = tolist(pi)
            rec["qf1_of_actor_actions"] = tolist(q_pi.view(-1))
            rec["actor_loss"] = float(actor_loss.item())
            rec["actor_grads"] = grads_dict(actor)
            actor_optimizer.step()
            polyak(actor, target_actor, TAU)
            polyak(qf1, qf1_target, TAU)
            polyak(qf2, qf2_target, TAU)
        else:
            rec["actor_loss"] = None

        rec["actor_params"] = params_dict(actor)
        rec["qf1_params"] = params_dict(qf1)
        rec["qf2_params"] = params_dict(qf2)
        rec["target_actor_params"] = params_dict(target_actor)
        rec["qf1_target_params"] = params_dict(qf1_target)
        rec["qf2_target_params"] = params_dict(qf2_target)
        updates.append(rec)

    assert clipped_entries, "the smoothing tape must make some noise entries clip"
    return {
        "description": "CleanRL td3_continuous_action.py update, small shapes, policy_frequency 2, four "
                       "updates on the same batch; actor step and Polyak of all targets on updates 2 and 4.",
        "dims": {"obs": OBS, "action": ACT, "hidden": HID, "batch": B, "updates": UPDATES},
        "actor_layers": layer_list([("fc1", 0), ("fc2", 1), ("fc_mu", 2)], (OBS, HID, HID), (HID, HID, ACT),
                                   ("relu", "relu", "tanh")),
        "qf1_layers": q_layers(10),
        "qf2_layers": q_layers(20),
        "action_scale": 1.0,
        "action_bias": 0.0,
        "action_low": -1.0,
        "action_high": 1.0,
        "gamma": GAMMA,
        "tau": TAU,
        "policy_noise": policy_noise,
        "noise_clip": noise_clip,
        "policy_frequency": policy_frequency,
        "adam": {"actor_lr": lr, "q_lr": lr, "betas": [0.9, 0.999], "eps": 1e-8,
                 "note": "q optimizer: ONE Adam over list(qf1.parameters()) + list(qf2.parameters()); "
                         "actor optimizer: Adam over actor.parameters(); foreach=False"},
        "actor_update_on": [n for n in range(1, UPDATES + 1) if n % policy_frequency == 0],
        "procedure": [
            "Per update n = 1..4 (1-based), u = n - 1:",
            "(1) no_grad: draws = smoothing_noise[u] (5x2, stands for torch.randn_like(actions)); "
            "clipped_noise = clamp(draws * float32(0.2), -0.5, 0.5) * action_scale; "
            "next_actions = clamp(target_actor(next_obs) + clipped_noise, -1, 1); "
            "q1n = qf1_target(next_obs, next_actions).view(-1); q2n = qf2_target(...) likewise; "
            "y = rewards + ((1 - dones) * gamma) * min(q1n, q2n)  (float32; float32(0.99) multiplies "
            "(1 - dones) first, then min_q, then rewards are added)",
            "(2) qf1_values = qf1(obs, actions).view(-1); qf2_values = qf2(obs, actions).view(-1); "
            "qf1_loss = mean((qf1_values - y)^2); qf2_loss likewise; qf_loss_sum = qf1_loss + qf2_loss; "
            "q_optimizer.zero_grad(); qf_loss_sum.backward(); q_optimizer.step()  (one Adam over qf1 and "
            "qf2 parameters; y carries no gradient). The recorded qf_loss is qf_loss_sum / 2 "
            "(what CleanRL logs).",
            "(3) only if n % policy_frequency == 0 (n = 2, 4): actor_loss = -mean(qf1(obs, actor(obs))) "
            "using qf1 AFTER step (2); actor_optimizer.zero_grad(); backward; actor_optimizer.step() "
            "(the qf1 grads this backward leaves are discarded by the next q_optimizer.zero_grad()); then "
            "Polyak target = tau * online + (1 - tau) * target for target_actor, qf1_target, qf2_target, "
            "computed in float32 as float32(0.005)*online + float32(0.995)*target. On updates 1 and 3 "
            "neither the actor nor any target changes.",
        ],
        **batch_json(batch),
        "smoothing_noise": tolist(noise_tape),
        "smoothing_noise_formula": TAPE_FORMULAS["smoothing_noise"],
        "noise_clip_check": {
            "rule": "entry [u, b, j] clips when |float32(smoothing_noise[u][b][j] * 0.2)| > noise_clip",
            "clipped_entries": clipped_entries,
            "clipped_count": len(clipped_entries),
            "total_entries": UPDATES * B * ACT,
            "next_action_clamped_entries": clamped_actions,
            "next_action_clamp_note": ("the final clamp of target_actor(next_obs) + clipped_noise to [-1, 1] "
                                       + ("is reached by the entries listed" if clamped_actions else
                                          "is never reached with these shapes and parameters "
                                          "(|target_actor(next_obs)| < 0.5 and |clipped_noise| <= 0.5)")),
        },
        "initial_params": {"actor": initial["actor"], "qf1": initial["qf1"], "qf2": initial["qf2"],
                           "note": "target_actor, qf1_target, qf2_target start as exact copies"},
        "updates": updates,
    }


# ----------------------------------------------------------------------------------------------
# case "sac_update"

LOG_STD_MAX = 2
LOG_STD_MIN = -5


class SACActor(nn.Module):
    def __init__(self, obs_dim, act_dim, hidden, k0, action_scale=1.0, action_bias=0.0):
        super().__init__()
        self.fc1 = nn.Linear(obs_dim, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc_mean = nn.Linear(hidden, act_dim)
        self.fc_logstd = nn.Linear(hidden, act_dim)
        for k, layer in zip(range(k0, k0 + 4), (self.fc1, self.fc2, self.fc_mean, self.fc_logstd)):
            init_linear(layer, k)
        self.register_buffer("action_scale", torch.full((act_dim,), action_scale))
        self.register_buffer("action_bias", torch.full((act_dim,), action_bias))

    def forward(self, obs):
        h = F.relu(self.fc1(obs))
        h = F.relu(self.fc2(h))
        mean = self.fc_mean(h)
        log_std = torch.tanh(self.fc_logstd(h))
        log_std = LOG_STD_MIN + 0.5 * (LOG_STD_MAX - LOG_STD_MIN) * (log_std + 1)
        return mean, log_std

    def get_action(self, obs, eps):
        """Tanh-squashed Gaussian with the N(0,1) draws `eps` instead of normal.rsample()'s."""
        mean, log_std = self(obs)
        std = log_std.exp()
        normal = torch.distributions.Normal(mean, std)
        x_t = mean + eps * std  # what rsample() computes: loc + eps * scale
        y_t = torch.tanh(x_t)
        action = y_t * self.action_scale + self.action_bias
        log_prob = normal.log_prob(x_t)
        log_prob = log_prob - torch.log(self.action_scale * (1 - y_t.pow(2)) + 1e-6)
        log_prob = log_prob.sum(1, keepdim=True)
        det = torch.tanh(mean) * self.action_scale + self.action_bias
        return action, log_prob, det, {"mean": mean, "log_std": log_std, "x_t": x_t}


def case_sac(batch, tape, droq=None):
    """CleanRL's SAC update; with `droq` (a dict with "p"), DroQ's regularized critics instead of
    QNetwork: the same procedure, each critic and target drawing its own dropout masks."""
    policy_lr, q_lr, policy_frequency, target_network_frequency = 3e-4, 1e-3, 2, 1
    actor = SACActor(OBS, ACT, HID, k0=0)

    def make_q(k0, stream):
        if droq is None:
            return QNetwork(OBS, ACT, HID, k0=k0)
        return DroQNetwork(OBS, ACT, HID, k0=k0, p=droq["p"], stream=stream)

    qf1 = make_q(10, 1)
    qf2 = make_q(20, 2)
    qf1_target = make_q(10, 3)
    qf2_target = make_q(20, 4)
    qf1_target.load_state_dict(qf1.state_dict())
    qf2_target.load_state_dict(qf2.state_dict())
    q_optimizer = make_adam(list(qf1.parameters()) + list(qf2.parameters()), q_lr)
    actor_optimizer = make_adam(list(actor.parameters()), policy_lr)
    target_entropy = -torch.prod(torch.Tensor([ACT])).item()
    log_alpha = torch.zeros(1, requires_grad=True)
    alpha = log_alpha.exp().item()
    a_optimizer = make_adam([log_alpha], q_lr)
    initial = {"actor": params_dict(actor), "qf1": params_dict(qf1), "qf2": params_dict(qf2)}

    obs, actions, next_obs, rewards, dones = batch
    updates = []
    draw_stream = []
    min_one_minus_y2 = math.inf
    for u in range(UPDATES):
        rec = {"update": u + 1, "alpha_before": alpha}
        # (1) TD target under no_grad with the alpha current now
        with torch.no_grad():
            eps = tape["eps_next"][u]
            draw_stream.append({"update": u + 1, "tape": "eps_next", "index": [u], "values": tolist(eps)})
            next_state_actions, next_state_log_pi, _, parts = actor.get_action(next_obs, eps)
            min_one_minus_y2 = min(min_one_minus_y2, float((1 - next_state_actions.pow(2)).min()))
            qf1_next_target = qf1_target(next_obs, next_state_actions)
            qf2_next_target = qf2_target(next_obs, next_state_actions)
            min_qf_next_target = torch.min(qf1_next_target, qf2_next_target) - alpha * next_state_log_pi
            next_q_value = rewards.flatten() + (1 - dones.flatten()) * GAMMA * min_qf_next_target.view(-1)
        rec["next_mean"] = tolist(parts["mean"])
        rec["next_log_std"] = tolist(parts["log_std"])
        rec["next_x_t"] = tolist(parts["x_t"])
        rec["next_actions"] = tolist(next_state_actions)
        rec["next_log_pi"] = tolist(next_state_log_pi.view(-1))
        rec["qf1_next_target"] = tolist(qf1_next_target.view(-1))
        rec["qf2_next_target"] = tolist(qf2_next_target.view(-1))
        rec["min_qf_next_target"] = tolist(min_qf_next_target.view(-1))
        rec["y"] = tolist(next_q_value)

        # (2) critic
        qf1_a_values = qf1(obs, actions).view(-1)
        qf2_a_values = qf2(obs, actions).view(-1)
        qf1_loss = F.mse_loss(qf1_a_values, next_q_value)
        qf2_loss = F.mse_loss(qf2_a_values, next_q_value)
        qf_loss = qf1_loss + qf2_loss
        q_optimizer.zero_grad()
        qf_loss.backward()
        rec["qf1_values"] = tolist(qf1_a_values)
        rec["qf2_values"] = tolist(qf2_a_values)
        rec["qf1_loss"] = float(qf1_loss.item())
        rec["qf2_loss"] = float(qf2_loss.item())
        rec["qf_loss_sum"] = float(qf_loss.item())
        rec["qf_loss"] = float(qf_loss.item()) / 2.0
        rec["qf1_grads"] = grads_dict(qf1)
        rec["qf2_grads"] = grads_dict(qf2)
        q_optimizer.step()

        # (3) actor block on updates 2 and 4: policy_frequency iterations of actor step + alpha step
        actor_update = (u + 1) % policy_frequency == 0
        rec["actor_update"] = actor_update
        iterations = []
        if actor_update:
            for i in range(policy_frequency):
                it = {"iteration": i + 1, "alpha_used": alpha}
                eps_pi = tape["eps_pi"][u, i]
                draw_stream.append({"update": u + 1, "tape": "eps_pi", "index": [u, i], "values": tolist(eps_pi)})
                pi, log_pi, _, parts = actor.get_action(obs, eps_pi)
                min_one_minus_y2 = min(min_one_minus_y2, float((1 - pi.detach().pow(2)).min()))
                qf1_pi = qf1(obs, pi)
                qf2_pi = qf2(obs, pi)
                min_qf_pi = torch.min(qf1_pi, qf2_pi)
                actor_loss = ((alpha * log_pi) - min_qf_pi).mean()
                actor_optimizer.zero_grad()
                actor_loss.backward()
                it["pi"] = tolist(pi)
                it["log_pi"] = tolist(log_pi.view(-1))
                it["qf1_pi"] = tolist(qf1_pi.view(-1))
                it["qf2_pi"] = tolist(qf2_pi.view(-1))
                it["actor_loss"] = float(actor_loss.item())
                it["actor_grads"] = grads_dict(actor)
                actor_optimizer.step()
                it["actor_params"] = params_dict(actor)

                eps_alpha = tape["eps_alpha"][u, i]
                draw_stream.append({"update": u + 1, "tape": "eps_alpha", "index": [u, i],
                                    "values": tolist(eps_alpha)})
                with torch.no_grad():
                    _, log_pi_alpha, _, _ = actor.get_action(obs, eps_alpha)
                alpha_loss = (-log_alpha.exp() * (log_pi_alpha + target_entropy)).mean()
                a_optimizer.zero_grad()
                alpha_loss.backward()
                it["log_pi_alpha"] = tolist(log_pi_alpha.view(-1))
                it["alpha_loss"] = float(alpha_loss.item())
                it["log_alpha_grad"] = float(log_alpha.grad.item())
                a_optimizer.step()
                alpha = log_alpha.exp().item()
                it["log_alpha"] = float(log_alpha.item())
                it["alpha"] = alpha
                iterations.append(it)
        rec["actor_iterations"] = iterations
        rec["actor_losses"] = [it["actor_loss"] for it in iterations]
        rec["alpha_losses"] = [it["alpha_loss"] for it in iterations]
        rec["actor_loss"] = iterations[-1]["actor_loss"] if iterations else None
        rec["alpha_loss"] = iterations[-1]["alpha_loss"] if iterations else None

        # (4) Polyak of both Q targets (target_network_frequency 1: every update)
        if (u + 1) % target_network_frequency == 0:
            polyak(qf1, qf1_target, TAU)
            polyak(qf2, qf2_target, TAU)

        rec["alpha"] = alpha
        rec["log_alpha"] = float(log_alpha.item())
        rec["actor_params"] = params_dict(actor)
        rec["qf1_params"] = params_dict(qf1)
        rec["qf2_params"] = params_dict(qf2)
        rec["qf1_target_params"] = params_dict(qf1_target)
        rec["qf2_target_params"] = params_dict(qf2_target)
        updates.append(rec)

    with torch.no_grad():
        mean, _ = actor(obs)
        deterministic = torch.tanh(mean) * actor.action_scale + actor.action_bias

    result = {
        "description": "CleanRL sac_continuous_action.py update with autotuned alpha, small shapes, four "
                       "updates on the same batch, counted in updates: critic every update, actor block "
                       "(2 actor + alpha iterations) on updates 2 and 4, Q-target Polyak every update.",
        "dims": {"obs": OBS, "action": ACT, "hidden": HID, "batch": B, "updates": UPDATES},
        "actor_layers": layer_list([("fc1", 0), ("fc2", 1), ("fc_mean", 2), ("fc_logstd", 3)],
                                   (OBS, HID, HID, HID), (HID, HID, ACT, ACT),
                                   ("relu", "relu", "none (mean)", "tanh then rescale (log_std)")),
        "actor_note": "fc_mean and fc_logstd both read fc2's ReLU output",
        "qf1_layers": q_layers(10),
        "qf2_layers": q_layers(20),
        "action_scale": 1.0,
        "action_bias": 0.0,
        "log_std_min": LOG_STD_MIN,
        "log_std_max": LOG_STD_MAX,
        "gamma": GAMMA,
        "tau": TAU,
        "policy_frequency": policy_frequency,
        "target_network_frequency": target_network_frequency,
        "autotune": True,
        "target_entropy": target_entropy,
        "initial_log_alpha": 0.0,
        "initial_alpha": 1.0,
        "adam": {"policy_lr": policy_lr, "q_lr": q_lr, "alpha_lr": q_lr, "betas": [0.9, 0.999], "eps": 1e-8,
                 "note": "q optimizer: ONE Adam over list(qf1.parameters()) + list(qf2.parameters()); "
                         "actor optimizer over all actor parameters (fc_logstd included); alpha optimizer "
                         "Adam([log_alpha]) with log_alpha a float32 tensor of shape [1]; foreach=False"},
        "actor_update_on": [n for n in range(1, UPDATES + 1) if n % policy_frequency == 0],
        "get_action": [
            "h = relu(fc2(relu(fc1(x)))); mean = fc_mean(h); t = tanh(fc_logstd(h)); "
            "log_std = -5 + 3.5 * (t + 1)  (float32: (t + 1) * 3.5, then + (-5)); std = exp(log_std)",
            "x_t = mean + eps * std  (eps from a tape, in place of Normal.rsample()'s draw; gradients flow "
            "through mean and std); y_t = tanh(x_t); action = y_t * action_scale + action_bias",
            "log_prob = Normal(mean, std).log_prob(x_t), which torch computes as "
            "-((x_t - mean)^2) / (2 * std^2) - log(std) - log(sqrt(2*pi))  [log(std) is log of exp(log_std), "
            "not log_std itself; log(sqrt(2*pi)) is a float64 constant rounded to float32]; "
            "log_prob = log_prob - log(action_scale * (1 - y_t^2) + 1e-6); "
            "log_pi = sum of log_prob over the 2 action dims (shape [B, 1])",
            "deterministic (deployable) action = tanh(mean) * action_scale + action_bias",
        ],
        "procedure": [
            "Per update n = 1..4 (1-based), u = n - 1; alpha is a Python float (float64 holding a float32 "
            "value), 1.0 at the start:",
            "(1) no_grad: (a', logp') = get_action(next_obs, eps_next[u]); q1n = qf1_target(next_obs, a'); "
            "q2n = qf2_target(next_obs, a'); m = min(q1n, q2n) - alpha * logp'  (alpha current at this "
            "update, rounded to float32); y = rewards + ((1 - dones) * gamma) * m.view(-1)",
            "(2) qf1_values = qf1(obs, actions).view(-1); qf2_values likewise; qf1_loss = mean((qf1_values - "
            "y)^2); qf2_loss likewise; q_optimizer.zero_grad(); (qf1_loss + qf2_loss).backward(); "
            "q_optimizer.step(). Recorded qf_loss = (qf1_loss + qf2_loss) / 2.",
            "(3) only if n % policy_frequency == 0 (n = 2, 4): for i in 0, 1: "
            "(a) (pi, log_pi) = get_action(obs, eps_pi[u][i]) with the actor as it is now; "
            "actor_loss = mean(alpha * log_pi - min(qf1(obs, pi), qf2(obs, pi))) with qf1/qf2 AFTER step "
            "(2) and the alpha current at this iteration; actor_optimizer.zero_grad(); backward; "
            "actor_optimizer.step()  (Q grads left by this backward are discarded by the next "
            "q_optimizer.zero_grad(); the Q networks are not stepped here). "
            "(b) no_grad: (_, log_pi_a) = get_action(obs, eps_alpha[u][i]) with the actor AFTER (a); "
            "alpha_loss = mean(-exp(log_alpha) * (log_pi_a + target_entropy)); a_optimizer.zero_grad(); "
            "backward; a_optimizer.step(); alpha = exp(log_alpha).item()",
            "(4) every update (target_network_frequency 1): Polyak target = tau * online + (1 - tau) * target "
            "for qf1_target and qf2_target, in float32 as float32(0.005)*online + float32(0.995)*target",
            "Draw order (as Armature consumes them): per update eps_next[u]; then, on actor updates, for "
            "each iteration i: eps_pi[u][i], then eps_alpha[u][i]. 'draw_stream' lists them in that order.",
        ],
        **batch_json(batch),
        "tape_formulas": {k: TAPE_FORMULAS[k] for k in ("eps_next", "eps_pi", "eps_alpha")},
        "eps_next": tolist(tape["eps_next"]),
        "eps_pi": tolist(tape["eps_pi"]),
        "eps_alpha": tolist(tape["eps_alpha"]),
        "tape_note": "eps_pi and eps_alpha are indexed [update u][actor iteration i][batch row b][action j] "
                     "for every u; only u = 1 and 3 (updates 2 and 4) are consumed",
        "draw_stream": draw_stream,
        "min_one_minus_y_squared": min_one_minus_y2,
        "initial_params": {"actor": initial["actor"], "qf1": initial["qf1"], "qf2": initial["qf2"],
                           "note": "qf1_target, qf2_target start as exact copies; log_alpha = [0.0]"},
        "updates": updates,
        "deterministic_actions_after_last_update": tolist(deterministic),
        "deterministic_action_note": "tanh(fc_mean(relu(fc2(relu(fc1(obs)))))) * action_scale + action_bias "
                                     "on the batch's obs with the actor after update 4",
    }
    if droq is not None:
        result.update(droq_json(droq, {"qf1": qf1, "qf2": qf2, "qf1_target": qf1_target, "qf2_target": qf2_target}))
    return result


# ----------------------------------------------------------------------------------------------
# case "sac_droq_update": the SAC update with DroQ's critics (Hiraoka et al. 2021)

DROQ_P = 0.25  # exactly representable in float32, so 1/(1-p) is the same on both sides
MASK_FORMULA = ("keep[s][c][l][b][j] = 0 if 0.5 + 0.5*sin(1.37*s + 0.71*(c+1) + 2.3*(l+1) + 0.53*(b+1) + 1.13*(j+1)) "
                "< p else 1  (s: stream 1 qf1, 2 qf2, 3 qf1_target, 4 qf2_target; c: 0-based count of that "
                "network's forward calls; l: hidden layer 0 or 1; b: batch row; j: unit)")
LAYER_NORM_FORMULA = ("LayerNorm k (qf1: 10, 11; qf2: 20, 21, as the Linear it follows): "
                      "weight[j] = 1 + 0.25*sin(0.83*(j+1) + k), bias[j] = 0.1*cos(0.61*(j+1) + k)")


def init_layer_norm(norm: nn.LayerNorm, k: int) -> None:
    n = norm.weight.shape[0]
    with torch.no_grad():
        norm.weight.copy_(f32_vector(n, lambda j: 1 + 0.25 * math.sin(0.83 * (j + 1) + k)))
        norm.bias.copy_(f32_vector(n, lambda j: 0.1 * math.cos(0.61 * (j + 1) + k)))


def check_dropout_semantics(p):
    """nn.Dropout in training mode multiplies each kept unit by float32(1/(1-p)) and zeroes the rest:
    the masks below, keep * float32(1/(1-p)), reproduce it given the same draws."""
    x = torch.randn(4096, generator=torch.Generator().manual_seed(0))
    y = nn.Dropout(p).train()(x)
    kept = y != 0
    assert kept.any() and (~kept).any()
    assert torch.equal(y[kept], x[kept] * float(np.float32(1 / (1 - p)))), "nn.Dropout's scaling changed"


class DroQNetwork(nn.Module):
    """DroQ's critic: each hidden layer Linear -> Dropout(p) -> LayerNorm -> ReLU (the order of the
    paper's code), the masks from MASK_FORMULA in place of the dropout's own draws. The networks stay
    in training mode wherever they run, targets and the actor's loss included, as in DroQ."""

    def __init__(self, obs_dim, act_dim, hidden, k0, p, stream):
        super().__init__()
        self.fc1 = nn.Linear(obs_dim + act_dim, hidden)
        self.ln1 = nn.LayerNorm(hidden, eps=1e-5)
        self.fc2 = nn.Linear(hidden, hidden)
        self.ln2 = nn.LayerNorm(hidden, eps=1e-5)
        self.fc3 = nn.Linear(hidden, 1)
        for k, layer in zip((k0, k0 + 1, k0 + 2), (self.fc1, self.fc2, self.fc3)):
            init_linear(layer, k)
        init_layer_norm(self.ln1, k0)
        init_layer_norm(self.ln2, k0 + 1)
        self.p, self.stream, self.calls = p, stream, 0
        self.scale = float(np.float32(1 / (1 - p)))
        self.tape = []  # keep flags in the order drawn: per call, layer 0 then 1, rows then units

    def mask(self, layer, rows, width):
        c, s, p = self.calls, self.stream, self.p
        keep = f32_array((rows, width), lambda b, j: 0.0 if 0.5 + 0.5 * math.sin(
            1.37 * s + 0.71 * (c + 1) + 2.3 * (layer + 1) + 0.53 * (b + 1) + 1.13 * (j + 1)) < p else 1.0)
        self.tape.extend(int(v) for v in keep.flatten().tolist())
        return keep * self.scale

    def forward(self, obs, act):
        x = torch.cat([obs, act], dim=1)
        h = self.fc1(x)
        h = F.relu(self.ln1(h * self.mask(0, *h.shape)))
        h = self.fc2(h)
        h = F.relu(self.ln2(h * self.mask(1, *h.shape)))
        self.calls += 1
        return self.fc3(h)


def droq_json(droq, networks):
    tapes_ = {name: net.tape for name, net in networks.items()}
    dropped = sum(t.count(0) for t in tapes_.values())
    total = sum(len(t) for t in tapes_.values())
    assert 0 < dropped < total
    return {
        "description": "The sac_update case with DroQ's critics: every hidden layer of qf1, qf2 and their "
                       "targets is Linear -> Dropout(p) -> LayerNorm -> ReLU, in training mode wherever it "
                       "runs (y's targets and the actor's loss see dropout); same weights, batch, draws and "
                       "procedure as sac_update, plus the layer norms' parameters and the dropout masks.",
        "dropout": droq["p"],
        "dropout_scale": networks["qf1"].scale,
        "dropout_semantics": "h * (keep * float32(1/(1-p))), which equals nn.Dropout(p) in training mode given "
                             "the same keep flags (checked against nn.Dropout when this file is made)",
        "layer_norm": "nn.LayerNorm(8, eps=1e-5) over each row's 8 units, weight and bias learnable",
        "q_layers": "fc1 -> mask 0 -> ln1 -> relu -> fc2 -> mask 1 -> ln2 -> relu -> fc3",
        "layer_norm_formula": LAYER_NORM_FORMULA,
        "mask_formula": MASK_FORMULA,
        "dropout_tapes": tapes_,
        "dropout_tape_note": "per network, its keep flags (1 kept, 0 dropped) in the order its forward calls drew "
                             "them: per call hidden layer 0 then 1, each 5 rows x 8 units row-major; calls per "
                             "update: qfN_target once (y), qfN once (critic loss), qfN once per actor iteration",
        "dropped_fraction": dropped / total,
    }


# ----------------------------------------------------------------------------------------------

def main():
    batch = make_batch()
    tape = tapes()
    check_dropout_semantics(DROQ_P)
    with open(NN_REFERENCE) as f:
        adam_semantics = json.load(f)["adam_semantics"]
    result = {
        "generator": "reference/pytorch/make_rl_reference.py",
        "parameter_formula": nnref.PARAMETER_FORMULA,
        "input_formula_rule": "all inputs and tapes given by formulas are evaluated in float64 and rounded "
                              "to float32; indices are 0-based",
        "layout": "weights are [out][in] (PyTorch layout), biases [out]; parameters are dicts "
                  "'<layer>.weight' / '<layer>.bias'; arrays are nested lists; every number is the exact "
                  "float32 value printed as a Python float (repr); 'update' numbers are 1-based",
        "dtype": "float32",
        "adam_semantics": adam_semantics,
        "tape_formulas": TAPE_FORMULAS,
        "versions": {"torch": torch.__version__, "numpy": np.__version__,
                     "python": sys.version.split()[0], "machine": platform.machine(),
                     "platform": platform.platform()},
        "torch_num_threads": torch.get_num_threads(),
        "cases": {"td3_update": case_td3(batch, tape), "sac_update": case_sac(batch, tape),
                  "sac_droq_update": case_sac(batch, tape, droq={"p": DROQ_P})},
    }
    text = dump(result) + "\n"
    json.loads(text)  # sanity
    with open(OUT, "w") as f:
        f.write(text)
    td3 = result["cases"]["td3_update"]
    sac = result["cases"]["sac_update"]
    print(f"wrote {OUT} ({len(text)} bytes)")
    print(f"td3: {td3['noise_clip_check']['clipped_count']} of {td3['noise_clip_check']['total_entries']} "
          f"noise entries clip: {td3['noise_clip_check']['clipped_entries']}; next actions clamped: "
          f"{td3['noise_clip_check']['next_action_clamped_entries']}")
    for u in td3["updates"]:
        print(f"td3 update {u['update']}: qf1_loss={u['qf1_loss']!r} qf2_loss={u['qf2_loss']!r} "
              f"actor_loss={u['actor_loss']!r}")
    for u in sac["updates"]:
        print(f"sac update {u['update']}: qf_loss={u['qf_loss']!r} actor_losses={u['actor_losses']} "
              f"alpha_losses={u['alpha_losses']} alpha={u['alpha']!r}")
    print(f"sac: min(1 - y^2) over sampled actions = {sac['min_one_minus_y_squared']!r}")
    droq = result["cases"]["sac_droq_update"]
    for u in droq["updates"]:
        print(f"sac droq update {u['update']}: qf_loss={u['qf_loss']!r} actor_losses={u['actor_losses']} "
              f"alpha={u['alpha']!r}")
    print(f"sac droq: p = {droq['dropout']}, dropped fraction {droq['dropped_fraction']:.3f}")


if __name__ == "__main__":
    main()
