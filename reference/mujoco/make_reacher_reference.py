#!/usr/bin/env python3
"""Generate MuJoCo / Gymnasium Reacher-v5 reference data for Armature.

What it makes (all written next to this script, in reference/mujoco/):
  * NAME.actions.csv     -- header `a0,a1`; one row per control step (100 rows),
                            normalized actions, printed with %.9g. The values
                            actually fed to env.step() are the float64 values
                            obtained by parsing those strings, so the CSV is
                            an exact record of the input.
  * NAME.trajectory.csv  -- header `step,q0,q1,qd0,qd1,tip_x,tip_y`; steps 1..100,
                            state after each env.step(): data.qpos[:2],
                            data.qvel[:2], data.body("fingertip").xpos[:2]
                            (%.12g). NOTE: with the RK4 integrator, xpos after
                            mj_step is the kinematics of the *last RK4 stage*
                            (qpos0 + h*v_stage3), not of the final qpos; that is
                            exactly what Reacher-v5's observation/reward use.
                            See "rk4_stale_xpos_check" in reacher_model.json.
  * cases.json           -- per case: initial q, action distribution, seed,
                            whether the elbow limit (|q1|>3) was hit; versions.
  * reacher_model.json   -- quantities MuJoCo derived from the XML (masses,
                            inertias, armature, damping, ranges, solref/solimp,
                            gear, ...), composite body1+fingertip, mass-matrix
                            samples, and numeric checks (capsule formula,
                            joint-limit force formula, RK4 stale xpos).
  * reacher_v5_steps.csv -- 20 Reacher-v5 env steps from a fixed state
                            (qpos=[0.2,-0.3,0.05,0.12], qvel=[0.1,-0.2,0,0]),
                            actions uniform[-1,1]^2 seed 4; row 0 = observation
                            before the first step (env.unwrapped._get_obs()).

Each replay case: env.reset(seed=0) (required by Gymnasium's OrderEnforcing
wrapper), then env.unwrapped.set_state(qpos=[q0,q1,0.1,-0.1], qvel=0) (target
fixed at (0.1,-0.1)), then 100 x env.step(action). frame_skip=2, timestep=0.01,
so one control step = 0.02 s. The env is made with
gymnasium.make("Reacher-v5", max_episode_steps=1000) only so that the
TimeLimit wrapper (default 50) does not flag truncation mid-replay; the
physics is identical.

RNG: numpy.random.default_rng(seed).uniform(lo, hi, size=(100, 2)).

How to run:
    pip install mujoco gymnasium imageio   # imageio: gymnasium.envs.mujoco imports it
    python3 reference/mujoco/make_reacher_reference.py

Run with: mujoco 4.0.0 (MuJoCo engine 4.0.0), gymnasium 1.4.0, numpy 2.x,
Python 3.11.7 (Debian x86_64). The script records the versions it actually ran
with in cases.json / reacher_model.json.
"""

import json
import math
import os

import gymnasium as gym
import mujoco
import numpy as np

OUT = os.path.dirname(os.path.abspath(__file__))
NSTEPS = 100
TARGET = (0.1, -0.1)
ELBOW_LIMIT = 3.0


def versions():
    return {
        "mujoco": mujoco.__version__,
        "mujoco_engine": mujoco.mj_versionString(),
        "gymnasium": gym.__version__,
        "numpy": np.__version__,
    }


def exact_actions(a):
    """Round to the %.9g text we write, and use exactly those doubles."""
    return np.array([[float("%.9g" % x) for x in row] for row in a], dtype=np.float64)


def uniform_actions(seed, lo, hi, n=NSTEPS):
    rng = np.random.default_rng(seed)
    return exact_actions(rng.uniform(lo, hi, size=(n, 2)))


def make_env(max_steps=1000):
    return gym.make("Reacher-v5", max_episode_steps=max_steps)


def run_case(env, q_init, actions):
    u = env.unwrapped
    env.reset(seed=0)
    qpos = np.array([q_init[0], q_init[1], TARGET[0], TARGET[1]], dtype=np.float64)
    qvel = np.zeros(4)
    u.set_state(qpos, qvel)
    rows = []
    for k, a in enumerate(actions, start=1):
        env.step(a)
        d = u.data
        tip = d.body("fingertip").xpos
        rows.append((k, d.qpos[0], d.qpos[1], d.qvel[0], d.qvel[1], tip[0], tip[1]))
    return rows


