#!/usr/bin/env python3
"""The best return any controller can get on MuJoCo's Reacher-v5, per plant: an oracle bound.

For each of N episodes (Reacher-v5's own resets, seeded), and for each plant (nominal, the motors'
torque gain scaled, the rotor inertia scaled, the damping scaled), this finds the 50 actions that
maximize the episode's return when the start, the goal and the plant are all known in advance. The
plant is deterministic, so no policy, however it was trained and whatever it observes, can do
better on that episode than the best action sequence: the mean over episodes bounds every actor's
expected return on that plant from above (up to how close the optimizer gets to the optimum: the
report shows what random restarts found beyond the start from rest).

How: the reacher is two hinge joints on a horizontal plane (no gravity torque, no contacts) whose
rotors (armature 1) outweigh the links a thousandfold, so each joint is nearly on its own:
q'' = (gear * a - damping * q') / I. The optimizer uses that model under MuJoCo's own RK4 (0.01 s,
two steps per action, the fingertip where RK4's last stage leaves it, as Reacher-v5's reward reads
it), checked against MuJoCo's trajectories (the report prints the largest fingertip difference), and
maximizes the return over a = tanh(w) (so within the control range) by L-BFGS from several starts per
episode, keeping the elbow off its +-3 rad stop. Every action sequence found is then replayed in
MuJoCo itself through Gymnasium's Reacher-v5 with the plant changed in its model, and the return
reported is MuJoCo's, not the optimizer's. That makes each figure an achieved return: the true
optimum is at least that.

Actors (`--actor NAME=path/actor.safetensors`, Armature's actor files) are run on the same episodes
and plants in MuJoCo, so each actor's return sits beside the bound.

Needs mujoco, gymnasium, torch, safetensors, mcap and numpy: scripts/install-python-packages --bench puts
them in .venv. Usage: .venv/bin/python3 bench/reacher_optimum.py --episodes 100 --seed 1 [--actor plain=runs/a/actor.safetensors ...]
"""

import argparse
import json
import math
import os
import sys
import time

import gymnasium as gym
import mujoco
import numpy as np
import torch

PLANTS = {
    # name: (torque gain, rotor inertia factor, damping factor)
    "nominal": (1.0, 1.0, 1.0),
    "torque_gain_x0.8": (0.8, 1.0, 1.0),
    "torque_gain_x0.6": (0.6, 1.0, 1.0),
    "rotor_inertia_+50%": (1.0, 1.5, 1.0),
    "damping_x3": (1.0, 1.0, 3.0),
}
STEPS = 50          # Reacher-v5's episode
FRAME_SKIP = 2      # MuJoCo steps per action


def make_env(gain, inertia, damping):
    env = gym.make("Reacher-v5")
    model = env.unwrapped.model
    model.actuator_gear[:, 0] *= gain
    model.dof_armature[:2] *= inertia
    model.dof_damping[:2] *= damping
    return env


def draw_episodes(count, seed):
    """Reacher-v5's resets: the start (qpos, qvel) and the goal, as MuJoCo's environment draws them."""
    env = gym.make("Reacher-v5")
    episodes = []
    for i in range(count):
        env.reset(seed=seed * 100003 + i)
        data = env.unwrapped.data
        episodes.append((data.qpos.copy(), data.qvel.copy()))
    return episodes


def episodes_from_recording(path):
    """The starts and goals of a recorded run (`armature eval --record`): each episode's start event
    gives the joint angles and the goal; the start velocities (drawn within +-0.005 rad/s) are not
    recorded and are taken as zero."""
    from mcap.reader import make_reader
    episodes = []
    with open(path, "rb") as f:
        for _, channel, message in make_reader(f).iter_messages(topics=["/episode"]):
            event = json.loads(message.data)
            if event["event"] == "start":
                q = event["position"]
                qpos = np.array([q[0], q[1], event["goal"]["x"], event["goal"]["y"]])
                episodes.append((qpos, np.zeros(4)))
    return episodes


def mujoco_return(env, start, actions):
    """The episode's return in MuJoCo itself, through Gymnasium's step (its reward, its clipping)."""
    env.reset(seed=0)
    env.unwrapped.set_state(start[0], start[1])
    total = 0.0
    for a in actions:
        _, reward, _, _, _ = env.step(np.asarray(a, dtype=np.float64))
        total += reward
    return total


