"""Builds a tiny, randomly initialised Qwen2.5-VL for tests, demos and the sample project.

    python make_tiny_qwen.py OUT_DIR [--seed N]

OUT_DIR gets a `Qwen2_5_VLForConditionalGeneration` (~1.1M parameters: text hidden 128, 2 layers,
vision depth 2) saved with `save_pretrained`, an offline processor and the studio's tool-capable
chat template (../qwen_vl/chat_template.jinja). The tokenizer is a byte-level BPE trained with
`tokenizers` on the studio's own prompt words (system/tools text, sample-project questions,
synthesis phrases, digits) plus every Qwen2.5-VL special token; its ids are not Qwen's, so it is
for tiny models only. Load the processor with qwen_vl.processor.load_processor (AutoProcessor
returns only the tokenizer: there is no video processor, which would need torchvision).
Runs in seconds on CPU, with no network.
"""
import argparse
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # resources/trainer: qwen_vl, pixel_reasoner

# Qwen2.5-VL's added tokens in Qwen's order; the tool-call tags are not "special" (they are
# decoded as text, which is how a call stays visible in decoded completions)
SPECIAL_TOKENS = [
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>",
    "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>",
    "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>",
]
TEXT_TOKENS = ["<tool_call>", "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"]
BPE_VOCAB = 4096  # byte alphabet (256) + merges; the added tokens come after. Large enough that the
# system turn and tool-call JSON are a few dozen tokens: short sequences keep CPU training fast


def chat_template():
    with open(os.path.join(os.path.dirname(HERE), "qwen_vl", "chat_template.jinja"), encoding="utf-8") as f:
        return f.read()


def corpus(rng):
    """Synthetic text in the words our prompts and traces use."""
    from pixel_reasoner.pixel_ops import crop_observation, error_observation, frames_observation
    from pixel_reasoner.toolcall import system_text, user_text

    questions = [
        "What number is written on the small white sign?",
        "What is the color of the small square with a thick black border?\nA. red\nB. green\nC. blue\nD. yellow",
        "Which number briefly appears in the white box at the top right?",
    ]
    phrases = [
        "The question asks about the small white sign. In the whole 640x480 image it is far too small to make out, though it seems to be in the top left part of the image.",
        "Now I will zoom in to look clearer at the small white sign.",
        "The cropped region does not show the small white sign. I zoomed in on the wrong place, so I will look at another region.",
        "The zoomed region contains the sign, but it is still too small to read. I will zoom in closer.",
        "In the zoomed view, the small white sign is clearly visible: the number is 42.",
        "The video has 16 frames. Now I will select some frames to look clearer at the white box.",
        "These frames do not show the white box. I will select other frames.",
        "The answer is \\boxed{7}.", "So the answer is \\boxed{B}.",
    ]
    # the fixed prompt text repeated, so BPE merges it into few tokens (short sequences, fast CPU steps)
    lines = [system_text("crop_image_normalized"), system_text("crop_image"), system_text("zoom_in")] * 40
    lines += [user_text(q) for q in questions] * 40 + phrases * 20
    for _ in range(400):
        w, h = rng.randint(28, 2000), rng.randint(28, 2000)
        box = [round(rng.random(), 3) for _ in range(4)]
        lines.append(crop_observation(w, h))
        lines.append(frames_observation(w, h, rng.randint(1, 8), rng.randint(9, 16)))
        lines.append(error_observation("The crop is too small: %dx%d" % (w % 28, h % 28)))
        lines.append('<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": %s, "target_image": %d}}\n</tool_call>' % (json.dumps(box), rng.randint(1, 4)))
        lines.append('<tool_call>\n{"name": "select_frames", "arguments": {"target_frames": %s}}\n</tool_call>' % json.dumps(sorted(rng.sample(range(1, 17), rng.randint(1, 8)))))
        lines.append("The answer is \\boxed{%d}." % rng.randint(0, 9999))
    return lines


def build_tokenizer(rng):
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    # lines are the pre-tokens (not words, as Qwen's regex makes them): merges may span spaces, so
    # the fixed prompt text becomes a few tokens; a chat header's "\n" stays its own token
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split("\n", behavior="isolated"), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=BPE_VOCAB, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus(rng), trainer=trainer)
    # added tokens in Qwen's order, right after the BPE vocabulary
    tok.add_tokens([AddedToken(t, special=True, normalized=False) for t in SPECIAL_TOKENS])
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in TEXT_TOKENS])
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>", unk_token=None,
        extra_special_tokens=SPECIAL_TOKENS[3:], model_max_length=32768,
        clean_up_tokenization_spaces=False, split_special_tokens=False,
    )
    fast.chat_template = chat_template()
    return fast


def build_config(tokenizer):
    from transformers import Qwen2_5_VLConfig

    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    vocab = len(tokenizer)
    vocab += (-vocab) % 64
    text = dict(
        vocab_size=vocab, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
        rope_theta=1000000.0, rope_scaling={"type": "mrope", "mrope_section": [4, 6, 6]},
        tie_word_embeddings=True, bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"],
        pad_token_id=ids["<|endoftext|>"],
    )
    vision = dict(
        depth=2, hidden_size=64, intermediate_size=128, num_heads=4, out_hidden_size=128,
        patch_size=14, spatial_merge_size=2, temporal_patch_size=2, window_size=112,
        fullatt_block_indexes=[1], in_channels=3,
    )
    return Qwen2_5_VLConfig(
        text_config=text, vision_config=vision,
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"],
        tie_word_embeddings=True,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import torch
    from transformers import GenerationConfig, Qwen2_5_VLForConditionalGeneration
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    from qwen_vl.processor import ImageOnlyQwenVLProcessor

    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    tokenizer = build_tokenizer(rng)
    config = build_config(tokenizer)
    model = Qwen2_5_VLForConditionalGeneration(config).to(torch.float32).eval()
    model.generation_config = GenerationConfig(
        bos_token_id=config.text_config.bos_token_id, eos_token_id=config.text_config.eos_token_id,
        pad_token_id=config.text_config.pad_token_id, do_sample=False,
    )
    # small images for a tiny model: at most 64 patches of 14 px (16 merged tokens) per image
    image_processor = Qwen2VLImageProcessorPil(min_pixels=4 * 28 * 28, max_pixels=16 * 28 * 28, patch_size=14, merge_size=2, temporal_patch_size=2)
    processor = ImageOnlyQwenVLProcessor(image_processor=image_processor, tokenizer=tokenizer, chat_template=tokenizer.chat_template)
    os.makedirs(args.out_dir, exist_ok=True)
    model.save_pretrained(args.out_dir)
    processor.save_pretrained(args.out_dir)
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({"out_dir": os.path.abspath(args.out_dir), "parameters": params, "vocab": len(tokenizer), "seed": args.seed}))


if __name__ == "__main__":
    main()
