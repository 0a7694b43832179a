"""GRPO rollouts: the Pixel Reasoner agent loop in Python, with the studio's rules. A turn that
ends with </tool_call> is a call (toolcall.is_call; only the last block counts,
toolcall.parse_last_tool); crops and frame selections run through pixel_reasoner.pixel_ops (the
studio's target rules, the reference's crop geometry, smart_resize into the TRAIN profile); the
result comes back as a user turn ("\\nHere is the cropped image (Image Size: WxH):" + image) and
the whole conversation is prefilled again. A 5th call ends the trajectory (failed calls count),
so do more than 16 images and the token budget.

The token sequence of each rollout is built from the sampled ids themselves (never re-encoded
text), so the policy loss scores exactly the tokens that were sampled."""
import torch

from data import tokenize
from generate import STOP_IDS, sample
from pixel_reasoner import pixel_ops, toolcall
from pixel_reasoner.scoring import score_answer
from processor import image_inputs, image_token_count
from tokenizer import IM_END, decode, encode

PROFILE = pixel_ops.PROFILES["train"]


class Environment:
    """One rollout's visual state: the images the model can address and what calls returned."""

    def __init__(self, originals, is_video):
        self.is_video = is_video
        view = PROFILE["video_frame"] if is_video else PROFILE["view"]
        self.views = [pixel_ops.model_view(img, view) for img in originals]
        self.returned = []

    def context(self):
        if self.is_video:
            return {"kind": "video", "frames": len(self.views), "returned": len(self.returned)}
        return {"kind": "images", "originals": len(self.views), "returned": len(self.returned)}

    def run_call(self, text):
        """Runs the last call of an assistant turn -> (observation text, images, failed). A
        failure is shown to the model as its message, as the reference does."""
        try:
            call = toolcall.parse_last_tool(text)
            if not isinstance(call, dict):
                raise ValueError("the call is not a JSON object")
            observation, images = self.execute(call)
            return observation, images, False
        except (ValueError, AssertionError, KeyError, TypeError, pixel_ops.PixelOpError) as e:
            return pixel_ops.error_observation(str(e)), [], True

    def execute(self, call):
        """-> (observation text, [images]); raises with the message the model is shown."""
        name, args = call.get("name"), call.get("arguments")
        if not isinstance(args, dict):
            raise ValueError("the call has no `arguments` object")
        ctx = self.context()
        if name == "select_frames":
            frames = args.get("target_frames")
            picked = pixel_ops.resolve_frame_selection(frames if isinstance(frames, list) else [], ctx)
            images = [self.views[i] for i in picked]
            if PROFILE["frames"]:
                images = [pixel_ops.model_view(img, PROFILE["frames"]) for img in images]
            first, last = pixel_ops.frame_labels(ctx, len(images))
            return pixel_ops.frames_observation(images[0].width, images[0].height, first, last), images
        if name != "crop_image_normalized":
            # as the reference: self.operations[name] (aliases are import-only), str(KeyError) shown
            raise KeyError(name)
        target = pixel_ops.resolve_crop_target(args.get("target_image"), ctx)
        source = self.returned[target["index"]] if target["kind"] == "returned" else self.views[target["index"]]
        crop = pixel_ops.crop_and_resize(source, args.get("bbox_2d"), PROFILE["crop"])
        return pixel_ops.crop_observation(crop.width, crop.height), [crop]


class Rollout:
    def __init__(self, prompt_ids, inputs):
        self.ids = list(prompt_ids)
        self.trained = [False] * len(prompt_ids)
        self.inputs = list(inputs)  # (pixel_values, grid) of every image shown, in order
        self.turns = []  # assistant texts as the model wrote them
        self.observations = []
        self.operations = 0
        self.ended_on_error = False
        self.stop = None
        self.generated = 0
        self.correct = False
        self.stopped_itself = False  # the last turn ended with a stop token, not at the cap

    def pixel_values(self):
        return torch.cat([pv for pv, _ in self.inputs]) if self.inputs else None

    def grids(self):
        return [g for _, g in self.inputs]

    def add_turn(self, tokens):
        self.ids += tokens
        self.trained += [True] * len(tokens)
        self.generated += len(tokens)
        self.stopped_itself = bool(tokens) and tokens[-1] in STOP_IDS
        if not tokens or tokens[-1] != IM_END:  # stopped at </tool_call> or the cap: close the turn
            self.ids.append(IM_END)
            self.trained.append(False)
        self.turns.append(decode(tokens))  # special tokens (<|im_end|>) are not text

    def add_observation(self, text, images):
        part = encode("\n<|im_start|>user\n" + text)
        for img in images:
            pv, grid = image_inputs(img)
            self.inputs.append((pv, grid))
            part += encode("<|vision_start|>") + encode("<|image_pad|>") * image_token_count(grid) + encode("<|vision_end|>")
        part += encode("<|im_end|>\n<|im_start|>assistant\n")
        self.ids += part
        self.trained += [False] * len(part)
        self.observations.append(text)

    def solution(self):
        """What correctness is scored on: the assistant turns and observations, in order."""
        parts = []
        for i, turn in enumerate(self.turns):
            parts.append(turn)
            if i < len(self.observations):
                parts.append(self.observations[i])
        return "\n".join(parts)


def run_group(model, messages, images, is_video, gold, settings, generator, device):
    """G rollouts of one prompt. settings: group_size, max_new_tokens, max_tokens, temperature,
    top_p, max_operations. Turn 1 is sampled for the whole group at once (shared prefill)."""
    prompt = tokenize(messages, images, train_assistant=False)
    prompt_ids = prompt.ids + encode("<|im_start|>assistant\n")
    inputs = [image_inputs(img) for img in images]
    group = [Rollout(prompt_ids, inputs) for _ in range(settings["group_size"])]
    envs = [Environment(images, is_video) for _ in group]
    first = sample(model, prompt_ids, prompt.pixel_values, prompt.grids, len(group), settings["max_new_tokens"], settings["temperature"], settings["top_p"], generator, device)
    pending = list(zip(group, envs, first))
    while pending:
        next_round = []
        for r, env, tokens in pending:
            r.add_turn(tokens)
            nxt = _after_turn(r, env, settings)
            if nxt:
                out = sample(model, r.ids, r.pixel_values(), r.grids(), 1, settings["max_new_tokens"], settings["temperature"], settings["top_p"], generator, device)
                next_round.append((r, env, out[0]))
        pending = next_round
    for r in group:
        r.correct = bool(gold is not None and score_answer(r.solution(), gold)[0])
    return group


def _after_turn(r, env, settings):
    """Runs the turn's call, if any; -> True when the model should write another turn."""
    text = r.turns[-1]
    if not toolcall.is_call(text):
        r.stop = "answer" if r.stopped_itself else "max_tokens"
        return False
    if r.operations >= settings["max_operations"]:
        r.stop = "max_operations"  # as the reference: the call is not executed
        return False
    r.operations += 1
    observation, images, r.ended_on_error = env.run_call(text)
    if pixel_ops.addressable_images(env.context()) + len(images) > pixel_ops.MAX_IMAGES:
        r.stop = "max_images"
        return False
    env.returned.extend(images)
    r.add_observation(observation, images)
    if len(r.ids) + settings["max_new_tokens"] > settings["max_tokens"]:
        r.stop = "max_tokens"
        return False
    return True
