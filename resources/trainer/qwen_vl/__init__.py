"""Qwen2-VL / Qwen2.5-VL glue shared by the TRL trainer and the tiny-model builder: an image-only
processor (the stock one needs a video processor, hence torchvision) and the studio's
tool-capable chat template."""
