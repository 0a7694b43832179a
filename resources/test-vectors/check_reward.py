#!/usr/bin/env python3
"""Checks the trainers' Python reward rules against the shared vectors, the same ones the
TypeScript rules are tested with (test/reward/reward.test.ts runs this):
  reward.json   -> resources/trainer/pixel_reasoner/reward.py   (src/shared/reward)
  scoring.json  -> resources/trainer/pixel_reasoner/scoring.py  (src/shared/eval/scoring.ts), the
                   correctness term r(x, y) of the reward, ANLS and the unscorable golds
Usage: python3 check_reward.py   (exit 1 on a mismatch)
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "trainer"))
from pixel_reasoner.reward import group_advantages, group_rewards  # noqa: E402
from pixel_reasoner.scoring import answer_unreadable, anls, gold_problem, score_answer  # noqa: E402

TOLERANCE = 1e-9
failures = []


def close(a, b):
    return abs(a - b) <= TOLERANCE


def check_reward(v):
    for c in v["cases"]:
        got = group_rewards(c["group"], c["spec"])
        if not close(got["rapr"], c["rapr"]):
            failures.append(f"{c['name']}: rapr {got['rapr']} != {c['rapr']}")
        for i, (g, e) in enumerate(zip(got["rewards"], c["rewards"])):
            for key in ("correctness", "curiosity", "penalty", "total"):
                if not close(g[key], e[key]):
                    failures.append(f"{c['name']}: rollout {i} {key} {g[key]} != {e[key]}")
        adv = group_advantages([r["total"] for r in got["rewards"]])
        if len(adv) != len(c["advantages"]) or not all(close(a, b) for a, b in zip(adv, c["advantages"])):
            failures.append(f"{c['name']}: advantages {adv} != {c['advantages']}")
    for c in v["invalid"]:
        try:
            group_rewards(c["group"])
            failures.append(f"{c['name']}: accepted")
        except ValueError:
            pass
    return len(v["cases"]) + len(v["invalid"])


def check_scoring(v):
    for c in v["exact_match"]:
        correct, matched_by = score_answer(c["solution"], c["gold"])
        if correct != c["correct"] or matched_by != c["matchedBy"]:
            failures.append(f"scoring {c['solution']!r} vs {c['gold']!r}: python {(correct, matched_by)}, expected {(c['correct'], c['matchedBy'])}")
    for c in v["anls"]:
        got = anls(c["prediction"], c["golds"])
        if not close(got, c["anls"]):
            failures.append(f"anls {c['prediction']!r} vs {c['golds']!r}: python {got}, expected {c['anls']}")
    for c in v["gold_problems"]:
        got = gold_problem(c["gold"])
        if got != c["problem"]:
            failures.append(f"gold_problem {c['gold']!r}: python {got!r}, expected {c['problem']!r}")
    for c in v["unreadable"]:
        got = answer_unreadable(c["solution"], c["gold"])
        if got != c["unreadable"]:
            failures.append(f"answer_unreadable {c['solution']!r} vs {c['gold']!r}: python {got}, expected {c['unreadable']}")
    return len(v["exact_match"]) + len(v["anls"]) + len(v["gold_problems"]) + len(v["unreadable"])


def main():
    with open(os.path.join(HERE, "reward.json")) as f:
        n = check_reward(json.load(f))
    with open(os.path.join(HERE, "scoring.json")) as f:
        n += check_scoring(json.load(f))
    if failures:
        for x in failures:
            print("FAIL", x)
        sys.exit(1)
    print(f"ok: {n} reward and scoring vectors match the Python rules")


if __name__ == "__main__":
    main()