def actor_return(env, start, weights):
    env.reset(seed=0)
    env.unwrapped.set_state(start[0], start[1])
    observation = env.unwrapped._get_obs()
    total = 0.0
    for _ in range(STEPS):
        x = observation.astype(np.float32)
        h = np.maximum(weights["fc1.weight"] @ x + weights["fc1.bias"], 0)
        h = np.maximum(weights["fc2.weight"] @ h + weights["fc2.bias"], 0)
        a = np.tanh(weights["fc_mu.weight"] @ h + weights["fc_mu.bias"])
        observation, reward, _, _, _ = env.step(a.astype(np.float64))
        total += reward
    return total


class LinearReacher:
    """The reacher as the optimizer sees it: each joint alone, q'' = (gear a - damping q') / I.

    Reacher's rotors dominate its inertia (armature 1 against links of about 1e-4 kg m^2), so the two
    joints barely couple: the mass matrix's off-diagonal is 4e-4 of its diagonal and the Coriolis
    terms are smaller still. Each joint is then linear, and MuJoCo's RK4 on a linear system is a
    linear map too, so every joint angle the reward sees is a fixed matrix times the actions plus the
    free motion from the start: one matrix product per episode instead of 400 solver stages. What
    the coupling leaves out is checked by replaying every optimized sequence in MuJoCo (the report
    shows the optimizer's figure beside MuJoCo's).
    """

    def __init__(self, env):
        model, data = env.unwrapped.model, env.unwrapped.data
        diagonal = []
        for q1 in np.linspace(-3, 3, 61):
            data.qpos[:] = 0
            data.qpos[1] = q1
            mujoco.mj_forward(model, data)
            full = np.zeros((model.nv, model.nv))
            mujoco.mj_fullM(model, data, full)
            diagonal.append(np.diag(full)[:2])
        inertia = np.mean(diagonal, 0)
        self.l1 = float(model.body("body1").pos[0])
        self.l2 = float(model.body("fingertip").pos[0])
        h = float(model.opt.timestep)
        maps = [self.joint_maps(h, float(model.actuator_gear[j, 0]), float(model.dof_damping[j]), float(inertia[j]))
                for j in range(2)]
        # free[j]: (STEPS, 2) rows giving the reward's angle of joint j from its start (q, q');
        # drive[j]: (STEPS, STEPS) lower-triangular, the same from its actions; final[j]: the true angle.
        self.free = torch.tensor(np.stack([m[0] for m in maps]))
        self.drive = torch.tensor(np.stack([m[1] for m in maps]))
        self.final_free = torch.tensor(np.stack([m[2] for m in maps]))
        self.final_drive = torch.tensor(np.stack([m[3] for m in maps]))

    @staticmethod
    def joint_maps(h, gear, damping, inertia):
        """Coefficients over (q0, q'0, a_0 .. a_49) of what one joint does under MuJoCo's RK4."""
        n = 2 + STEPS
        def accel(v, a):
            return (gear * a - damping * v) / inertia
        q = np.zeros(n); q[0] = 1
        v = np.zeros(n); v[1] = 1
        reward_angle, final_angle = [], []
        for t in range(STEPS):
            a = np.zeros(n); a[2 + t] = 1
            for substep in range(FRAME_SKIP):
                k1q, k1v = v, accel(v, a)
                k2q, k2v = v + h / 2 * k1v, accel(v + h / 2 * k1v, a)
                k3q, k3v = v + h / 2 * k2v, accel(v + h / 2 * k2v, a)
                k4q, k4v = v + h * k3v, accel(v + h * k3v, a)
                # MuJoCo's RK4 leaves the bodies where its last stage put them, q + h * k3q: that is
                # the fingertip Reacher-v5's reward measures after the step.
                stale = q + h * k3q
                q, v = q + h / 6 * (k1q + 2 * k2q + 2 * k3q + k4q), v + h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
            reward_angle.append(stale)
            final_angle.append(q)
        reward_angle, final_angle = np.array(reward_angle), np.array(final_angle)
        return reward_angle[:, :2], reward_angle[:, 2:], final_angle[:, :2], final_angle[:, 2:]

    def angles(self, start, actions, free, drive):
        # start: (B, 2 joints, 2) as (q, q'); actions: (B, STEPS, 2)
        return torch.stack([start[:, j] @ free[j].T + actions[:, :, j] @ drive[j].T for j in range(2)], -1)

    def tip(self, q):
        a = q[..., 0]
        b = q[..., 0] + q[..., 1]
        return torch.stack((self.l1 * torch.cos(a) + self.l2 * torch.cos(b), self.l1 * torch.sin(a) + self.l2 * torch.sin(b)), -1)

    def returns(self, start, goal, actions, limit_weight=0.0, discount=None):
        q = self.angles(start, actions, self.free, self.drive)
        rewards = -(torch.linalg.norm(self.tip(q) - goal[:, None], dim=-1) + (actions * actions).sum(-1))
        total = (rewards if discount is None else rewards * discount).sum(-1)
        if limit_weight:
            # The elbow stops at +-3 rad (MuJoCo's soft limit): keep the plan off it.
            elbow = self.angles(start, actions, self.final_free, self.final_drive)[..., 1]
            total = total - limit_weight * (torch.relu(elbow.abs() - 2.95) ** 2).sum(-1)
        return total


