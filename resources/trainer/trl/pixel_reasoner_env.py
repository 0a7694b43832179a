"""The Pixel Reasoner environment and reward for TRL's GRPOTrainer (`environment_factory`).

- `PixelReasonerEnv`: one instance per rollout. `reset(**row)` receives the dataset row (its
  images, answer, sample id); its public methods are the tools: `crop_image_normalized` and
  `select_frames`, executed with the studio's shared rules (resources/trainer/pixel_reasoner/
  pixel_ops.py, the twin of src/shared/pixel-ops, checked by the shared vectors): originals and
  frames cropped as the model sees them, 0.1 padding, > 28 px, `target_image` over the originals
  (a video counts as one) plus every image returned so far; frames labelled as the reference does
  ("Numbered a to b", a = images so far). A tool returns the reference's observation as content
  blocks — the text, then the images — and the studio chat template renders that `tool` message
  as the reference's `user` observation turn. A failed call returns "\nExecution error:\n..." (the
  reference's observation, so the model reads the same tokens as in our agent loop) and is counted
  in the rollout's failures.
- Reward functions, one per part so TRL logs each as `rewards/<name>/mean|std`: `correctness`,
  `curiosity` (per group of the same sample, from RaPR) and `penalty` (operations beyond the free
  ones); their sum is the shared rule (pixel_reasoner/reward.py: paper or released formula).
  Correctness scores the whole trajectory text after the prompt, as the reference's rule_reward
  does. The first of them also logs `rapr`, `accuracy`, `ops_per_response` and prints each step's
  first groups as `rollout` events for the studio.
"""
import json

from pixel_reasoner import pixel_ops
from pixel_reasoner.reward import group_rewards
from pixel_reasoner.scoring import answer_unreadable, score_answer
from studio_callback import emit

SETTINGS = {"reward": {}, "max_operations": 4, "rollouts_per_step": 8, "profile": "train", "crop_tool": "crop_image_normalized"}


def configure(spec):
    """Reads the run spec's GRPO settings (spec.json)."""
    grpo = spec.get("grpo") or {}
    SETTINGS["reward"] = dict(grpo.get("reward") or {})
    SETTINGS["max_operations"] = int(grpo.get("maxOperations", 4))
    SETTINGS["rollouts_per_step"] = int(grpo.get("groupSize", 8))


class PixelReasonerEnv:
    def reset(self, images=None, is_video=False, **row):
        profile = pixel_ops.PROFILES[SETTINGS["profile"]]
        self.is_video = bool(is_video)
        raw = [pixel_ops.to_rgb(im) for im in (images or [])]
        self.view = [pixel_ops.model_view(im, profile["video_frame"] if self.is_video else profile["view"]) for im in raw]
        self.returned = []
        self.calls = 0
        self.failures = 0
        self.last_failed = False
        return None

    def _ctx(self):
        if self.is_video:
            return {"kind": "video", "frames": len(self.view), "originals": 1, "returned": len(self.returned)}
        return {"kind": "images", "originals": len(self.view), "returned": len(self.returned)}

    def _failed(self, error):
        self.failures += 1
        self.last_failed = True
        return [{"type": "text", "text": pixel_ops.error_observation(str(error) or type(error).__name__)}]

    def crop_image_normalized(self, bbox_2d: list[float], target_image: int) -> list:
        """
        Zoom in on the image based on the bounding box coordinates. It is useful when the object or text in the image is too small to be seen.

        Args:
            bbox_2d: coordinates for bounding box of the area you want to zoom in. Values should be within [0.0,1.0].
            target_image: The index of the image to crop. Index from 1 to the number of images. Choose 1 to operate on original image.
        """
        self.calls += 1
        try:
            target = pixel_ops.resolve_crop_target(target_image, self._ctx())
            source = self.returned[target["index"]] if target["kind"] == "returned" else self.view[target["index"]]
            crop = pixel_ops.crop_and_resize(source, list(bbox_2d) if isinstance(bbox_2d, (list, tuple)) else bbox_2d, pixel_ops.PROFILES[SETTINGS["profile"]]["crop"])
        except (pixel_ops.PixelOpError, AssertionError, ValueError, IndexError, TypeError, KeyError) as error:
            return self._failed(error)
        self.last_failed = False
        self.returned.append(crop)
        return [{"type": "text", "text": pixel_ops.crop_observation(crop.width, crop.height)}, {"type": "image", "image": crop}]

    def select_frames(self, target_frames: list[int]) -> list:
        """
        Select frames from a video.

        Args:
            target_frames: List of frame indices to select from the video (no more than 8 frames in total).
        """
        self.calls += 1
        try:
            ctx = self._ctx()
            picked = pixel_ops.resolve_frame_selection(list(target_frames) if isinstance(target_frames, (list, tuple)) else target_frames, ctx)
            first, last = pixel_ops.frame_labels(ctx, len(picked))
        except (pixel_ops.PixelOpError, AssertionError, ValueError, IndexError, TypeError, KeyError) as error:
            return self._failed(error)
        self.last_failed = False
        frames = [self.view[i] for i in picked]
        self.returned.extend(frames)
        w, h = frames[0].size
        return [{"type": "text", "text": pixel_ops.frames_observation(w, h, first, last)}] + [{"type": "image", "image": f} for f in frames]