def write_case(name, actions, rows):
    with open(os.path.join(OUT, f"{name}.actions.csv"), "w") as f:
        f.write("a0,a1\n")
        for a in actions:
            f.write("%.9g,%.9g\n" % (a[0], a[1]))
    with open(os.path.join(OUT, f"{name}.trajectory.csv"), "w") as f:
        f.write("step,q0,q1,qd0,qd1,tip_x,tip_y\n")
        for r in rows:
            f.write("%d," % r[0] + ",".join("%.12g" % v for v in r[1:]) + "\n")


def max_abs_q1(rows):
    return max(abs(r[2]) for r in rows)


# --------------------------------------------------------------------------- model facts

def quat_to_mat(q):
    m = np.zeros(9)
    mujoco.mju_quat2Mat(m, np.asarray(q, dtype=np.float64))
    return m.reshape(3, 3)


def body_inertia_in_body_frame(m, b):
    R = quat_to_mat(m.body_iquat[b])
    return R @ np.diag(m.body_inertia[b]) @ R.T


def capsule_mass_inertia(r, L, rho):
    """MuJoCo capsule (half-length h2=L/2): cylinder + two hemispheres."""
    mc = rho * math.pi * r * r * L
    ms = rho * 4.0 / 3.0 * math.pi * r ** 3
    ixx = mc * (3 * r * r + L * L) / 12.0 + ms * (2 * r * r / 5.0 + L * L / 4.0 + 3 * L * r / 8.0)
    izz = mc * r * r / 2.0 + ms * 2 * r * r / 5.0
    return mc + ms, ixx, izz


def sphere_mass_inertia(r, rho):
    ms = rho * 4.0 / 3.0 * math.pi * r ** 3
    return ms, 2.0 / 5.0 * ms * r * r


