"""An image-only Qwen2-VL / Qwen2.5-VL processor.

The stock Qwen2_5_VLProcessor requires a video processor, and the video processor needs
torchvision, which has no CPU wheel here (DESIGN.md "Training with TRL here"). Videos reach our
trainers as frames (select_frames returns images), so an image processor + tokenizer + chat
template is all the trainers need. AutoProcessor on such a folder silently returns the bare
tokenizer: load with `load_processor(path)` and pass it as `processing_class=`.
"""
import json
import os

from transformers import AutoTokenizer
from transformers.models.qwen2_5_vl.processing_qwen2_5_vl import Qwen2_5_VLProcessor
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil


class ImageOnlyQwenVLProcessor(Qwen2_5_VLProcessor):
    """Qwen2_5_VLProcessor without the video processor (get_attributes reads __init__'s args)."""

    def __init__(self, image_processor=None, tokenizer=None, chat_template=None, **kwargs):
        super().__init__(image_processor=image_processor, tokenizer=tokenizer, video_processor=None, chat_template=chat_template, **kwargs)

    def __call__(self, *args, **kwargs):
        """Image fields as torch tensors even without `return_tensors`, as the stock processor's fast
        (torchvision) image processor gives them: TRL's environment path merges a batch's image
        fields with torch.cat only when they are tensors and otherwise keeps a list, which crashes
        its tool loop (`split_pixel_values_by_grid`: 'list' object has no attribute 'prod') when a
        turn's calls all failed and returned no image. The PIL image processor gives numpy."""
        out = super().__call__(*args, **kwargs)
        if kwargs.get("return_tensors") is None:
            import numpy as np
            import torch

            for key in ("pixel_values", "image_grid_thw"):
                if isinstance(out.get(key), np.ndarray):
                    out[key] = torch.from_numpy(out[key])
        return out

    def save_pretrained(self, save_directory, **kwargs):
        """Saves as a Qwen2.5-VL folder: a preprocessor_config.json (transformers.js reads the image
        processor there) and `processor_class` naming Qwen's processor (transformers.js picks its
        Qwen2-VL processor by that name; an unknown one loads without a tokenizer), and the chat
        template inside tokenizer_config.json too (transformers.js's Qwen2-VL tokenizer reads it
        there, not from chat_template.jinja)."""
        out = super().save_pretrained(save_directory, **kwargs)
        self.image_processor.save_pretrained(save_directory)
        for name in ("processor_config.json", "tokenizer_config.json", "preprocessor_config.json"):
            path = os.path.join(save_directory, name)
            if not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8") as f:
                config = json.load(f)
            if "processor_class" in config or name == "preprocessor_config.json":
                config["processor_class"] = "Qwen2_5_VLProcessor"
                if name == "tokenizer_config.json" and self.chat_template:
                    config["chat_template"] = self.chat_template
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(config, f, indent=2, ensure_ascii=False)
                    f.write("\n")
        return out


def load_processor(path, chat_template=None):
    """The processor of a Qwen2-VL / Qwen2.5-VL folder (its preprocessor_config.json and tokenizer);
    `chat_template` overrides the folder's template."""
    tokenizer = AutoTokenizer.from_pretrained(path)
    image_processor = Qwen2VLImageProcessorPil.from_pretrained(path)
    template = chat_template if chat_template is not None else tokenizer.chat_template
    if chat_template is not None:
        tokenizer.chat_template = chat_template
    return ImageOnlyQwenVLProcessor(image_processor=image_processor, tokenizer=tokenizer, chat_template=template)
