"""An image-only Qwen2-VL / Qwen2.5-VL processor.

The stock Qwen2_5_VLProcessor requires a video processor, and the video processor needs
torchvision, which has no CPU wheel here (DESIGN.md "Training with TRL here"). Videos reach our
trainers as frames (select_frames returns images), so an image processor + tokenizer + chat
template is all the trainers need. AutoProcessor on such a folder silently returns the bare
tokenizer: load with `load_processor(path)` and pass it as `processing_class=`.
"""
from transformers import AutoTokenizer
from transformers.models.qwen2_5_vl.processing_qwen2_5_vl import Qwen2_5_VLProcessor
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil


class ImageOnlyQwenVLProcessor(Qwen2_5_VLProcessor):
    """Qwen2_5_VLProcessor without the video processor (get_attributes reads __init__'s args)."""

    def __init__(self, image_processor=None, tokenizer=None, chat_template=None, **kwargs):
        super().__init__(image_processor=image_processor, tokenizer=tokenizer, video_processor=None, chat_template=chat_template, **kwargs)


def load_processor(path, chat_template=None):
    """The processor of a Qwen2-VL / Qwen2.5-VL folder (its preprocessor_config.json and tokenizer);
    `chat_template` overrides the folder's template."""
    tokenizer = AutoTokenizer.from_pretrained(path)
    image_processor = Qwen2VLImageProcessorPil.from_pretrained(path)
    template = chat_template if chat_template is not None else tokenizer.chat_template
    if chat_template is not None:
        tokenizer.chat_template = chat_template
    return ImageOnlyQwenVLProcessor(image_processor=image_processor, tokenizer=tokenizer, chat_template=template)
