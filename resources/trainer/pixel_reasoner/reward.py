"""The Pixel Reasoner reward, a line-for-line twin of src/shared/reward/index.ts (its README cites
the paper's Eq. 3-5 and the released experience_maker.py), checked against
resources/test-vectors/reward.json. Spec keys are the RunSpec's RewardSpec (camelCase)."""

DEFAULT_REWARD = {"formula": "paper", "alpha": 0.5, "beta": 0.05, "targetRapr": 0.3, "freeOperations": 1, "curiosity": True}


def rapr(group):
    """RaPR over one query's group: the share of rollouts that used at least one operation."""
    if len(group) == 0:
        raise ValueError("RaPR needs at least one rollout")
    return sum(1 for o in group if o["operations"] > 0) / len(group)


def curiosity_bonus(group_rapr, outcome, spec):
    if not spec["curiosity"] or outcome["operations"] <= 0:
        return 0.0
    shortfall = max(spec["targetRapr"] - group_rapr, 0)
    if spec["formula"] == "paper":
        return spec["alpha"] * shortfall  # alpha * max(H - RaPR, 0) * 1_PR(y)
    # released code: max(0.3 - rapr, 0) / 2.0 (1.5 for video) / rapr * 0.25 (alpha is not used)
    return (shortfall / (1.5 if outcome.get("video") else 2)) / group_rapr * 0.25


def group_rewards(group, spec=None):
    """-> {"rapr": float, "rewards": [{correctness, curiosity, penalty, total}, ...]}"""
    spec = {**DEFAULT_REWARD, **(spec or {})}
    group_rapr = rapr(group)
    rewards = []
    for o in group:
        n = o["operations"]
        if isinstance(n, bool) or not isinstance(n, (int, float)) or n < 0 or int(n) != n:
            raise ValueError(f"operations must be a whole number >= 0, got {n}")
        released = spec["formula"] == "released"
        if o["correct"]:
            correctness = 0 if released and o.get("endedOnError") else 1
        else:
            correctness = -1 if released and o.get("unreadable") else 0
        curiosity = curiosity_bonus(group_rapr, o, spec)
        # beta * min(N - n_vo(y), 0); the released -0.05 * (ncall - 1) for ncall > 0 is the same at N = 1
        penalty = spec["beta"] * min(spec["freeOperations"] - n, 0)
        rewards.append({"correctness": correctness, "curiosity": curiosity, "penalty": penalty + 0.0, "total": correctness + curiosity + penalty})
    return {"rapr": group_rapr, "rewards": rewards}


def group_advantages(totals):
    """GRPO's advantage as the paper trains it: reward minus the group mean, no std normalisation."""
    if not totals:
        return []
    mean = sum(totals) / len(totals)
    return [t - mean for t in totals]
