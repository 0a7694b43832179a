"""Pixel Reasoner for verl (volcengine/verl): the crop and frame tools, the dataset class, and the
batch reward with the curiosity bonus. Generated runs point verl at this file:

- tool_config.yaml -> `pixel_reasoner_verl.CropImageNormalizedTool` / `SelectFramesTool`
  (verl/tools/base_tool.py BaseTool: create / execute / release). A tool acts on the images of the
  trajectory so far, `agent_data.image_data` (the prompt's images, then every image a tool
  returned: verl/experimental/agent_loop/tool_agent_loop.py), with the shared rules
  (resources/trainer/pixel_reasoner/pixel_ops.py: normalized boxes, 0.1 padding, > 28 px,
  target_image over originals + returned images).
- data.custom_cls -> `PixelStudioDataset`: verl's RLHFDataset with `extra_info.tools_kwargs`
  decoded from the JSON text the studio's parquet stores (src/main/export/verl.ts).
- custom_reward_function -> `compute_score` for the `batch` reward manager
  (verl/workers/reward_manager/batch.py: compute_score(data_sources, solution_strs,
  ground_truths, extra_infos, **kwargs) -> a score or a dict with "score" per response). Rollouts
  of one query share extra_info["index"], so RaPR is computed per group, then the shared reward
  rule (pixel_reasoner/reward.py) gives correctness + curiosity + penalty. The extra keys land in
  the rollout dumps (trainer.rollout_data_dir) where the studio reads them.

Only `compute_score` and `count_operations` are importable without verl (tests use them)."""

import json
import re

from pixel_reasoner import pixel_ops
from pixel_reasoner.reward import group_rewards
from pixel_reasoner.scoring import answer_unreadable, score_answer

# The run's reward settings (RunSpec.grpo.reward), read from spec.json next to the run folder.
REWARD_SPEC = None


def _reward_spec():
    global REWARD_SPEC
    if REWARD_SPEC is None:
        import os

        spec_file = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "spec.json")
        try:
            with open(spec_file) as f:
                REWARD_SPEC = (json.load(f).get("grpo") or {}).get("reward") or {}
        except OSError:
            REWARD_SPEC = {}
    return REWARD_SPEC


def _tool_kwargs(extra_info):
    kwargs = (extra_info or {}).get("tools_kwargs") or {}
    if isinstance(kwargs, str):
        kwargs = json.loads(kwargs)
    return kwargs


def _is_video(extra_info):
    for entry in _tool_kwargs(extra_info).values():
        if isinstance(entry, dict) and (entry.get("create_kwargs") or {}).get("is_video"):
            return True
    return False


def count_operations(response):
    """Tool calls in a decoded response (Qwen's <tool_call> is a normal token, kept in the text)."""
    return len(re.findall(r"<tool_call>", response))


def compute_score(data_sources, solution_strs, ground_truths, extra_infos, **kwargs):
    outcomes = []
    for response, gold, info in zip(solution_strs, ground_truths, extra_infos):
        correct, _ = score_answer(response, str(gold))
        outcomes.append({"operations": count_operations(response), "correct": bool(correct), "video": _is_video(info), "unreadable": answer_unreadable(response, str(gold))})
    groups = {}
    for i, info in enumerate(extra_infos):
        groups.setdefault((info or {}).get("index", i), []).append(i)
    scores = [None] * len(outcomes)
    for index, members in groups.items():
        result = group_rewards([outcomes[i] for i in members], _reward_spec())
        for i, reward in zip(members, result["rewards"]):
            scores[i] = {
                "score": float(reward["total"]),
                "acc": float(reward["correctness"]),
                "curiosity": float(reward["curiosity"]),
                "penalty": float(reward["penalty"]),
                "rapr": float(result["rapr"]),
                "ops": float(outcomes[i]["operations"]),
                "sample_index": int(index) if isinstance(index, int) else -1,
            }
    return scores


def _verl():
    from verl.tools.base_tool import BaseTool
    from verl.tools.schemas import ToolResponse
    from verl.utils.dataset.rl_dataset import RLHFDataset

    return BaseTool, ToolResponse, RLHFDataset


try:
    BaseTool, ToolResponse, RLHFDataset = _verl()
except ImportError:  # tests import compute_score without verl
    BaseTool = object
    ToolResponse = None
    RLHFDataset = object


class PixelStudioDataset(RLHFDataset):
    def __getitem__(self, item):
        row = super().__getitem__(item)
        row["tools_kwargs"] = _tool_kwargs({"tools_kwargs": row.get("tools_kwargs")})
        kwargs = row["tools_kwargs"]
        # the frame tool needs the same per-query state as the crop tool
        crop = next((v for k, v in kwargs.items() if k != "select_frames"), None)
        if crop is not None:
            kwargs.setdefault("select_frames", crop)
        return row


class _PixelTool(BaseTool):
    def __init__(self, config, tool_schema):
        super().__init__(config, tool_schema)
        self._instances = {}

    async def create(self, instance_id=None, **kwargs):
        from uuid import uuid4

        instance_id = instance_id or str(uuid4())
        create_kwargs = kwargs.get("create_kwargs") or {}
        self._instances[instance_id] = {"is_video": bool(create_kwargs.get("is_video")), "originals": len(create_kwargs.get("images") or [])}
        return instance_id, ToolResponse()

    async def release(self, instance_id, **kwargs):
        self._instances.pop(instance_id, None)

    def _pool(self, instance_id, agent_data):
        state = self._instances.get(instance_id, {"is_video": False, "originals": 1})
        images = list(getattr(agent_data, "image_data", None) or [])
        n = state["originals"] or 1
        originals, returned = images[:n], images[n:]
        return state["is_video"], ([originals] if state["is_video"] else originals) + returned, originals

    @staticmethod
    def _error(error):
        return ToolResponse(text=pixel_ops.error_observation(str(error) or type(error).__name__)), 0.0, {"success": False}


class CropImageNormalizedTool(_PixelTool):
    async def execute(self, instance_id, parameters, **kwargs):
        is_video, pool, originals = self._pool(instance_id, kwargs.get("agent_data"))
        try:
            args = {"bbox_2d": list(parameters["bbox_2d"]), "target_image": int(parameters["target_image"])}
            source = pixel_ops.execute_tool(pool, [] if is_video else originals, args, "crop_image_normalized", is_video)
            crop = pixel_ops.crop_and_resize(source, args["bbox_2d"], pixel_ops.PROFILES["train"]["crop"])
        except (AssertionError, ValueError, IndexError, TypeError, KeyError) as error:
            return self._error(error)
        return ToolResponse(image=[crop], text=pixel_ops.crop_observation(crop.width, crop.height)), 0.0, {"success": True}


class SelectFramesTool(_PixelTool):
    async def execute(self, instance_id, parameters, **kwargs):
        is_video, pool, _ = self._pool(instance_id, kwargs.get("agent_data"))
        try:
            frames_wanted = [int(f) for f in parameters["target_frames"]]
            frames = pixel_ops.execute_tool(pool, [], {"target_frames": frames_wanted}, "select_frames", is_video)
        except (AssertionError, ValueError, IndexError, TypeError, KeyError) as error:
            return self._error(error)
        w, h = frames[0].size
        return ToolResponse(image=list(frames), text=pixel_ops.frames_observation(w, h, min(frames_wanted), max(frames_wanted))), 0.0, {"success": True}
