"""The dataset: TRL conversational JSONL as the studio exports it (src/main/export/trl.ts):
`messages` with typed content blocks, `images` (paths absolute or relative to the data file, in block order),
`answer`, `id`, plus the studio's columns `sample_id`, `is_video` and `wrong_look_turns`
(0-based assistant turns that are deliberate wrong looks: kept in the text, never trained on).

Every row is checked before training starts; a bad row is a DataError naming file and line."""
import json
import os

import torch

from errors import DataError
from processor import image_inputs, image_token_count
from tokenizer import IM_END, encode

ROLES = ("system", "user", "assistant")
MAX_TOKENS = 6144  # attention is quadratic; beyond this a CPU run is not "tiny" any more


class Conversation:
    """A tokenized conversation: ids, which ids are trained on, and its images' model inputs."""

    def __init__(self, ids, trained, pixel_values, grids):
        self.ids = ids
        self.trained = trained  # bool per position: this token is a training target
        self.pixel_values = pixel_values  # [patches, 1176] or None
        self.grids = grids

    @property
    def trained_tokens(self):
        return sum(self.trained)


def open_image(path, where):
    from PIL import Image

    try:
        with Image.open(path) as img:
            img.load()
            return img.convert("RGB") if img.mode != "RGB" else img.copy()
    except FileNotFoundError:
        raise DataError(f"image not found: {path}", *where)
    except OSError as e:
        raise DataError(f"image {path} cannot be read: {e}", *where)


def tokenize(messages, images, masked_turns=(), train_assistant=True):
    """Renders messages with the Qwen2-VL chat template, expands each <|image_pad|> to its
    feature count, and marks assistant content + its <|im_end|> as trained (except masked turns)."""
    ids, trained, pixels, grids = [], [], [], []
    image_iter = iter(images)
    assistant_turn = 0
    for m in messages:
        content = m["content"]
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        train = m["role"] == "assistant" and train_assistant and assistant_turn not in masked_turns
        if m["role"] == "assistant":
            assistant_turn += 1
        head = encode("<|im_start|>" + m["role"] + "\n")
        ids += head
        trained += [False] * len(head)
        for b in blocks:
            if b["type"] == "image":
                pv, grid = image_inputs(next(image_iter))
                pixels.append(pv)
                grids.append(grid)
                part = encode("<|vision_start|>") + encode("<|image_pad|>") * image_token_count(grid) + encode("<|vision_end|>")
            else:
                part = encode(b["text"])
            ids += part
            trained += [train] * len(part)
        ids += [IM_END]
        trained += [train]
        tail = encode("\n")
        ids += tail
        trained += [False] * len(tail)
    return Conversation(ids, trained, torch.cat(pixels) if pixels else None, grids)


def _check_row(row, where):
    if not isinstance(row, dict):
        raise DataError("a row must be a JSON object", *where)
    messages = row.get("messages")
    if not isinstance(messages, list) or not messages:
        raise DataError("`messages` must be a non-empty list", *where)
    image_blocks = 0
    assistants = 0
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES:
            raise DataError(f"messages[{i}]: role must be one of {', '.join(ROLES)}", *where)
        content = m.get("content")
        if isinstance(content, str):
            pass
        elif isinstance(content, list):
            for j, b in enumerate(content):
                if not isinstance(b, dict) or b.get("type") not in ("text", "image"):
                    raise DataError(f"messages[{i}].content[{j}]: a block is {{\"type\": \"text\", \"text\": ...}} or {{\"type\": \"image\"}}", *where)
                if b["type"] == "text" and not isinstance(b.get("text"), str):
                    raise DataError(f"messages[{i}].content[{j}]: `text` must be a string", *where)
                image_blocks += b["type"] == "image"
        else:
            raise DataError(f"messages[{i}].content must be a string or a list of blocks", *where)
        assistants += m["role"] == "assistant"
    images = row.get("images", [])
    if not isinstance(images, list) or not all(isinstance(p, str) for p in images):
        raise DataError("`images` must be a list of paths", *where)
    if len(images) != image_blocks:
        raise DataError(f"{image_blocks} image blocks but {len(images)} `images`", *where)
    wrong = row.get("wrong_look_turns", [])
    if not isinstance(wrong, list) or not all(isinstance(t, int) and 0 <= t < assistants for t in wrong):
        raise DataError(f"`wrong_look_turns` must list assistant turns in 0..{assistants - 1}", *where)
    if assistants == 0:
        raise DataError("no assistant turn to learn from", *where)
    answer = row.get("answer")
    if answer is not None and not isinstance(answer, (str, list)):
        raise DataError("`answer` must be a string", *where)
    if not isinstance(row.get("is_video", False), bool):
        raise DataError("`is_video` must be true or false", *where)


class Row:
    def __init__(self, raw, base, line):
        self.line = line
        self.id = str(raw.get("id", f"line-{line}"))
        self.sample_id = str(raw.get("sample_id") or self.id)
        self.messages = raw["messages"]
        self.image_paths = [os.path.join(base, p) for p in raw.get("images", [])]
        self.answer = raw.get("answer")
        self.is_video = raw.get("is_video", False)
        self.wrong_look_turns = set(raw.get("wrong_look_turns", []))


def read_rows(path):
    """Reads and checks every row (images opened too) before any training starts."""
    if not os.path.isfile(path):
        raise DataError(f"dataset file not found: {path}")
    base = os.path.dirname(path)
    rows = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = (path, line_no)
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as e:
                raise DataError(f"not JSON: {e.msg} (column {e.colno})", *where)
            _check_row(raw, where)
            row = Row(raw, base, line_no)
            for p in row.image_paths:
                open_image(p, where).close()
            rows.append(row)
    if not rows:
        raise DataError("the dataset has no rows (does the snapshot hold any accepted traces?)", path)
    return rows


def load_images(row, path, count=None):
    return [open_image(p, (path, row.line)) for p in row.image_paths[:count]]


def sft_examples(rows, path):
    """Tokenized conversations with their loss masks; checks lengths."""
    out = []
    for row in rows:
        conv = tokenize(row.messages, load_images(row, path), row.wrong_look_turns)
        if len(conv.ids) > MAX_TOKENS:
            raise DataError(f"{len(conv.ids)} tokens, more than tiny-torch's {MAX_TOKENS}", path, row.line)
        if conv.trained_tokens == 0:
            raise DataError("every assistant turn is a masked wrong look: nothing to learn", path, row.line)
        out.append(conv)
    return out


def prompt_of(row):
    """GRPO: the messages before the first assistant turn, and the images they show."""
    first = next(i for i, m in enumerate(row.messages) if m["role"] == "assistant")
    messages = row.messages[:first]
    shown = sum(1 for m in messages if not isinstance(m["content"], str) for b in m["content"] if b["type"] == "image")
    return messages, shown
