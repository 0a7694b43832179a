"""The studio's SFT collator for TRL (DESIGN.md "SFT traps"): TRL 1.13's vision collator puts the
loss on every token (image pads included), refuses `assistant_only_loss` for vision data and does
not count images inside `tool` turns. This one renders each exported record (src/main/export/trl.ts:
system turn with the tools block, user turns for observations, `images` in block order) with the
model's chat template — the same rendering as GRPO rollouts and the studio's agent loop — and
labels exactly the assistant turns: from after "<|im_start|>assistant\n" through their
"<|im_end|>". System, user, observation and image tokens are -100, and so are the assistant turns
the export lists in `wrong_look_turns` (deliberate wrong looks stay as context, unlearned).

Use with SFTConfig(remove_unused_columns=False, dataset_kwargs={"skip_prepare_dataset": True}) on
a dataset whose `record` column holds one exported JSON line each."""
import json
import os

import torch
from PIL import Image

IGNORE = -100


def load_record(line, data_dir):
    """An exported TRL row with its image paths resolved against the export folder."""
    row = json.loads(line) if isinstance(line, str) else dict(line)
    row["images"] = [p if os.path.isabs(p) else os.path.join(data_dir, p) for p in row.get("images", [])]
    return row


def conversation(row, open_image=None):
    """The row's messages with each image block holding its image (TRL's typed blocks)."""
    open_image = open_image or (lambda path: Image.open(path).convert("RGB"))
    paths = iter(row["images"])
    messages = []
    for m in row["messages"]:
        content = []
        for block in m["content"]:
            if block.get("type") == "image":
                content.append({"type": "image", "image": open_image(next(paths))})
            else:
                content.append({"type": "text", "text": block["text"]})
        messages.append({"role": m["role"], "content": content})
    leftover = sum(1 for _ in paths)
    if leftover:
        raise ValueError(f"record {row.get('id')}: {leftover} images more than image blocks")
    return messages


def assistant_spans(ids, header, end_id):
    """[(start, end)) token spans of each assistant turn's content and its end-of-turn token."""
    spans, i, n, h = [], 0, len(ids), len(header)
    while i <= n - h:
        if ids[i:i + h] == header:
            start = i + h
            end = start
            while end < n and ids[end] != end_id:
                end += 1
            spans.append((start, min(end + 1, n)))
            i = end + 1
        else:
            i += 1
    return spans


class StudioSftCollator:
    def __init__(self, processor, data_dir, tools=None):
        self.processor = processor
        self.tokenizer = processor.tokenizer
        self.data_dir = data_dir
        self.tools = tools
        self.header = self.tokenizer.encode("<|im_start|>assistant\n", add_special_tokens=False)
        self.end_id = self.tokenizer.convert_tokens_to_ids("<|im_end|>")
        self.pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.end_id

    def encode(self, row):
        """One record -> input_ids, labels and the vision tensors, unpadded."""
        messages = conversation(row)
        out = self.processor.apply_chat_template(messages, tools=self.tools, tokenize=True, return_dict=True, return_tensors="pt")
        ids = out["input_ids"][0].tolist()
        labels = [IGNORE] * len(ids)
        spans = assistant_spans(ids, self.header, self.end_id)
        n_assistant = sum(1 for m in messages if m["role"] == "assistant")
        if len(spans) != n_assistant:
            raise ValueError(f"record {row.get('id')}: found {len(spans)} assistant turns in the tokens, expected {n_assistant}")
        masked = set(row.get("wrong_look_turns") or [])
        for turn, (start, end) in enumerate(spans):
            if turn in masked:
                continue
            labels[start:end] = ids[start:end]
        item = {"input_ids": ids, "labels": labels}
        for key in ("pixel_values", "image_grid_thw"):
            if key in out:
                item[key] = out[key]
        if "mm_token_type_ids" in out:
            item["mm_token_type_ids"] = out["mm_token_type_ids"][0].tolist()
        return item

    def __call__(self, examples):
        items = [self.encode(load_record(e["record"], self.data_dir)) for e in examples]
        width = max(len(it["input_ids"]) for it in items)

        def pad(seq, value):
            return seq + [value] * (width - len(seq))

        batch = {
            "input_ids": torch.tensor([pad(it["input_ids"], self.pad_id) for it in items]),
            "attention_mask": torch.tensor([pad([1] * len(it["input_ids"]), 0) for it in items]),
            "labels": torch.tensor([pad(it["labels"], IGNORE) for it in items]),
        }
        if any("mm_token_type_ids" in it for it in items):
            batch["mm_token_type_ids"] = torch.tensor([pad(it.get("mm_token_type_ids", [0] * len(it["input_ids"])), 0) for it in items])
        vision = [it for it in items if "pixel_values" in it]
        if vision:
            batch["pixel_values"] = torch.cat([it["pixel_values"] for it in vision])
            batch["image_grid_thw"] = torch.cat([it["image_grid_thw"] for it in vision])
        return batch