def model_facts(env):
    u = env.unwrapped
    m = u.model
    facts = {"versions": versions(), "bodies": {}}
    for b in range(m.nbody):
        name = m.body(b).name
        facts["bodies"][name] = {
            "body_mass": float(m.body_mass[b]),
            "body_inertia_principal": m.body_inertia[b].tolist(),
            "body_ipos": m.body_ipos[b].tolist(),
            "body_iquat_wxyz": m.body_iquat[b].tolist(),
            "body_pos": m.body_pos[b].tolist(),
            "body_quat_wxyz": m.body_quat[b].tolist(),
            "inertia_tensor_in_body_frame": body_inertia_in_body_frame(m, b).tolist(),
        }
    facts["joints"] = {
        m.joint(j).name: {
            "type": int(m.jnt_type[j]),
            "jnt_limited": bool(m.jnt_limited[j]),
            "jnt_range": m.jnt_range[j].tolist(),
            "jnt_margin": float(m.jnt_margin[j]),
            "jnt_solref": m.jnt_solref[j].tolist(),
            "jnt_solimp": m.jnt_solimp[j].tolist(),
            "jnt_stiffness": float(m.jnt_stiffness[j]),
            "qpos0": float(m.qpos0[j]),
            "dof_armature": float(m.dof_armature[j]),
            "dof_damping": float(m.dof_damping[j]),
            "dof_frictionloss": float(m.dof_frictionloss[j]),
            "dof_invweight0": float(m.dof_invweight0[j]),
        }
        for j in range(m.njnt)
    }
    facts["dof_armature"] = m.dof_armature.tolist()
    facts["dof_damping"] = m.dof_damping.tolist()
    facts["jnt_range"] = m.jnt_range.tolist()
    facts["jnt_limited"] = [bool(x) for x in m.jnt_limited]
    facts["jnt_solref"] = m.jnt_solref.tolist()
    facts["jnt_solimp"] = m.jnt_solimp.tolist()
    facts["actuator_gear"] = m.actuator_gear[:, 0].tolist()
    facts["actuator_ctrlrange"] = m.actuator_ctrlrange.tolist()
    facts["actuator_ctrllimited"] = [bool(x) for x in m.actuator_ctrllimited]
    facts["opt"] = {
        "timestep": float(m.opt.timestep),
        "integrator": mujoco.mjtIntegrator(m.opt.integrator).name,
        "solver": mujoco.mjtSolver(m.opt.solver).name,
        "iterations": int(m.opt.iterations),
        "tolerance": float(m.opt.tolerance),
        "gravity": m.opt.gravity.tolist(),
        "disableflags": int(m.opt.disableflags),
        "enableflags": int(m.opt.enableflags),
    }
    facts["frame_skip"] = int(u.frame_skip)
    facts["control_dt"] = float(u.dt)

    # composite body1 + fingertip, in body1 frame (elbow at origin, link along +x)
    b1, bf = m.body("body1").id, m.body("fingertip").id
    m1, mf = m.body_mass[b1], m.body_mass[bf]
    c1 = m.body_ipos[b1]
    cf = m.body_pos[bf] + m.body_ipos[bf]
    I1 = body_inertia_in_body_frame(m, b1)
    If = body_inertia_in_body_frame(m, bf)
    mc = m1 + mf
    com = (m1 * c1 + mf * cf) / mc
    izz_elbow = I1[2, 2] + m1 * (c1[0] ** 2 + c1[1] ** 2) + If[2, 2] + mf * (cf[0] ** 2 + cf[1] ** 2)
    izz_com = izz_elbow - mc * (com[0] ** 2 + com[1] ** 2)
    b0 = m.body("body0").id
    I0 = body_inertia_in_body_frame(m, b0)
    c0 = m.body_ipos[b0]
    facts["composite_body1_plus_fingertip"] = {
        "mass": float(mc),
        "com_along_link_from_elbow": float(com[0]),
        "Izz_about_elbow_axis": float(izz_elbow),
        "Izz_about_composite_com": float(izz_com),
    }
    facts["body0"] = {
        "mass": float(m.body_mass[b0]),
        "com_along_link_from_shoulder": float(c0[0]),
        "Izz_about_shoulder_axis": float(I0[2, 2] + m.body_mass[b0] * (c0[0] ** 2 + c0[1] ** 2)),
        "link_length_shoulder_to_elbow": float(m.body_pos[b1][0]),
    }

    # capsule / sphere formula check (radius 0.01, fromto length 0.1, density 1000)
    cm, cixx, cizz = capsule_mass_inertia(0.01, 0.1, 1000.0)
    sm, si = sphere_mass_inertia(0.01, 1000.0)
    facts["geometry_formula_check"] = {
        "capsule_formula": "m_cyl=rho*pi*r^2*L, m_sph=rho*4/3*pi*r^3, m=m_cyl+m_sph; "
                           "I_perp=m_cyl*(3r^2+L^2)/12 + m_sph*(2r^2/5 + L^2/4 + 3*L*r/8); "
                           "I_axis=m_cyl*r^2/2 + m_sph*2r^2/5 (L = cylinder length = fromto length)",
        "capsule_mass_formula": cm, "capsule_I_perp_formula": cixx, "capsule_I_axis_formula": cizz,
        "capsule_mass_mujoco": float(m.body_mass[b0]),
        "capsule_I_perp_mujoco": float(m.body_inertia[b0][0]),
        "capsule_I_axis_mujoco": float(m.body_inertia[b0][2]),
        "sphere_mass_formula": sm, "sphere_I_formula": si,
        "sphere_mass_mujoco": float(m.body_mass[bf]), "sphere_I_mujoco": float(m.body_inertia[bf][0]),
    }

    # mass matrix samples (arm dofs only), M includes armature
    d = mujoco.MjData(m)
    samples = []
    for q1 in (0.0, math.pi / 2, 1.0, -2.0, 3.0):
        d.qpos[:] = [0.3, q1, TARGET[0], TARGET[1]]
        mujoco.mj_forward(m, d)
        M = np.zeros((m.nv, m.nv))
        mujoco.mj_fullM(m, d, M)
        samples.append({"q1": q1, "M_arm_2x2": M[:2, :2].tolist()})
    facts["mass_matrix_samples"] = samples
    return facts


# --------------------------------------------------------------------------- checks

def imp_of(solimp, pos, margin=0.0):
    d0, dw, width, mid, p = solimp
    x = abs((pos - margin) / width)
    if x >= 1:
        return dw
    if x <= 0:
        return d0
    if x <= mid:
        y = (1 / mid ** (p - 1)) * x ** p
    else:
        y = 1 - (1 / (1 - mid) ** (p - 1)) * (1 - x) ** p
    return d0 + y * (dw - d0)


