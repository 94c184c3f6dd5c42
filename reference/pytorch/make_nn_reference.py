#!/usr/bin/env python3
"""Generate PyTorch reference numbers for Armature's Swift neural-network / DDPG code.

Writes reference/pytorch/nn_reference.json (next to this script).

How to run (from anywhere):
    pip install torch numpy
    python3 reference/pytorch/make_nn_reference.py

Everything is float32 (torch default dtype), CPU, deterministic: no torch RNG is used.

PARAMETER FORMULA (so Swift can rebuild every network bit-for-bit):
  A Linear layer with PyTorch weight shape [out, in] and layer index k (0, 1, 2, ...):
      weight[i][j] = 0.5 * sin(0.37*(i+1) + 0.71*(j+1) + k)     i < out, j < in
      bias[i]      = 0.1 * cos(0.53*(i+1) + k)                   i < out
  evaluated in float64 (Python math.sin/math.cos, argument summed left to right exactly
  as written) and then rounded to float32. In Swift:
      Float(0.5 * sin(0.37 * Double(i + 1) + 0.71 * Double(j + 1) + Double(k)))
      Float(0.1 * cos(0.53 * Double(i + 1) + Double(k)))
  The same "float64 then round to float32" rule is used for the input formulas below.
  The JSON also stores the resulting initial parameters and inputs, so a rebuild can be checked.

Cases:
  "mlp": Linear(3,5) ReLU, Linear(5,4) ReLU, Linear(4,2) tanh; layers k = 0, 1, 2.
     X[b][j] = 0.8*sin(1.3*(b+1) - 0.4*(j+1))   (4x3)
     Y[b][j] = 0.3*cos(0.9*(b+1) + 0.2*(j+1))   (4x2)
     loss = F.mse_loss(out, Y) (mean over all 8 elements).
     Records output, loss, parameter gradients, d loss / d X, parameters after one
     torch.optim.Adam step (lr 1e-3, betas (0.9, 0.999), eps 1e-8) and after a second step
     (loss and gradients recomputed at the new parameters; also recorded).
  "ddpg_update": CleanRL ddpg_continuous_action.py update with small shapes
     (obs 3, action 2, hidden 8, batch 5, action_scale 1, action_bias 0).
     Actor fc1 k=0, fc2 k=1, fc_mu k=2; critic fc1 k=10 (input = concat[obs, action]),
     fc2 k=11, fc3 k=12. Targets start as exact copies. gamma 0.99, tau 0.005,
     two Adam optimizers with lr 3e-4. Two full updates (policy_frequency = 1) on the same batch.
     See "procedure" in the JSON for the exact order of operations.

Adam: torch.optim.Adam(foreach=False), which is what PyTorch uses by default for CPU tensors
(the "single tensor" path). Its per-element math is written out in the JSON ("adam_semantics").
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
OUT = os.path.join(HERE, "nn_reference.json")

PARAMETER_FORMULA = (
    "Linear layer, PyTorch weight shape [out, in], layer index k: "
    "weight[i][j] = 0.5*sin(0.37*(i+1) + 0.71*(j+1) + k), bias[i] = 0.1*cos(0.53*(i+1) + k), "
    "0-based i, j; evaluated in float64 (argument summed left to right as written), then rounded "
    "to float32. Swift: Float(0.5 * sin(0.37 * Double(i + 1) + 0.71 * Double(j + 1) + Double(k)))."
)

torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)  # deterministic reduction order on this machine


# ----------------------------------------------------------------------------------------------
# helpers

def f32_matrix(rows, cols, fn):
    """float64 formula -> float32 tensor."""
    data = [[fn(r, c) for c in range(cols)] for r in range(rows)]
    return torch.tensor(np.array(data, dtype=np.float64).astype(np.float32))


def f32_vector(n, fn):
    return torch.tensor(np.array([fn(i) for i in range(n)], dtype=np.float64).astype(np.float32))


def init_linear(layer: nn.Linear, k: int) -> None:
    out_f, in_f = layer.weight.shape
    w = f32_matrix(out_f, in_f, lambda i, j: 0.5 * math.sin(0.37 * (i + 1) + 0.71 * (j + 1) + k))
    b = f32_vector(out_f, lambda i: 0.1 * math.cos(0.53 * (i + 1) + k))
    with torch.no_grad():
        layer.weight.copy_(w)
        layer.bias.copy_(b)


def tolist(t):
    """Nested lists of Python floats; each value is exactly the float32 value (repr is exact)."""
    if t is None:
        return None
    a = t.detach().cpu().to(torch.float32).numpy()
    return np.asarray(a, dtype=np.float64).tolist()


def params_dict(module: nn.Module):
    return {name: tolist(p) for name, p in module.named_parameters()}


def grads_dict(module: nn.Module):
    return {name: tolist(p.grad) for name, p in module.named_parameters()}


def make_adam(params, lr):
    # foreach=False == PyTorch's default for CPU tensors; stated explicitly for stability.
    return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                            amsgrad=False, foreach=False, fused=False)


# ----------------------------------------------------------------------------------------------
# case "mlp"

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 5)
        self.fc2 = nn.Linear(5, 4)
        self.fc3 = nn.Linear(4, 2)
        for k, layer in enumerate([self.fc1, self.fc2, self.fc3]):
            init_linear(layer, k)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return torch.tanh(self.fc3(x))


def case_mlp():
    net = MLP()
    X = f32_matrix(4, 3, lambda b, j: 0.8 * math.sin(1.3 * (b + 1) - 0.4 * (j + 1)))
    Y = f32_matrix(4, 2, lambda b, j: 0.3 * math.cos(0.9 * (b + 1) + 0.2 * (j + 1)))
    opt = make_adam(net.parameters(), lr=1e-3)
    initial = params_dict(net)

    # step 1
    Xg = X.clone().requires_grad_(True)
    opt.zero_grad()
    out = net(Xg)
    hidden1 = F.relu(net.fc1(X)).detach()
    hidden2 = F.relu(net.fc2(hidden1)).detach()
    pre_tanh = net.fc3(hidden2).detach()
    loss = F.mse_loss(out, Y)
    loss.backward()
    rec = {
        "output": tolist(out),
        "hidden1_relu": tolist(hidden1),
        "hidden2_relu": tolist(hidden2),
        "pre_tanh": tolist(pre_tanh),
        "loss": float(loss.item()),
        "grads": grads_dict(net),
        "grad_input": tolist(Xg.grad),
    }
    opt.step()
    rec["params_after_adam_step1"] = params_dict(net)

    # step 2: loss recomputed at the new parameters
    opt.zero_grad()
    out2 = net(X)
    loss2 = F.mse_loss(out2, Y)
    loss2.backward()
    rec["step2_output"] = tolist(out2)
    rec["step2_loss"] = float(loss2.item())
    rec["step2_grads"] = grads_dict(net)
    opt.step()
    rec["params_after_adam_step2"] = params_dict(net)
    rec["adam_state_after_step2"] = {
        name: {"exp_avg": tolist(opt.state[p]["exp_avg"]),
               "exp_avg_sq": tolist(opt.state[p]["exp_avg_sq"]),
               "step": float(opt.state[p]["step"])}
        for name, p in net.named_parameters()
    }

    return {
        "description": "3 -> 5 (ReLU) -> 4 (ReLU) -> 2 (tanh); layers fc1 k=0, fc2 k=1, fc3 k=2; "
                       "loss = F.mse_loss(output, Y) mean over all elements; Adam lr 1e-3.",
        "layers": [{"name": "fc1", "in": 3, "out": 5, "k": 0, "activation": "relu"},
                   {"name": "fc2", "in": 5, "out": 4, "k": 1, "activation": "relu"},
                   {"name": "fc3", "in": 4, "out": 2, "k": 2, "activation": "tanh"}],
        "input_formula": "X[b][j] = 0.8*sin(1.3*(b+1) - 0.4*(j+1)), 4x3",
        "target_formula": "Y[b][j] = 0.3*cos(0.9*(b+1) + 0.2*(j+1)), 4x2",
        "adam": {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8},
        "X": tolist(X),
        "Y": tolist(Y),
        "initial_params": initial,
        **rec,
    }


# ----------------------------------------------------------------------------------------------
# case "ddpg_update" (CleanRL ddpg_continuous_action.py semantics, own code)

class QNetwork(nn.Module):
    def __init__(self, obs_dim, act_dim, hidden, k0):
        super().__init__()
        self.fc1 = nn.Linear(obs_dim + act_dim, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, 1)
        for k, layer in zip((k0, k0 + 1, k0 + 2), (self.fc1, self.fc2, self.fc3)):
            init_linear(layer, k)

    def forward(self, obs, act):
        x = torch.cat([obs, act], dim=1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class Actor(nn.Module):
    def __init__(self, obs_dim, act_dim, hidden, k0, action_scale=1.0, action_bias=0.0):
        super().__init__()
        self.fc1 = nn.Linear(obs_dim, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc_mu = nn.Linear(hidden, act_dim)
        for k, layer in zip((k0, k0 + 1, k0 + 2), (self.fc1, self.fc2, self.fc_mu)):
            init_linear(layer, k)
        self.register_buffer("action_scale", torch.full((act_dim,), action_scale))
        self.register_buffer("action_bias", torch.full((act_dim,), action_bias))

    def forward(self, obs):
        x = F.relu(self.fc1(obs))
        x = F.relu(self.fc2(x))
        x = torch.tanh(self.fc_mu(x))
        return x * self.action_scale + self.action_bias


def ddpg_update(actor, qf1, target_actor, qf1_target, actor_opt, q_opt, batch, gamma, tau):
    obs, actions, next_obs, rewards, dones = batch
    rec = {}
    # (1) TD target, no grad
    with torch.no_grad():
        next_actions = target_actor(next_obs)
        qf1_next_target = qf1_target(next_obs, next_actions)
        y = rewards.flatten() + (1 - dones.flatten()) * gamma * qf1_next_target.view(-1)
    rec["next_actions"] = tolist(next_actions)
    rec["qf1_next_target"] = tolist(qf1_next_target.view(-1))
    rec["y"] = tolist(y)

    # (2) critic
    qf1_a_values = qf1(obs, actions).view(-1)
    qf1_loss = F.mse_loss(qf1_a_values, y)
    q_opt.zero_grad()
    qf1_loss.backward()
    rec["qf1_values"] = tolist(qf1_a_values)
    rec["qf1_loss"] = float(qf1_loss.item())
    rec["critic_grads"] = grads_dict(qf1)
    q_opt.step()

    # (3) actor (uses the critic *after* its Adam step)
    pi = actor(obs)
    q_pi = qf1(obs, pi)
    actor_loss = -q_pi.mean()
    actor_opt.zero_grad()
    actor_loss.backward()
    rec["actor_actions"] = tolist(pi)
    rec["q_of_actor_actions"] = tolist(q_pi.view(-1))
    rec["actor_loss"] = float(actor_loss.item())
    rec["actor_grads"] = grads_dict(actor)
    actor_opt.step()

    # (4) Polyak averaging, as CleanRL writes it
    for p, tp in zip(actor.parameters(), target_actor.parameters()):
        tp.data.copy_(tau * p.data + (1 - tau) * tp.data)
    for p, tp in zip(qf1.parameters(), qf1_target.parameters()):
        tp.data.copy_(tau * p.data + (1 - tau) * tp.data)

    rec["actor_params"] = params_dict(actor)
    rec["critic_params"] = params_dict(qf1)
    rec["target_actor_params"] = params_dict(target_actor)
    rec["target_critic_params"] = params_dict(qf1_target)
    return rec


def case_ddpg():
    obs_dim, act_dim, hidden, B = 3, 2, 8, 5
    gamma, tau, lr = 0.99, 0.005, 3e-4
    actor = Actor(obs_dim, act_dim, hidden, k0=0)
    qf1 = QNetwork(obs_dim, act_dim, hidden, k0=10)
    target_actor = Actor(obs_dim, act_dim, hidden, k0=0)
    qf1_target = QNetwork(obs_dim, act_dim, hidden, k0=10)
    target_actor.load_state_dict(actor.state_dict())
    qf1_target.load_state_dict(qf1.state_dict())
    q_opt = make_adam(qf1.parameters(), lr)
    actor_opt = make_adam(actor.parameters(), lr)

    obs = f32_matrix(B, obs_dim, lambda b, j: 0.6 * math.sin(0.9 * (b + 1) + 0.5 * (j + 1)))
    actions = f32_matrix(B, act_dim, lambda b, j: 0.7 * math.cos(1.1 * (b + 1) + 0.3 * (j + 1)))
    next_obs = f32_matrix(B, obs_dim, lambda b, j: 0.6 * math.sin(1.7 * (b + 1) + 0.2 * (j + 1)))
    rewards = f32_matrix(B, 1, lambda b, _j: -0.2 * (b + 1) + 0.05)  # CleanRL buffer shape (B, 1)
    dones = torch.tensor([[0.0], [0.0], [1.0], [0.0], [0.0]], dtype=torch.float32)
    batch = (obs, actions, next_obs, rewards, dones)

    initial_actor = params_dict(actor)
    initial_critic = params_dict(qf1)
    u1 = ddpg_update(actor, qf1, target_actor, qf1_target, actor_opt, q_opt, batch, gamma, tau)
    u2 = ddpg_update(actor, qf1, target_actor, qf1_target, actor_opt, q_opt, batch, gamma, tau)

    return {
        "description": "CleanRL ddpg_continuous_action.py update, small shapes, policy_frequency=1, "
                       "two updates on the same batch.",
        "dims": {"obs": obs_dim, "action": act_dim, "hidden": hidden, "batch": B},
        "actor_layers": [{"name": "fc1", "in": 3, "out": 8, "k": 0, "activation": "relu"},
                         {"name": "fc2", "in": 8, "out": 8, "k": 1, "activation": "relu"},
                         {"name": "fc_mu", "in": 8, "out": 2, "k": 2, "activation": "tanh"}],
        "critic_layers": [{"name": "fc1", "in": 5, "out": 8, "k": 10, "activation": "relu",
                           "input": "concat([obs, action], dim=1): columns 0..2 obs, 3..4 action"},
                          {"name": "fc2", "in": 8, "out": 8, "k": 11, "activation": "relu"},
                          {"name": "fc3", "in": 8, "out": 1, "k": 12, "activation": "none"}],
        "action_scale": 1.0,
        "action_bias": 0.0,
        "gamma": gamma,
        "tau": tau,
        "adam": {"lr": lr, "betas": [0.9, 0.999], "eps": 1e-8,
                 "note": "separate optimizers for actor and critic"},
        "batch_formulas": {
            "obs": "obs[b][j] = 0.6*sin(0.9*(b+1) + 0.5*(j+1)), 5x3",
            "actions": "actions[b][j] = 0.7*cos(1.1*(b+1) + 0.3*(j+1)), 5x2",
            "next_obs": "next_obs[b][j] = 0.6*sin(1.7*(b+1) + 0.2*(j+1)), 5x3",
            "rewards": "rewards[b] = -0.2*(b+1) + 0.05",
            "dones": "[0,0,1,0,0] (termination only)",
        },
        "procedure": [
            "(1) no_grad: next_actions = target_actor(next_obs); q_next = qf1_target(next_obs, "
            "next_actions).view(-1); y = rewards + ((1 - dones) * gamma) * q_next  (float32; "
            "gamma is applied as float32(0.99) to (1 - dones) first, then times q_next, then + rewards)",
            "(2) qf1_values = qf1(obs, actions).view(-1); qf1_loss = mean((qf1_values - y)^2); "
            "q_optimizer.zero_grad(); backward; q_optimizer.step()",
            "(3) actor_loss = -mean(qf1(obs, actor(obs))) using the critic AFTER step (2); "
            "actor_optimizer.zero_grad(); backward; actor_optimizer.step() (critic grads from this "
            "backward are discarded by the next q_optimizer.zero_grad())",
            "(4) Polyak for actor and critic: target = tau * online + (1 - tau) * target, "
            "computed in float32 as float32(0.005)*online + float32(0.995)*target "
            "(Python evaluates 1 - 0.005 = 0.995 in float64; torch rounds the scalar to float32)",
        ],
        "obs": tolist(obs),
        "actions": tolist(actions),
        "next_obs": tolist(next_obs),
        "rewards": tolist(rewards.view(-1)),
        "dones": tolist(dones.view(-1)),
        "initial_actor_params": initial_actor,
        "initial_critic_params": initial_critic,
        "updates": [u1, u2],
    }


# ----------------------------------------------------------------------------------------------
# compact JSON: numeric lists on one line

def dump(obj, indent=0):
    pad = " " * indent
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f'{pad}  {json.dumps(k)}: {dump(v, indent + 2)}' for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list):
        if all(isinstance(x, (int, float)) for x in obj):
            return json.dumps(obj)
        if all(isinstance(x, list) and all(isinstance(y, (int, float)) for y in x) for x in obj):
            return "[" + ", ".join(json.dumps(x) for x in obj) + "]"
        items = [f"{pad}  {dump(v, indent + 2)}" for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj)


def main():
    result = {
        "generator": "reference/pytorch/make_nn_reference.py",
        "parameter_formula": PARAMETER_FORMULA,
        "input_formula_rule": "all inputs/targets given by formulas are evaluated in float64 and "
                              "rounded to float32; b, j are 0-based",
        "layout": "weights are [out][in] (PyTorch layout), biases [out]; arrays are nested lists; "
                  "every number is the exact float32 value printed as a Python float (repr)",
        "dtype": "float32",
        "adam_semantics": (
            "torch.optim.Adam single-tensor path (foreach=False, CPU default), per element, step t "
            "starting at 1: m = m.lerp(g, 1 - beta1)  [float32 lerp with weight 0.1: "
            "m + 0.1*(g - m)]; v = v*beta2 + (1 - beta2)*g*g; bias_correction1 = 1 - beta1**t and "
            "bias_correction2 = 1 - beta2**t in float64; step_size = lr / bias_correction1 (float64); "
            "denom = sqrt(v) / sqrt(bias_correction2) + eps; p = p - step_size * m / denom "
            "(float64 scalars are rounded to float32 when applied to the float32 tensors)"
        ),
        "versions": {"torch": torch.__version__, "numpy": np.__version__,
                     "python": sys.version.split()[0], "machine": platform.machine()},
        "torch_num_threads": torch.get_num_threads(),
        "cases": {"mlp": case_mlp(), "ddpg_update": case_ddpg()},
    }
    text = dump(result) + "\n"
    json.loads(text)  # sanity
    with open(OUT, "w") as f:
        f.write(text)
    d = result["cases"]["ddpg_update"]["updates"]
    m = result["cases"]["mlp"]
    print(f"wrote {OUT} ({len(text)} bytes)")
    print(f"mlp: loss={m['loss']!r} step2_loss={m['step2_loss']!r}")
    for n, u in enumerate(d, 1):
        print(f"ddpg update {n}: qf1_loss={u['qf1_loss']!r} actor_loss={u['actor_loss']!r}")


if __name__ == "__main__":
    main()