class PixelReasonerTextOnlyEnv(PixelReasonerEnv):
    """The text-only arm (grpo.maxOperations 0): no visual operation is offered. TRL takes an
    environment's public methods as its tools, so with none the prompt has no tools block (the
    agent loop's system turn at maxOperations 0), and the rewards still read this state."""

    crop_image_normalized = None
    select_frames = None


def environment_class():
    """The environment of this run: no tools at all when it may make no operation."""
    return PixelReasonerTextOnlyEnv if SETTINGS["max_operations"] == 0 else PixelReasonerEnv


def offered_prompt(prompt):
    """The prompt as this run offers it. The export writes the tools block into the system text;
    the text-only arm's system turn leaves it out (the agent loop's at maxOperations 0)."""
    if SETTINGS["max_operations"] != 0 or not prompt or prompt[0]["role"] != "system":
        return prompt
    text = "".join(c.get("text", "") for c in prompt[0]["content"]).split("\n\n# Tools\n")[0]
    return [{"role": "system", "content": [{"type": "text", "text": text}]}, *prompt[1:]]


def _text(content):
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content or [] if isinstance(part, dict))


def render_call(call):
    fn = call.get("function", call)
    arguments = fn.get("arguments", {})
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except ValueError:
            pass
    return "<tool_call>\n" + json.dumps({"name": fn.get("name"), "arguments": arguments}, ensure_ascii=False) + "\n</tool_call>"


def assistant_text(message):
    """An assistant message as the model wrote it: content, then its call on a new line."""
    text = _text(message.get("content"))
    for call in message.get("tool_calls") or []:
        text += ("\n" if text and not text.endswith("\n") else "") + render_call(call)
    return text


def assistant_turns(completion):
    if isinstance(completion, str):
        return [completion]
    return [assistant_text(m) for m in completion if m.get("role") == "assistant"]


def trajectory_text(completion):
    """Everything after the prompt, as the reference's rule_reward reads it: every assistant turn
    and the observation turns between them."""
    if isinstance(completion, str):
        return completion
    return "".join(assistant_text(m) if m.get("role") == "assistant" else _text(m.get("content")) for m in completion)


class _Batch:
    """The group rewards of the batch being scored: TRL calls the reward functions in list order,
    so `correctness` computes them and `curiosity` and `penalty` read them."""

    parts = None


def _rewards(completions, answer, sample_id, environments, is_video, trainer_state, log_metric):
    outcomes = []
    for i, completion in enumerate(completions):
        env = environments[i] if environments else None
        text = trajectory_text(completion)
        correct, _ = score_answer(text, str(answer[i]))
        outcomes.append({
            # the released formula's correctness -1: an answer the reference cannot read
            "unreadable": answer_unreadable(text, str(answer[i])),
            "operations": env.calls if env is not None else 0,
            "failures": env.failures if env is not None else 0,
            "correct": bool(correct),
            "video": bool(is_video[i]) if is_video is not None else False,
            "endedOnError": bool(env.last_failed) if env is not None else False,
            "turns": assistant_turns(completion),
        })
    groups = {}
    for i, key in enumerate(sample_id):
        groups.setdefault(key, []).append(i)
    parts = [None] * len(outcomes)
    raprs = []
    for members in groups.values():
        result = group_rewards([outcomes[i] for i in members], SETTINGS["reward"])
        raprs.append(result["rapr"])
        for i, reward in zip(members, result["rewards"]):
            parts[i] = reward
    n = max(len(outcomes), 1)
    if log_metric is not None:
        log_metric("rapr", sum(raprs) / max(len(raprs), 1))
        log_metric("accuracy", sum(p["correctness"] for p in parts) / n)
        log_metric("ops_per_response", sum(o["operations"] for o in outcomes) / n)
    step = int(trainer_state.global_step) if trainer_state is not None else 0
    shown = 0
    for members in groups.values():
        for i in members:
            if shown >= SETTINGS["rollouts_per_step"]:
                break
            shown += 1
            emit({"event": "rollout", "step": step, "sampleId": str(sample_id[i]), "turns": outcomes[i]["turns"], "reward": float(parts[i]["total"]), "correct": bool(parts[i]["correctness"]), "operations": int(outcomes[i]["operations"])})
    _Batch.parts = parts
    return parts


def _current(completions):
    if _Batch.parts is None or len(_Batch.parts) != len(completions):
        raise RuntimeError("correctness must be the first reward function (it scores the batch)")
    return _Batch.parts


def correctness(completions, answer, sample_id, environments=None, is_video=None, trainer_state=None, log_metric=None, **kwargs):
    """1 when the trajectory's answer matches the gold answer, else 0."""
    return [float(p["correctness"]) for p in _rewards(completions, answer, sample_id, environments, is_video, trainer_state, log_metric)]


def curiosity(completions, answer, sample_id, environments=None, is_video=None, trainer_state=None, log_metric=None, **kwargs):
    """The curiosity bonus: rollouts that used an operation while the group's RaPR is below H."""
    return [float(p["curiosity"]) for p in _current(completions)]


def penalty(completions, answer, sample_id, environments=None, is_video=None, trainer_state=None, log_metric=None, **kwargs):
    """The operation penalty: beta * min(N - operations, 0)."""
    return [float(p["penalty"]) for p in _current(completions)]


REWARD_FUNCS = [correctness, curiosity, penalty]