def limit_force_check(env, states):
    """Compare data.efc_force with the analytic single-constraint formula."""
    m = env.unwrapped.model
    d = mujoco.MjData(m)
    solref = m.jnt_solref[1]
    solimp = m.jnt_solimp[1]
    timeconst = max(solref[0], 2 * m.opt.timestep)
    dampratio = solref[1]
    dmax = solimp[1]
    b = 2.0 / (dmax * timeconst)
    out = []
    for (label, qpos, qvel, ctrl) in states:
        d.qpos[:] = qpos
        d.qvel[:] = qvel
        d.ctrl[:] = ctrl
        mujoco.mj_forward(m, d)
        if d.nefc != 1:
            out.append({"label": label, "nefc": int(d.nefc)})
            continue
        J = np.asarray(d.efc_J).reshape(-1)[: m.nv].copy()
        M = np.zeros((m.nv, m.nv))
        mujoco.mj_fullM(m, d, M)
        Minv = np.linalg.inv(M)
        A_exact = float(J @ Minv @ J)
        A_approx = float(m.dof_invweight0[1])
        r = float(d.efc_pos[0])
        v = float(J @ d.qvel)
        imp = imp_of(solimp, r)
        k = imp / (dmax ** 2 * timeconst ** 2 * dampratio ** 2)
        aref = -b * v - k * r
        a0 = d.qacc_smooth.copy()
        Ja0 = float(J @ a0)
        res = {}
        for tag, A_R in (("R_from_diagApprox", A_approx), ("R_from_exactA", A_exact)):
            R = (1 - imp) / imp * A_R
            f = max(0.0, (aref - Ja0) / (A_exact + R))
            res[tag] = f
        kbip = np.asarray(d.efc_KBIP).reshape(-1)
        out.append({
            "label": label, "q1": float(d.qpos[1]), "qd1": float(d.qvel[1]),
            "efc_pos_r": r, "efc_J_row": J.tolist(), "efc_vel": float(d.efc_vel[0]), "v=J.qvel": v,
            "imp_formula": imp, "imp_mujoco": float(kbip[2]),
            "K_mujoco": float(kbip[0]), "B_mujoco": float(kbip[1]),
            "aref_formula": aref, "aref_mujoco": float(d.efc_aref[0]),
            "A_exact": A_exact, "diagApprox_mujoco(efc_diagA)": float(d.efc_diagA[0]),
            "dof_invweight0": A_approx,
            "R_mujoco": float(d.efc_R[0]),
            "R_formula_diagApprox": (1 - imp) / imp * A_approx,
            "force_mujoco": float(d.efc_force[0]),
            "force_formula_R_diagApprox": res["R_from_diagApprox"],
            "force_formula_R_exactA": res["R_from_exactA"],
            "qfrc_constraint": d.qfrc_constraint[:2].tolist(),
        })
    return out


def rk4_stale_xpos_check(env, q_init, actions):
    """After env.step, xpos is from the last RK4 stage; compare with FK of final qpos."""
    u = env.unwrapped
    m = u.model
    env.reset(seed=0)
    u.set_state(np.array([q_init[0], q_init[1], TARGET[0], TARGET[1]]), np.zeros(4))
    d2 = mujoco.MjData(m)
    worst = 0.0
    for a in actions:
        env.step(a)
        d2.qpos[:] = u.data.qpos
        mujoco.mj_kinematics(m, d2)
        diff = np.abs(u.data.body("fingertip").xpos[:2] - d2.body("fingertip").xpos[:2]).max()
        worst = max(worst, float(diff))
    return {"max_abs_diff_tip_xy_recorded_vs_fk_of_final_qpos": worst,
            "case_initial_q": list(q_init)}


# --------------------------------------------------------------------------- main

