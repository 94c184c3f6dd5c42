#!/usr/bin/env python3
"""A client of `armature run --live`, speaking the page's own protocol (the `websockets` package).

  live-client.py watch URL OUT.json [--states N] [--estop] [--token-in-estop]
      Connects to the page's WebSocket (URL: the page's address as printed, token included), checks the
      hello and that every state message's drawn points are the forward kinematics of its joint angles,
      keeps N state messages, then (with --estop) presses the e-stop as the page does and waits for the
      run's "stopped" message. Writes what it saw to OUT.json.
  live-client.py compare OUT.json RUN.mcap
      Checks that every state message's joint angles are the recorded /joint_state of the same episode
      and step: the page showed the run that ran.
"""
import json
import math
import sys
import time
import urllib.parse


def forward_kinematics(lengths, q):
    points, theta, x, y = [[0.0, 0.0]], 0.0, 0.0, 0.0
    for length, angle in zip(lengths, q):
        theta += angle
        x += length * math.cos(theta)
        y += length * math.sin(theta)
        points.append([x, y])
    return points


def watch(url, out, states, estop):
    from websockets.sync.client import connect

    parts = urllib.parse.urlsplit(url)
    token = urllib.parse.parse_qs(parts.query).get("token", [None])[0]
    ws_url = f"ws://{parts.netloc}/live" + (f"?token={urllib.parse.quote(token)}" if token else "")
    seen = {"hello": None, "states": [], "estop": None, "stopped": None, "fk_error": 0.0}
    with connect(ws_url, open_timeout=10) as ws:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            message = json.loads(ws.recv(timeout=10))
            kind = message["type"]
            if kind == "hello":
                seen["hello"] = message
            elif kind == "state":
                assert seen["hello"], "state before hello"
                # The lengths include the tool point's offset as the last link's end: compare all but the base.
                points = forward_kinematics(seen["hello"]["lengths"], message["q"])
                error = max(math.dist(a, b) for a, b in zip(points, message["points"]))
                seen["fk_error"] = max(seen["fk_error"], error)
                if len(seen["states"]) < states:
                    seen["states"].append(message)
                    if len(seen["states"]) == states and estop:
                        ws.send(json.dumps({"type": "estop", "token": token}))
                elif not estop:
                    break
            elif kind == "estop":
                seen["estop"] = message
            elif kind == "stopped":
                seen["stopped"] = message
                break
    with open(out, "w") as f:
        json.dump(seen, f)
    print(json.dumps({"states": len(seen["states"]), "fk_error": seen["fk_error"], "estop": seen["estop"], "stopped": seen["stopped"]}))


def compare(out, recording):
    from mcap.reader import make_reader

    seen = json.load(open(out))
    recorded = {}
    with open(recording, "rb") as f:
        for _, channel, message in make_reader(f).iter_messages(topics=["/joint_state"]):
            value = json.loads(message.data)
            recorded[(value["episode"], value["step"])] = value["position"]
    matched, worst = 0, 0.0
    for state in seen["states"]:
        key = (state["episode"], state["step"])
        if state["step"] == 0:
            continue  # an episode's start: no step recorded yet
        assert key in recorded, f"the page showed episode {key[0]} step {key[1]}, which the recording does not have"
        worst = max(worst, max(abs(a - b) for a, b in zip(state["q"], recorded[key])))
        matched += 1
    print(json.dumps({"matched": matched, "worst_difference": worst}))


if __name__ == "__main__":
    if sys.argv[1] == "watch":
        count = int(sys.argv[sys.argv.index("--states") + 1]) if "--states" in sys.argv else 20
        watch(sys.argv[2], sys.argv[3], count, "--estop" in sys.argv)
    elif sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
