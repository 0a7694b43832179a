"""The base model and processor a TRL run trains: a Qwen2-VL / Qwen2.5-VL folder (or a tiny
Qwen2.5-VL built for the run), with the studio's chat template when the folder's own has no tool
support, so SFT, GRPO rollouts, the agent loop and the exports render one prompt format; the
template is saved with every checkpoint."""
import json
import os
import time

QWEN_VL_TYPES = ("qwen2_vl", "qwen2_5_vl")
_HERE = os.path.dirname(os.path.abspath(__file__))
# beside this file in a run folder's python/, one level up in resources/trainer
TEMPLATE_FILE = next((p for p in (os.path.join(d, "qwen_vl", "chat_template.jinja") for d in (_HERE, os.path.dirname(_HERE))) if os.path.isfile(p)), os.path.join(_HERE, "qwen_vl", "chat_template.jinja"))


class ModelError(Exception):
    """A base model the studio cannot train (printed as a `data` error event)."""


def studio_template():
    with open(TEMPLATE_FILE, encoding="utf-8") as f:
        return f.read()


def model_type(path):
    config = os.path.join(path, "config.json")
    if not os.path.isfile(config):
        raise ModelError(f"{path} is not a model folder (no config.json)")
    with open(config, encoding="utf-8") as f:
        kind = json.load(f).get("model_type")
    if kind not in QWEN_VL_TYPES:
        raise ModelError(f"{path} is a {kind!r} model; the TRL trainer trains Qwen2-VL and Qwen2.5-VL (model_type qwen2_vl or qwen2_5_vl)")
    return kind


def build_tiny(out_dir, seed):
    """spec.baseModel tiny-init: a fresh tiny Qwen2.5-VL (resources/trainer/tiny_qwen)."""
    from tiny_qwen.make_tiny_qwen import main as make_tiny

    config = os.path.join(out_dir, "config.json")
    if os.environ.get("LOCAL_RANK", "0") != "0":
        # another process of a distributed run: local rank 0 builds it (renamed into place whole)
        deadline = time.time() + 600
        while not os.path.isfile(config):
            if time.time() > deadline:
                raise ModelError(f"{out_dir}: the tiny model was not built by local rank 0 within 10 minutes")
            time.sleep(0.2)
        return out_dir
    if not os.path.isfile(config):
        tmp = out_dir + ".tmp"
        make_tiny([tmp, "--seed", str(seed)])
        os.replace(tmp, out_dir)
    return out_dir


def load_processor_with_template(path, log):
    """The folder's processor; the studio template replaces one without tool support (TRL's
    supports_tool_calling), and the replacement is said in the log."""
    from qwen_vl.processor import load_processor
    from trl.chat_template_utils import is_chat_template_prefix_preserving, supports_tool_calling

    processor = load_processor(path)
    template = studio_template()
    if processor.chat_template != template:
        if processor.chat_template is None or not supports_tool_calling(processor):
            log(f"{path}: its chat template has no tool support; training with the studio's ({TEMPLATE_FILE}), saved with each checkpoint")
            processor = load_processor(path, chat_template=template)
        elif not is_chat_template_prefix_preserving(processor):
            raise ModelError(f"{path}: its chat template supports tools but is not prefix-preserving (TRL needs that for tool calls). Fix: delete chat_template.jinja and the chat_template key of tokenizer_config.json in that folder, or copy {TEMPLATE_FILE} over chat_template.jinja")
    return processor


def load_model(path, dtype_name, kind):
    import torch
    from transformers import Qwen2_5_VLForConditionalGeneration, Qwen2VLForConditionalGeneration

    cls = Qwen2_5_VLForConditionalGeneration if kind == "qwen2_5_vl" else Qwen2VLForConditionalGeneration
    dtype = {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}.get(dtype_name or "float32", torch.float32)
    return cls.from_pretrained(path, dtype=dtype)


def vision_token_ids(tokenizer):
    """Special tokens a policy must never sample (an untrained one does): vision markers and pads."""
    names = ["<|vision_start|>", "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>", "<|endoftext|>"]
    ids = [tokenizer.convert_tokens_to_ids(n) for n in names]
    return [i for i in ids if isinstance(i, int) and i >= 0 and i != tokenizer.unk_token_id]
