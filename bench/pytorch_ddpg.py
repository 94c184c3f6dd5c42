#!/usr/bin/env python3
"""PyTorch CPU baseline for Armature's DDPG, TD3 and SAC: update throughput and actor inference latency.

HOW TO RUN
    scripts/install-python-packages --bench        # torch and numpy into .venv
    .venv/bin/python3 bench/pytorch_ddpg.py                  # both 1 and 2 threads, each in its own subprocess
    .venv/bin/python3 bench/pytorch_ddpg.py --threads 1      # one setting, in this process
    .venv/bin/python3 bench/pytorch_ddpg.py --seconds 20     # longer timing windows (default 10 s per mode)
    .venv/bin/python3 bench/pytorch_ddpg.py --algorithm td3  # TD3 or SAC instead of DDPG (default ddpg)
  Default run takes about one minute on a 2-core machine. Output: a human table, then a final
  line `JSON {...}` (one line, machine readable).

WHAT IS MEASURED (--algorithm ddpg, the default: CleanRL ddpg_continuous_action.py semantics; own code)
  Networks (CleanRL shapes, obs 10, action 2 -- Reacher-v5 sizes):
    Actor    10 -> 256 ReLU -> 256 ReLU -> 2 tanh, * action_scale (1) + action_bias (0)
    QNetwork concat[obs, action] 12 -> 256 ReLU -> 256 ReLU -> 1
    plus target copies; two torch.optim.Adam (lr 3e-4, PyTorch defaults otherwise); float32.
    PyTorch's default nn.Linear initialisation (seeded); the values do not affect the timing.
  Replay: preallocated torch tensors holding 100,000 random transitions (obs, next_obs ~ N(0,1),
    actions ~ U(-1,1), rewards ~ N(0,1), dones ~ Bernoulli(0.02)). Every step draws 256 random
    indices (torch.randint) and gathers the batch with index_select -- this sampling is INSIDE the
    timed step, like CleanRL's rb.sample() is part of every training step.
  "critic-only step" = sample + TD target under no_grad (target actor, target critic)
    + critic forward, MSE loss, zero_grad, backward, Adam step.
  "full step" = critic-only step + actor loss -qf1(obs, actor(obs)).mean(), zero_grad, backward,
    Adam step + Polyak update (tau 0.005) of both target networks (CleanRL's param loop).
  Reported:
    policy_frequency=1 updates/s = full steps per second.
    policy_frequency=2 (CleanRL default) updates/s = 2 / (t_critic_only + t_full), i.e. the mean
      rate of an alternating critic-only / full pair; each "update" = one training step.
  Timing: warm-up steps are excluded (--warmup, default 30 of each kind); then --rounds rounds
    (default 5), each timing full steps for seconds/rounds and critic-only steps for seconds/rounds,
    alternating. The reported step times/rates are the MEDIAN over rounds of (steps / seconds)
    of that kind -- robust to a round disturbed by other work on the machine (with 2 threads on 2
    cores, any competing process makes OpenMP steps collapse, sometimes 10-100x). Every round's
    rate, plain aggregates (all steps / all time) and the load average are also in the JSON, and
    a WARNING is printed when round rates differ by more than 20%.
  TD3 (--algorithm td3; CleanRL td3_continuous_action.py semantics): actor as above, two Q networks
    of the shape above (qf1, qf2) and three targets; ONE Adam over qf1 + qf2 (lr 3e-4), one for the actor.
    "critic-only step" = sample + TD target under no_grad (smoothing noise torch.randn_like(actions)
      * 0.2 clamped to +-0.5, next action clamped to [-1, 1], min of both target critics) + both critic
      forwards, qf1_loss + qf2_loss, zero_grad, backward, Adam step.
    "full step" = critic-only step + actor loss -qf1(obs, actor(obs)).mean(), Adam step + Polyak of
      target actor, qf1 target and qf2 target.
    Reported as for DDPG: policy_frequency=2 (CleanRL's TD3 default) = 2 / (t_critic_only + t_full);
      policy_frequency=1 = full steps per second.
  SAC (--algorithm sac; CleanRL sac_continuous_action.py semantics, autotuned alpha): actor
    10 -> 256 ReLU -> 256 ReLU -> fc_mean 2 and fc_logstd 2 (tanh-rescaled log std, tanh-squashed
    Gaussian, rsample); two Q networks and their targets (no target actor); Adam: actor 3e-4, ONE over
    qf1 + qf2 1e-3, log_alpha 1e-3; target_entropy -2.
    "critic-only step" = sample + TD target under no_grad (next action and log-prob sampled from the
      actor, min of both target critics - alpha * log_prob) + both critics, one loss, Adam step
      + Polyak of both Q targets (target_network_frequency 1: every step).
    "full step" = the "step with actor": critic-only step's critic part + policy_frequency (2)
      iterations of [actor loss (alpha * log_pi - min(qf1_pi, qf2_pi)).mean(), Adam step; log_pi
      resampled under no_grad, alpha loss, Adam step, alpha = log_alpha.exp().item()] + the Polyak.
    Reported: updates/s = 2 / (t_critic_only + t_full) -- CleanRL's cadence with policy_frequency 2,
      where every second training step runs the actor block twice. There is no policy_frequency=1 rate.
    Actor latency for SAC is the deployable deterministic action tanh(fc_mean(...)) (the forward also
      computes fc_logstd, as CleanRL's Actor.forward does).
  Actor latency: batch 1 (obs 1x10 -> action 1x2) under torch.no_grad(), --latency-calls
    (default 20,000) calls after 1,000 warm-up calls, each timed with time.perf_counter_ns
    (timer overhead, ~0.1 us, included); obs taken from 20,000 pre-made tensors. p50/p99/mean in us.
    Measured in each thread setting; the headline number is the 1-thread one.
  Threads: torch.set_num_threads(N) (intra-op, OpenMP/MKL); with no --threads each setting runs
    in a fresh subprocess (OMP_NUM_THREADS/MKL_NUM_THREADS also set) so settings cannot interfere.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# ----------------------------------------------------------------------------------------------
# one thread setting, in this process

def run_in_process(threads, seconds, rounds, warmup, latency_calls, algorithm="ddpg"):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    torch.manual_seed(0)

    OBS, ACT, HID, BATCH, N = 10, 2, 256, 256, 100_000
    LR, GAMMA, TAU = 3e-4, 0.99, 0.005

    class QNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(OBS + ACT, HID)
            self.fc2 = nn.Linear(HID, HID)
            self.fc3 = nn.Linear(HID, 1)

        def forward(self, x, a):
            x = torch.cat([x, a], 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    class Actor(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(OBS, HID)
            self.fc2 = nn.Linear(HID, HID)
            self.fc_mu = nn.Linear(HID, ACT)
            self.register_buffer("action_scale", torch.ones(ACT))
            self.register_buffer("action_bias", torch.zeros(ACT))

        def forward(self, x):
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = torch.tanh(self.fc_mu(x))
            return x * self.action_scale + self.action_bias

    class SACActor(nn.Module):
        LOG_STD_MAX, LOG_STD_MIN = 2, -5

        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(OBS, HID)
            self.fc2 = nn.Linear(HID, HID)
            self.fc_mean = nn.Linear(HID, ACT)
            self.fc_logstd = nn.Linear(HID, ACT)
            self.register_buffer("action_scale", torch.ones(ACT))
            self.register_buffer("action_bias", torch.zeros(ACT))

        def forward(self, x):
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            mean = self.fc_mean(x)
            log_std = torch.tanh(self.fc_logstd(x))
            log_std = self.LOG_STD_MIN + 0.5 * (self.LOG_STD_MAX - self.LOG_STD_MIN) * (log_std + 1)
            return mean, log_std

        def get_action(self, x):
            mean, log_std = self(x)
            std = log_std.exp()
            normal = torch.distributions.Normal(mean, std)
            x_t = normal.rsample()
            y_t = torch.tanh(x_t)
            log_prob = normal.log_prob(x_t) - torch.log(self.action_scale * (1 - y_t.pow(2)) + 1e-6)
            return y_t * self.action_scale + self.action_bias, log_prob.sum(1, keepdim=True)

        def deterministic(self, x):
            mean, _ = self(x)
            return torch.tanh(mean) * self.action_scale + self.action_bias

    g = torch.Generator().manual_seed(1)
    rb_obs = torch.randn(N, OBS, generator=g)
    rb_next_obs = torch.randn(N, OBS, generator=g)
    rb_actions = torch.rand(N, ACT, generator=g) * 2 - 1
    rb_rewards = torch.randn(N, 1, generator=g)
    rb_dones = (torch.rand(N, 1, generator=g) < 0.02).float()

    def sample():
        idx = torch.randint(0, N, (BATCH,), generator=g)
        return (rb_obs.index_select(0, idx), rb_actions.index_select(0, idx),
                rb_next_obs.index_select(0, idx), rb_rewards.index_select(0, idx),
                rb_dones.index_select(0, idx))

    def polyak(net, target):
        for p, tp in zip(net.parameters(), target.parameters()):
            tp.data.copy_(TAU * p.data + (1 - TAU) * tp.data)

    if algorithm == "ddpg":
        actor, qf1 = Actor(), QNetwork()
        target_actor, qf1_target = Actor(), QNetwork()
        target_actor.load_state_dict(actor.state_dict())
        qf1_target.load_state_dict(qf1.state_dict())
        q_optimizer = torch.optim.Adam(qf1.parameters(), lr=LR)
        actor_optimizer = torch.optim.Adam(actor.parameters(), lr=LR)

        def step(full):
            obs, actions, next_obs, rewards, dones = sample()
            with torch.no_grad():
                next_state_actions = target_actor(next_obs)
                qf1_next_target = qf1_target(next_obs, next_state_actions)
                next_q_value = rewards.flatten() + (1 - dones.flatten()) * GAMMA * qf1_next_target.view(-1)
            qf1_a_values = qf1(obs, actions).view(-1)
            qf1_loss = F.mse_loss(qf1_a_values, next_q_value)
            q_optimizer.zero_grad()
            qf1_loss.backward()
            q_optimizer.step()
            if full:
                actor_loss = -qf1(obs, actor(obs)).mean()
                actor_optimizer.zero_grad()
                actor_loss.backward()
                actor_optimizer.step()
                polyak(actor, target_actor)
                polyak(qf1, qf1_target)

        act = actor
    elif algorithm == "td3":
        POLICY_NOISE, NOISE_CLIP = 0.2, 0.5
        actor, qf1, qf2 = Actor(), QNetwork(), QNetwork()
        target_actor, qf1_target, qf2_target = Actor(), QNetwork(), QNetwork()
        target_actor.load_state_dict(actor.state_dict())
        qf1_target.load_state_dict(qf1.state_dict())
        qf2_target.load_state_dict(qf2.state_dict())
        q_optimizer = torch.optim.Adam(list(qf1.parameters()) + list(qf2.parameters()), lr=LR)
        actor_optimizer = torch.optim.Adam(actor.parameters(), lr=LR)

        def step(full):
            obs, actions, next_obs, rewards, dones = sample()
            with torch.no_grad():
                clipped_noise = (torch.randn_like(actions) * POLICY_NOISE).clamp(
                    -NOISE_CLIP, NOISE_CLIP) * target_actor.action_scale
                next_state_actions = (target_actor(next_obs) + clipped_noise).clamp(-1.0, 1.0)
                min_next = torch.min(qf1_target(next_obs, next_state_actions),
                                     qf2_target(next_obs, next_state_actions))
                next_q_value = rewards.flatten() + (1 - dones.flatten()) * GAMMA * min_next.view(-1)
            qf1_loss = F.mse_loss(qf1(obs, actions).view(-1), next_q_value)
            qf2_loss = F.mse_loss(qf2(obs, actions).view(-1), next_q_value)
            qf_loss = qf1_loss + qf2_loss
            q_optimizer.zero_grad()
            qf_loss.backward()
            q_optimizer.step()
            if full:
                actor_loss = -qf1(obs, actor(obs)).mean()
                actor_optimizer.zero_grad()
                actor_loss.backward()
                actor_optimizer.step()
                polyak(actor, target_actor)
                polyak(qf1, qf1_target)
                polyak(qf2, qf2_target)

        act = actor
    elif algorithm == "sac":
        POLICY_LR, Q_LR, POLICY_FREQUENCY = 3e-4, 1e-3, 2
        actor, qf1, qf2 = SACActor(), QNetwork(), QNetwork()
        qf1_target, qf2_target = QNetwork(), QNetwork()
        qf1_target.load_state_dict(qf1.state_dict())
        qf2_target.load_state_dict(qf2.state_dict())
        q_optimizer = torch.optim.Adam(list(qf1.parameters()) + list(qf2.parameters()), lr=Q_LR)
        actor_optimizer = torch.optim.Adam(actor.parameters(), lr=POLICY_LR)
        target_entropy = -float(ACT)
        log_alpha = torch.zeros(1, requires_grad=True)
        a_optimizer = torch.optim.Adam([log_alpha], lr=Q_LR)
        alpha = [log_alpha.exp().item()]

        def step(full):
            obs, actions, next_obs, rewards, dones = sample()
            with torch.no_grad():
                next_state_actions, next_state_log_pi = actor.get_action(next_obs)
                min_next = torch.min(qf1_target(next_obs, next_state_actions),
                                     qf2_target(next_obs, next_state_actions)) - alpha[0] * next_state_log_pi
                next_q_value = rewards.flatten() + (1 - dones.flatten()) * GAMMA * min_next.view(-1)
            qf1_loss = F.mse_loss(qf1(obs, actions).view(-1), next_q_value)
            qf2_loss = F.mse_loss(qf2(obs, actions).view(-1), next_q_value)
            qf_loss = qf1_loss + qf2_loss
            q_optimizer.zero_grad()
            qf_loss.backward()
            q_optimizer.step()
            if full:
                for _ in range(POLICY_FREQUENCY):
                    pi, log_pi = actor.get_action(obs)
                    min_qf_pi = torch.min(qf1(obs, pi), qf2(obs, pi))
                    actor_loss = ((alpha[0] * log_pi) - min_qf_pi).mean()
                    actor_optimizer.zero_grad()
                    actor_loss.backward()
                    actor_optimizer.step()
                    with torch.no_grad():
                        _, log_pi = actor.get_action(obs)
                    alpha_loss = (-log_alpha.exp() * (log_pi + target_entropy)).mean()
                    a_optimizer.zero_grad()
                    alpha_loss.backward()
                    a_optimizer.step()
                    alpha[0] = log_alpha.exp().item()
            polyak(qf1, qf1_target)
            polyak(qf2, qf2_target)

        act = actor.deterministic
    else:
        raise ValueError(f"unknown algorithm {algorithm!r}")

    for _ in range(warmup):
        step(True)
        step(False)

    totals = {True: [0, 0.0], False: [0, 0.0]}
    per_round = {True: [], False: []}
    window = seconds / rounds
    for _ in range(rounds):
        for full in (True, False):
            n = 0
            t0 = time.perf_counter()
            deadline = t0 + window
            while True:
                step(full)
                n += 1
                t = time.perf_counter()
                if t >= deadline:
                    break
            el = t - t0
            totals[full][0] += n
            totals[full][1] += el
            per_round[full].append(n / el)

    def median(xs):
        xs = sorted(xs)
        return xs[len(xs) // 2] if len(xs) % 2 else 0.5 * (xs[len(xs) // 2 - 1] + xs[len(xs) // 2])

    # Headline: per-round medians (robust to a round disturbed by other work on the machine).
    t_full = 1.0 / median(per_round[True])
    t_critic = 1.0 / median(per_round[False])
    # Plain aggregates (all timed steps / all timed seconds), for reference.
    a_full = totals[True][1] / totals[True][0]
    a_critic = totals[False][1] / totals[False][0]
    res = {
        "threads": threads,
        "full_step_ms": t_full * 1e3,
        "critic_only_step_ms": t_critic * 1e3,
        "updates_per_s_policy_frequency_1": 1.0 / t_full,
        "updates_per_s_policy_frequency_2": 2.0 / (t_full + t_critic),
        "critic_only_steps_per_s": 1.0 / t_critic,
        "full_rounds_per_s": [round(x, 2) for x in per_round[True]],
        "critic_only_rounds_per_s": [round(x, 2) for x in per_round[False]],
        "aggregate": {
            "full_steps_timed": totals[True][0],
            "critic_only_steps_timed": totals[False][0],
            "full_step_ms": a_full * 1e3,
            "critic_only_step_ms": a_critic * 1e3,
            "updates_per_s_policy_frequency_1": 1.0 / a_full,
            "updates_per_s_policy_frequency_2": 2.0 / (a_full + a_critic),
        },
        "loadavg_after": list(os.getloadavg()),
    }
    if algorithm == "sac":
        # A SAC "full" step runs the actor block policy_frequency (2) times; only CleanRL's alternating
        # cadence (critic-only, then with actor) is a meaningful rate.
        del res["updates_per_s_policy_frequency_1"]
        del res["aggregate"]["updates_per_s_policy_frequency_1"]

    # actor batch-1 latency
    obs_list = [torch.randn(1, OBS, generator=g) for _ in range(20_000)]
    lat = []
    with torch.no_grad():
        for i in range(1000):
            act(obs_list[i % len(obs_list)])
        pc = time.perf_counter_ns
        for i in range(latency_calls):
            o = obs_list[i % len(obs_list)]
            t0 = pc()
            act(o)
            lat.append(pc() - t0)
    lat.sort()

    def pct(p):
        return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))] / 1e3

    res["actor_latency_us"] = {"calls": latency_calls, "p50": pct(50), "p99": pct(99),
                               "mean": sum(lat) / len(lat) / 1e3, "min": lat[0] / 1e3,
                               "max": lat[-1] / 1e3}
    return res


# ----------------------------------------------------------------------------------------------

SHAPES = {
    "ddpg": "DDPG obs 10, act 2, hidden 256-256, batch 256, Adam 3e-4, replay 100k",
    "td3": "TD3 obs 10, act 2, hidden 256-256, twin critics, batch 256, Adam 3e-4, replay 100k",
    "sac": "SAC obs 10, act 2, hidden 256-256, twin critics, autotuned alpha, batch 256, "
           "Adam actor 3e-4 / critics and alpha 1e-3, replay 100k",
}

NOTES = {
    "ddpg": "step times / rates: median over rounds.  pf=1: every step = critic + actor + Polyak.  "
            "pf=2 (CleanRL default): 2 / (t_critic_only + t_full).",
    "td3": "step times / rates: median over rounds.  full step = twin critics + actor + Polyak of 3 targets.  "
           "pf=2 (CleanRL's TD3 default): 2 / (t_critic_only + t_full); pf=1: full steps per second.",
    "sac": "step times / rates: median over rounds.  critic-only = twin critics + Polyak; full = that + "
           "2 x (actor step + alpha step).  upd/s pf=2 (CleanRL cadence): 2 / (t_critic_only + t_full).",
}


def print_table(results, meta, algorithm="ddpg"):
    print(f"PyTorch {meta['torch']} on {meta['cpu']} ({meta['cores']} cores); {SHAPES[algorithm]}")
    print(f"ATen kernels: {meta['cpu_capability']}; BLAS: {meta['blas']}; instruction caps: "
          f"{', '.join(f'{k}={v}' for k, v in meta['isa_caps'].items()) or 'none'}")
    print(f"timed {meta['seconds']} s per mode per thread setting, {meta['rounds']} alternating rounds, "
          f"{meta['warmup']} warm-up steps of each kind excluded")
    print()
    hdr = (f"{'threads':>7} | {'full step' if algorithm != 'sac' else 'with actor':>10} | "
           f"{'critic-only':>11} | {'upd/s pf=1':>10} | "
           f"{'upd/s pf=2':>10} | {'actor p50':>9} | {'actor p99':>9} | per-round full/critic upd/s")
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        lat = r["actor_latency_us"]
        print(f"{r['threads']:>7} | {r['full_step_ms']:>7.3f} ms | {r['critic_only_step_ms']:>8.3f} ms | "
              + (f"{r['updates_per_s_policy_frequency_1']:>10.1f} | " if "updates_per_s_policy_frequency_1" in r
                 else f"{'-':>10} | ")
              + f"{r['updates_per_s_policy_frequency_2']:>10.1f} | "
              f"{lat['p50']:>6.1f} us | {lat['p99']:>6.1f} us | "
              f"{r['full_rounds_per_s']} / {r['critic_only_rounds_per_s']}")
    print()
    for r in results:
        spread = [max(v) / min(v) for v in (r["full_rounds_per_s"], r["critic_only_rounds_per_s"])]
        if max(spread) > 1.2:
            print(f"WARNING threads={r['threads']}: round rates differ by up to {max(spread):.1f}x -- "
                  f"the machine was probably busy (load average after: "
                  f"{', '.join(f'{x:.2f}' for x in r['loadavg_after'])}); rerun on a quiet machine.")
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in meta['loadavg_start'])}")
    print(NOTES[algorithm])
    print("actor latency: batch 1, torch.no_grad(), p50/p99 over "
          f"{results[0]['actor_latency_us']['calls']} calls (headline: threads=1).")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--algorithm", choices=("ddpg", "td3", "sac"), default="ddpg",
                    help="which update to time (default ddpg)")
    ap.add_argument("--threads", type=int, default=None,
                    help="run only this torch.set_num_threads value, in-process "
                         "(default: 1 and 2, each in a subprocess)")
    ap.add_argument("--seconds", type=float, default=10.0,
                    help="timed seconds per mode (full / critic-only) per thread setting (default 10)")
    ap.add_argument("--rounds", type=int, default=5, help="alternating timing rounds (default 5)")
    ap.add_argument("--warmup", type=int, default=30, help="warm-up steps of each kind (default 30)")
    ap.add_argument("--latency-calls", type=int, default=20_000)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    import torch
    meta = {"torch": torch.__version__, "python": platform.python_version(), "cpu": cpu_model(),
            "cores": os.cpu_count(), "seconds": args.seconds, "rounds": args.rounds,
            "warmup": args.warmup,
            "loadavg_start": list(os.getloadavg()),
            # What decides the vector width of PyTorch's kernels, so AVX2 and AVX-512 runs stay apart.
            "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "blas": "MKL" if torch.backends.mkl.is_available() else "not MKL",
            "isa_caps": {k: os.environ[k] for k in ("ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS", "ONEDNN_MAX_CPU_ISA")
                         if k in os.environ}}

    if args.threads is not None:
        res = run_in_process(args.threads, args.seconds, args.rounds, args.warmup, args.latency_calls,
                             args.algorithm)
        if args.child:
            print("RESULT " + json.dumps(res), flush=True)
            return
        results = [res]
    else:
        results = []
        for n in (1, 2):
            env = dict(os.environ, OMP_NUM_THREADS=str(n), MKL_NUM_THREADS=str(n))
            cmd = [sys.executable, os.path.abspath(__file__), "--child", "--threads", str(n),
                   "--seconds", str(args.seconds), "--rounds", str(args.rounds),
                   "--warmup", str(args.warmup), "--latency-calls", str(args.latency_calls),
                   "--algorithm", args.algorithm]
            print(f"[running threads={n} ...]", file=sys.stderr, flush=True)
            out = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
            line = [l for l in out.splitlines() if l.startswith("RESULT ")][-1]
            results.append(json.loads(line[len("RESULT "):]))

    print_table(results, meta, args.algorithm)

    def headline(r):
        h = {}
        if "updates_per_s_policy_frequency_1" in r:  # not for SAC
            h["updates_per_s_pf1"] = round(r["updates_per_s_policy_frequency_1"], 2)
        h["updates_per_s_pf2"] = round(r["updates_per_s_policy_frequency_2"], 2)
        h["actor_p50_us"] = round(r["actor_latency_us"]["p50"], 2)
        h["actor_p99_us"] = round(r["actor_latency_us"]["p99"], 2)
        return h

    summary = {
        "benchmark": f"pytorch_{args.algorithm}",
        **meta,
        "results": results,
        "headline": {f"threads_{r['threads']}": headline(r) for r in results},
    }
    print("JSON " + json.dumps(summary))


if __name__ == "__main__":
    main()