def main():
    env = make_env()
    cases = {}

    def do(name, q_init, actions, desc, seed=None):
        rows = run_case(env, q_init, actions)
        write_case(name, actions, rows)
        mx = max_abs_q1(rows)
        cases[name] = {
            "initial_q": list(q_init), "initial_qvel": [0.0, 0.0],
            "target_qpos": list(TARGET), "actions": desc, "seed": seed,
            "steps": len(rows), "max_abs_q1": mx, "hits_elbow_limit": bool(mx > ELBOW_LIMIT),
        }
        return rows

    do("random_uniform_seed1", (0.3, -0.5), uniform_actions(1, -1.0, 1.0),
       "default_rng(1).uniform(-1,1,(100,2))", 1)
    do("random_uniform_seed2", (-1.0, 1.2), uniform_actions(2, -1.0, 1.0),
       "default_rng(2).uniform(-1,1,(100,2))", 2)
    do("small_actions_seed3", (0.0, 0.0), uniform_actions(3, -0.1, 0.1),
       "default_rng(3).uniform(-0.1,0.1,(100,2))", 3)
    elbow_rows = do("elbow_limit", (0.0, 2.5), exact_actions(np.tile([0.0, 1.0], (NSTEPS, 1))),
                    "constant (0,+1)", None)

    if cases["random_uniform_seed1"]["hits_elbow_limit"] or cases["random_uniform_seed2"]["hits_elbow_limit"]:
        q_init = (0.3, -0.5)
        for seed in range(10, 1000):
            acts = uniform_actions(seed, -1.0, 1.0)
            rows = run_case(env, q_init, acts)
            if max_abs_q1(rows) < ELBOW_LIMIT - 0.2:   # keep a 0.2 rad safety gap
                do("random_uniform_nolimit", q_init, acts,
                   f"default_rng({seed}).uniform(-1,1,(100,2)); first seed >=10 with max|q1| < 2.8", seed)
                break

    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"versions": versions(),
                   "setup": "env=gymnasium.make('Reacher-v5', max_episode_steps=1000); env.reset(seed=0); "
                            "env.unwrapped.set_state([q0,q1,0.1,-0.1], zeros(4)); 100 x env.step(a). "
                            "frame_skip=2, timestep=0.01, RK4. Trajectory row k = state after step k.",
                   "cases": cases}, f, indent=2)

    # ---- model facts + checks
    facts = model_facts(env)
    # limit-force check on states from the elbow_limit trajectory and hand-picked states
    states = []
    for k in (4, 5, 6, 10, 50, 100):
        r = elbow_rows[k - 1]
        states.append((f"elbow_limit step {k}", [r[1], r[2], TARGET[0], TARGET[1]],
                       [r[3], r[4], 0, 0], [0.0, 1.0]))
    states.append(("q1=3.0004 (|r|<width), qd1=+0.5, ctrl 0", [0.2, 3.0004, TARGET[0], TARGET[1]],
                   [0.1, 0.5, 0, 0], [0.0, 0.0]))
    states.append(("q1=3.0007 (|r|>midpoint*width), qd1=-0.05, ctrl (0.3,1)", [0.2, 3.0007, TARGET[0], TARGET[1]],
                   [0.1, -0.05, 0, 0], [0.3, 1.0]))
    states.append(("q1=-3.01 lower limit, qd1=-2, ctrl (0,-1)", [1.0, -3.01, TARGET[0], TARGET[1]],
                   [0.5, -2.0, 0, 0], [0.0, -1.0]))
    states.append(("q1=3.02 moving out fast (force should be 0)", [0.0, 3.02, TARGET[0], TARGET[1]],
                   [0.0, -20.0, 0, 0], [0.0, -1.0]))
    facts["joint_limit_force_check"] = limit_force_check(env, states)
    facts["rk4_stale_xpos_check"] = rk4_stale_xpos_check(env, (0.3, -0.5), uniform_actions(1, -1.0, 1.0))
    with open(os.path.join(OUT, "reacher_model.json"), "w") as f:
        json.dump(facts, f, indent=2)

    # ---- Reacher-v5 step semantics
    env50 = gym.make("Reacher-v5")  # default TimeLimit 50
    u = env50.unwrapped
    env50.reset(seed=0)
    u.set_state(np.array([0.2, -0.3, 0.05, 0.12]), np.array([0.1, -0.2, 0.0, 0.0]))
    acts = uniform_actions(4, -1.0, 1.0, n=20)
    hdr = ["step", "a0", "a1"] + [f"obs{i}" for i in range(10)] + \
          ["reward", "reward_dist", "reward_ctrl", "terminated", "truncated"]
    lines = [",".join(hdr)]
    obs0 = u._get_obs()
    lines.append(",".join(["0", "", ""] + ["%.12g" % x for x in obs0] + ["", "", "", "", ""]))
    for k, a in enumerate(acts, start=1):
        obs, rew, term, trunc, info = env50.step(a)
        lines.append(",".join([str(k), "%.9g" % a[0], "%.9g" % a[1]] + ["%.12g" % x for x in obs] +
                              ["%.12g" % rew, "%.12g" % info["reward_dist"], "%.12g" % info["reward_ctrl"],
                               str(int(term)), str(int(trunc))]))
    with open(os.path.join(OUT, "reacher_v5_steps.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")

    # ---- summary
    print(json.dumps(versions()))
    for n, c in cases.items():
        print(n, "max|q1|=%.4f" % c["max_abs_q1"], "hits_limit=", c["hits_elbow_limit"], "seed=", c["seed"])
    print(json.dumps(facts["geometry_formula_check"], indent=1))
    print(json.dumps(facts["composite_body1_plus_fingertip"], indent=1))
    for c in facts["joint_limit_force_check"]:
        print(json.dumps(c))
    print(json.dumps(facts["rk4_stale_xpos_check"]))


if __name__ == "__main__":
    main()