def check_model(env, reacher):
    """The optimizer's plant against MuJoCo's: fingertip distance over random episodes, in metres."""
    rng = np.random.default_rng(7)
    worst = 0.0
    for episode in range(5):
        env.reset(seed=episode)
        data = env.unwrapped.data
        start = torch.tensor(np.stack([data.qpos[:2], data.qvel[:2]], -1))[None]
        actions = rng.uniform(-1, 1, (STEPS, 2)) * (0.2 + 0.2 * episode)
        q = reacher.angles(start, torch.tensor(actions)[None], reacher.free, reacher.drive)[0]
        if reacher.angles(start, torch.tensor(actions)[None], reacher.final_free, reacher.final_drive)[0, :, 1].abs().max() > 2.9:
            continue  # the elbow limit: not what this compares
        tips = reacher.tip(q).numpy()
        for t in range(STEPS):
            env.step(actions[t])
            worst = max(worst, float(np.linalg.norm(data.body("fingertip").xpos[:2] - tips[t])))
    return worst


def optimize(reacher, episodes, restarts, iterations, seed):
    """L-BFGS on a = tanh(w), every episode and restart in one batch (the episodes do not interact, so
    the summed return's optimum is each episode's); returns the best actions found per episode."""
    n = len(episodes)
    start = torch.tensor(np.array([np.stack([e[0][:2], e[1][:2]], -1) for e in episodes])).repeat(restarts, 1, 1)
    goal = torch.tensor(np.array([e[0][2:4] for e in episodes])).repeat(restarts, 1)
    generator = torch.Generator().manual_seed(seed)
    # One start from rest (no action), the others from small random pushes, which find the other
    # elbow pose or the other way round when those are better.
    w = 0.3 * torch.randn(restarts * n, STEPS, 2, generator=generator, dtype=torch.float64)
    w[:n] = 0
    w.requires_grad_(True)
    optimizer = torch.optim.LBFGS([w], lr=1, max_iter=20, history_size=100, line_search_fn="strong_wolfe",
                                  tolerance_grad=1e-12, tolerance_change=1e-14)

    def closure():
        optimizer.zero_grad()
        loss = -reacher.returns(start, goal, torch.tanh(w), limit_weight=1000.0).sum()
        loss.backward()
        return loss

    for _ in range(iterations):
        optimizer.step(closure)
    with torch.no_grad():
        final = reacher.returns(start, goal, torch.tanh(w), limit_weight=1000.0).view(restarts, n)
        best = final.argmax(0)
        actions = torch.tanh(w).view(restarts, n, STEPS, 2)[best, torch.arange(n)]
        # What the random restarts found beyond the start from rest: near zero when the landscape
        # holds no better basin that start misses.
        gained = final.max(0).values - final[0]
    return actions.numpy(), final.max(0).values.numpy(), gained.numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=100, help="episodes drawn from Reacher-v5's resets")
    parser.add_argument("--episodes-from", help="take the starts and goals from this recording (armature eval --record) instead")
    parser.add_argument("--seed", type=int, default=1, help="seeds the resets and the optimizer's random starts")
    parser.add_argument("--restarts", type=int, default=4, help="optimizer starts per episode: one from rest, the others random")
    parser.add_argument("--iterations", type=int, default=60, help="L-BFGS steps of 20 evaluations each")
    parser.add_argument("--plants", default=",".join(PLANTS), help="comma-separated, of: " + ", ".join(PLANTS))
    parser.add_argument("--actor", action="append", default=[], help="NAME=path/actor.safetensors")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    torch.set_num_threads(1)
    unknown = [name for name in args.plants.split(",") if name not in PLANTS]
    if unknown:
        parser.error(f"unknown plant {', '.join(unknown)}; known: {', '.join(PLANTS)}")

    from safetensors import safe_open
    actors = {}
    for spec in args.actor:
        name, path = spec.split("=", 1)
        with safe_open(path, "np") as f:
            meta = f.metadata() or {}
            # Run here as Reacher-v5's actor: its observation, two ReLU layers and tanh, actions in
            # [-1, 1] that MuJoCo's gear turns into torque as reacher.yaml's +-200 N m table does.
            if (meta.get("robot_name"), meta.get("observation_layout"), meta.get("activations")) != ("reacher", "reacher-v5", "relu,relu,tanh"):
                sys.exit(f"{path}: not a reacher actor with Reacher-v5's observation (robot {meta.get('robot_name')}, "
                         f"layout {meta.get('observation_layout')}, activations {meta.get('activations')})")
            actors[name] = {key: f.get_tensor(key) for key in f.keys()}

    episodes = episodes_from_recording(args.episodes_from) if args.episodes_from else draw_episodes(args.episodes, args.seed)
    source = args.episodes_from or f"Reacher-v5's resets, seed {args.seed}"
    results = {"episodes": len(episodes), "source": source, "restarts": args.restarts,
               "iterations": args.iterations, "mujoco": mujoco.__version__, "torch": torch.__version__, "plants": {}}
    print(f"{len(episodes)} episodes ({source}), {args.restarts} starts x {args.iterations} L-BFGS steps per episode")
    header = f"{'plant':<20} {'optimum (MuJoCo)':>18} {'optimizer':>10} {'restarts gained':>15}" + "".join(f" {n:>16}" for n in actors)
    print(header)
    for name in args.plants.split(","):
        gain, inertia, damping = PLANTS[name]
        env = make_env(gain, inertia, damping)
        reacher = LinearReacher(env)
        model_error = check_model(env, reacher)
        began = time.time()
        actions, predicted, gained = optimize(reacher, episodes, args.restarts, args.iterations, args.seed)
        optimum = np.array([mujoco_return(env, e, a) for e, a in zip(episodes, actions)])
        row = {"torque_gain": gain, "rotor_inertia": inertia, "damping": damping,
               "optimum_mean": float(optimum.mean()), "optimum_se": float(optimum.std(ddof=1) / math.sqrt(len(optimum))),
               "optimizer_mean": float(predicted.mean()), "restarts_gained_mean": float(gained.mean()),
               "restarts_improved_episodes": int((gained > 1e-3).sum()),
               "model_fingertip_error_m": model_error,
               "seconds": time.time() - began, "optimum": optimum.tolist(), "actors": {}}
        line = f"{name:<20} {optimum.mean():>10.3f} ± {row['optimum_se']:.3f} {predicted.mean():>10.3f} {gained.mean():>15.3f}"
        for actor_name, weights in actors.items():
            r = np.array([actor_return(env, e, weights) for e in episodes])
            row["actors"][actor_name] = {"mean": float(r.mean()), "returns": r.tolist(),
                                         "gap_to_optimum": float((optimum - r).mean())}
            line += f" {r.mean():>16.3f}"
        print(line, flush=True)
        results["plants"][name] = row
    print("the optimizer's plant against MuJoCo, largest fingertip difference: " +
          ", ".join(f"{name} {row['model_fingertip_error_m'] * 1000:.2f} mm" for name, row in results["plants"].items()))
    if "nominal" in results["plants"]:
        nominal = results["plants"]["nominal"]
        print("\nloss against nominal (the same controller's nominal return minus its return on the plant)")
        print(f"{'plant':<20} {'optimum':>10}" + "".join(f" {n:>16}" for n in actors))
        for name, row in results["plants"].items():
            line = f"{name:<20} {nominal['optimum_mean'] - row['optimum_mean']:>10.3f}"
            for actor_name in actors:
                line += f" {nominal['actors'][actor_name]['mean'] - row['actors'][actor_name]['mean']:>16.3f}"
            print(line)
    if args.json:
        # Whole or not at all: written beside the target, then renamed over it.
        partial = args.json + ".partial"
        with open(partial, "w") as f:
            json.dump(results, f, indent=1)
        os.replace(partial, args.json)


if __name__ == "__main__":
    main()
