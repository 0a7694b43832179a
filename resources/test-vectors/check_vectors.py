#!/usr/bin/env python3
"""Checks the shared pixel-ops / tool-call test vectors against the Python re-implementation of
the reference code in resources/trainer/pixel_reasoner (pixel_ops.py, toolcall.py), written to
match it line for line; the trainers import the same modules, so they run exactly these rules.

Reference: TIGER-AI-Lab/Pixel-Reasoner @ a3a6c3a,
  curiosity_driven_rl/openrlhf/trainer/ppo_utils/experience_maker.py
    l.150-170   CropImageNormalized.call   (crop geometry)
    l.1145-1147 parse_last_tool
    l.1170-1241 execute_tool               (target_image / select_frames rules)
    l.1365-1379 resize_cropped             (smart_resize of a crop)
    l.2237-2242 tool-call detection
    l.2300/2314/2325 observation texts
  curiosity_driven_rl/openrlhf/datasets/prompts_dataset.py l.37, l.142, l.157 (user text)
qwen_vl_utils smart_resize: QwenLM/Qwen2.5-VL @ f0af299,
  qwen-vl-utils/src/qwen_vl_utils/vision_process.py l.25-85
Qwen-Agent NousFnCallPrompt FN_CALL_TEMPLATE; BaseTool.function (name, description, parameters).

Usage:  python3 check_vectors.py          # assert every vector (exit 1 on a mismatch)
        python3 check_vectors.py --fill   # (re)compute the reference-derived expected values
With Pillow importable, crop boxes are also checked by really cropping with Image.crop.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PIXEL_FILE = os.path.join(HERE, "pixel-ops.json")
TOOLCALL_FILE = os.path.join(HERE, "toolcall.json")
DECODE_FILE = os.path.join(HERE, "decode.json")

# The rules themselves live in ONE Python module shared with the trainers.
sys.path.insert(0, os.path.join(HERE, "..", "trainer"))
from pixel_reasoner.pixel_ops import PROFILES, Image, PixelOpError, to_rgb, bounds, crop_box, execute_tool, resolve_crop_target, resolve_frame_selection, smart_resize  # noqa: E402
from pixel_reasoner.toolcall import is_call, parse_last_tool, render_chat  # noqa: E402


def reference_outcome(fn):
    try:
        return {"ok": fn()}
    except Exception as e:  # the reference shows str(e) to the model
        return {"error": str(e)}


def studio_outcome(fn):
    try:
        return {"ok": fn()}
    except PixelOpError as e:
        return {"error": e.code, "message": str(e)}


def media_lists(ctx):
    if ctx["kind"] == "images":
        originals = [f"original:{i}" for i in range(ctx["originals"])]
        returned = [f"returned:{i}" for i in range(ctx["returned"])]
        return originals + returned, originals, False
    frames = [f"frame:{i}" for i in range(ctx["frames"])]
    returned = [f"returned:{i}" for i in range(ctx["returned"])]
    return [frames] + returned, [frames], True


def label_of(result):
    kind, index = result.split(":")
    return {"kind": kind, "index": int(index)}


# ---------------------------------------------------------------- checks
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def run_pixel(v, fill):
    for c in v["smart_resize"]:
        b = c["bounds"]
        try:
            h, w = smart_resize(c["height"], c["width"], 28, b["minPixels"], b["maxPixels"])
            got = {"width": w, "height": h}
        except ValueError as e:
            got = {"error": "aspect_ratio", "message": str(e)}
        if fill:
            c["expected"] = got
        check(c["expected"] == got, f"smart_resize {c}: python {got}")

    for c in v["crop_box"]:
        W, H = c["size"]
        try:
            units, box = crop_box(W, H, c["bbox"], c.get("padding", 0.1))
            got = {"units": units, "box": box}
        except (AssertionError, ValueError) as e:
            msg = str(e)
            code = "inverted_box" if "Coordinate" in msg else "crop_too_small"
            got = {"error": code, "message": msg}
        if fill:
            c["expected"] = got
        check(c["expected"] == got, f"crop_box {c}: python {got}")

    for c in v["crop_pipeline"]:
        p = PROFILES[c["profile"]]
        W, H = c["source"]
        vh, vw = smart_resize(H, W, 28, **bounds(p["view"]))
        units, box = crop_box(vw, vh, c["bbox"])
        oh, ow = smart_resize(box[3], box[2], 28, **bounds(p["crop"]))
        got = {"view": [vw, vh], "box": box, "output": [ow, oh], "observation": "\nHere is the cropped image (Image Size: {}x{}):".format(ow, oh)}
        if fill:
            c["expected"] = got
        check(c["expected"] == got, f"crop_pipeline {c}: python {got}")

    for c in v["targets"]:
        images, raw, is_video = media_lists(c["context"])
        ref = reference_outcome(lambda: execute_tool(images, raw, {"target_image": c["target"], "bbox_2d": [0, 0, 0.5, 0.5]}, "crop_image_normalized", is_video))
        if "ok" in ref and isinstance(ref["ok"], str):
            ref = {"ok": label_of(ref["ok"])}
        if fill:
            c["reference"] = ref
        check(c["reference"] == ref, f"targets {c}: python {ref}")
        # Where we deliberately differ, the vector says so; elsewhere we match the reference.
        if not c.get("differs"):
            ours = {"ok": c["expected"]["ok"]} if "ok" in c["expected"] else {"error": c["expected"]["message"]}
            check(ours == ref, f"targets {c}: ours {ours} != reference {ref}")
        # the studio's rule (reference + deviations), which the trainers execute
        studio = studio_outcome(lambda: resolve_crop_target(c["target"], c["context"]))
        check(studio == c["expected"], f"targets {c}: resolve_crop_target {studio}")

    for c in v["frames"]:
        images, raw, is_video = media_lists(c["context"])
        ref = reference_outcome(lambda: execute_tool(images, raw, {"target_frames": c["selection"]}, "select_frames", is_video))
        if "ok" in ref:
            ref = {"ok": [label_of(x)["index"] for x in ref["ok"]]}
        if fill:
            c["reference"] = ref
        check(c["reference"] == ref, f"frames {c}: python {ref}")
        if not c.get("differs"):
            ours = {"ok": c["expected"]["ok"]} if "ok" in c["expected"] else {"error": c["expected"]["message"]}
            check(ours == ref, f"frames {c}: ours {ours} != reference {ref}")
        studio = studio_outcome(lambda: resolve_frame_selection(c["selection"], c["context"]))
        check(studio == c["expected"], f"frames {c}: resolve_frame_selection {studio}")


def run_toolcall(v, fill):
    for c in v["parse_turn"]:
        check(is_call(c["text"]) == c["expected"]["isCall"], f"parse_turn isCall {c['name']}")
        steps = c["expected"]["steps"]
        last = steps[-1] if steps else None
        if c["expected"]["isCall"] and last and last["kind"] in ("crop", "select_frames"):
            call = parse_last_tool(c["text"].replace("<|im_end|>", ""))
            if last["kind"] == "crop":
                check(call["arguments"]["bbox_2d"] == last["bbox"] and call["arguments"]["target_image"] == last["targetImage"], f"parse_turn args {c['name']}")
            else:
                check(call["arguments"]["target_frames"] == last["frames"], f"parse_turn frames {c['name']}")
        if c["expected"]["isCall"] and last and last["kind"] == "error" and last["code"] == "malformed_json":
            try:
                parse_last_tool(c["text"].replace("<|im_end|>", ""))
                check(c.get("pythonAccepts", False), f"parse_turn {c['name']}: python json.loads accepted it")
            except ValueError:
                pass

    for c in v["render"]:
        got = render_chat(c["trace"], c.get("options", {}))
        if fill:
            c["expected"] = got
        check(c["expected"] == got, f"render {c['name']}:\n--- expected\n{c['expected']!r}\n--- python\n{got!r}")


REFERENCE_OPERATIONS = ("crop_image_normalized", "select_frames")  # EM l.1450


def run_agent_calls(v):
    """The reference's tool execution of one call: parse_last_tool, self.operations[name] (a
    KeyError for any other name), execute_tool; str(e) is what the model is shown."""
    for c in v["agent_calls"]:
        images, raw, is_video = media_lists(c["context"])
        try:
            call = parse_last_tool(c["text"])
            name, args = call["name"], call["arguments"]
            if name not in REFERENCE_OPERATIONS:
                raise KeyError(name)
            got = {"ok": label_of(execute_tool(images, raw, args, name, is_video))}
        except Exception as e:
            got = {"error": str(e)}
        check(got == c["expected"], f"agent_calls {c['name']}: reference {got}")


def run_decode(v, fill):
    """PIL.Image.open + to_rgb, as the reference opens every image (no EXIF transpose)."""
    if Image is None:
        return
    for c in v["images"]:
        im = to_rgb(Image.open(os.path.join(HERE, c["file"])))
        got = {"size": list(im.size), "rgb": [ch for px in im.getdata() for ch in px]}
        if fill:
            c["size"], c["rgb"] = got["size"], got["rgb"]
        check(c["size"] == got["size"] and c["rgb"] == got["rgb"], f"decode {c['file']}: Pillow gives {got['size']} {got['rgb'][:12]}...")


def main():
    fill = "--fill" in sys.argv
    with open(PIXEL_FILE) as f:
        pixel = json.load(f)
    with open(TOOLCALL_FILE) as f:
        toolcall = json.load(f)
    run_pixel(pixel, fill)
    run_toolcall(toolcall, fill)
    run_agent_calls(toolcall)
    with open(DECODE_FILE) as f:
        decode = json.load(f)
    run_decode(decode, fill)
    if fill:
        for path, data in ((PIXEL_FILE, pixel), (TOOLCALL_FILE, toolcall), (DECODE_FILE, decode)):
            with open(path, "w") as f:
                json.dump(data, f, indent=1, ensure_ascii=False)
                f.write("\n")
        print("filled")
    if failures:
        for x in failures:
            print("FAIL", x)
        sys.exit(1)
    n = sum(len(pixel[k]) for k in ("smart_resize", "crop_box", "crop_pipeline", "targets", "frames")) + len(toolcall["parse_turn"]) + len(toolcall["render"]) + len(decode["images"]) + len(toolcall["agent_calls"])
    print(f"ok: {n} vectors match the reference re-implementation (Pillow {'used' if Image else 'not installed'})")


if __name__ == "__main__":
    main()
