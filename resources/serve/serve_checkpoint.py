"""Serves a Qwen2-VL / Qwen2.5-VL checkpoint folder as an OpenAI-compatible chat endpoint.

    python serve_checkpoint.py CHECKPOINT_DIR [--port 0] [--device auto|cpu|cuda] [--dtype auto|float32|bfloat16] [--name NAME]

CHECKPOINT_DIR is a `save_pretrained` folder (a full checkpoint) or a LoRA adapter folder
(adapter_config.json: its base model is loaded and the adapter merged with peft in memory). The
prompt is rendered with the folder's own chat template; images come as data: URLs in OpenAI
content parts. Greedy unless a temperature > 0 is asked for. Binds 127.0.0.1 only.

Routes: POST /v1/chat/completions, GET /v1/models, GET /health.
Once listening it prints one JSON line on stdout: {"event": "ready", "port": N, "model": NAME, ...}
(the studio waits for it). A folder that is not Qwen2-VL / Qwen2.5-VL exits with code 2 and one
line on stderr saying why.

vLLM and SGLang serve the same folder faster on a GPU (README "Trained checkpoints"); this script
is the dependency-free path: transformers + torch (+ peft for adapters), what `trainer setup` installs.
"""
import argparse
import base64
import io
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "trainer"))  # resources/trainer: qwen_vl

SUPPORTED = {"qwen2_vl": "Qwen2VLForConditionalGeneration", "qwen2_5_vl": "Qwen2_5_VLForConditionalGeneration"}
# vision special tokens a barely trained policy may sample: text holding them cannot be re-read
# as a conversation (an <|image_pad|> without an image), so they are never generated
SUPPRESSED = ["<|vision_start|>", "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>"]


class Refused(Exception):
    """The folder cannot be served; the message says why (exit code 2)."""


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def resolve_folders(folder):
    """(model weights folder, adapter folder or None, processor folder) for a checkpoint folder."""
    if not os.path.isdir(folder):
        raise Refused("%s is not a folder" % folder)
    adapter = os.path.join(folder, "adapter_config.json")
    if os.path.exists(adapter):
        base = read_json(adapter).get("base_model_name_or_path")
        if not base or not os.path.isdir(base):
            raise Refused("%s is a LoRA adapter whose base model %r is not a local folder: merge it where the base is, or fix base_model_name_or_path" % (folder, base))
        has_tokenizer = os.path.exists(os.path.join(folder, "tokenizer_config.json"))
        return base, folder, folder if has_tokenizer else base
    if not os.path.exists(os.path.join(folder, "config.json")):
        raise Refused("%s has no config.json (nor adapter_config.json): not a transformers checkpoint folder" % folder)
    return folder, None, folder


def model_type_of(folder):
    config = read_json(os.path.join(folder, "config.json"))
    kind = config.get("model_type")
    if kind not in SUPPORTED:
        raise Refused("%s is a %r model: only Qwen2-VL / Qwen2.5-VL checkpoints (model_type qwen2_vl or qwen2_5_vl) can be served" % (folder, kind))
    return kind


def pick_device(name):
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise Refused("--device cuda asked for, but this torch (%s) sees no CUDA device" % torch.__version__)
    return name


def load(folder, device, dtype_name):
    import torch
    import transformers

    weights, adapter, processor_dir = resolve_folders(folder)
    kind = model_type_of(weights)
    for f in ("preprocessor_config.json", "tokenizer_config.json"):
        if not os.path.exists(os.path.join(processor_dir, f)):
            raise Refused("%s has no %s: save the processor with the checkpoint (processor.save_pretrained)" % (processor_dir, f))
    from qwen_vl.processor import load_processor

    dtype = {"auto": torch.bfloat16 if device == "cuda" else torch.float32, "float32": torch.float32, "bfloat16": torch.bfloat16}[dtype_name]
    model = getattr(transformers, SUPPORTED[kind]).from_pretrained(weights, dtype=dtype)
    if adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    model.to(device).eval()
    processor = load_processor(processor_dir)
    return model, processor, kind


def decode_image(url):
    from PIL import Image

    if not url.startswith("data:"):
        raise ValueError("images must be data: URLs (this server does not download): got %s..." % url[:40])
    head, _, data = url.partition(",")
    if ";base64" not in head:
        raise ValueError("a data: URL image must be base64")
    return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")


def to_conversation(messages):
    """OpenAI messages -> (processor messages, PIL images in order)."""
    out, images = [], []
    for m in messages:
        role = m.get("role")
        if role not in ("system", "user", "assistant", "tool"):
            raise ValueError("unknown role %r" % role)
        content = m.get("content")
        if content is None:
            content = ""
        if isinstance(content, str):
            out.append({"role": role, "content": [{"type": "text", "text": content}]})
            continue
        parts = []
        for part in content:
            kind = part.get("type")
            if kind == "text":
                parts.append({"type": "text", "text": part.get("text", "")})
            elif kind == "image_url":
                url = part.get("image_url")
                images.append(decode_image(url.get("url", "") if isinstance(url, dict) else str(url)))
                parts.append({"type": "image"})
            else:
                raise ValueError("unsupported content part type %r" % kind)
        out.append({"role": role, "content": parts})
    return out, images


class Server:
    def __init__(self, model, processor, name, device):
        self.model, self.processor, self.name, self.device = model, processor, name, device
        self.lock = threading.Lock()  # one generation at a time
        tok = processor.tokenizer
        self.suppress = [[i] for i in (tok.convert_tokens_to_ids(t) for t in SUPPRESSED) if isinstance(i, int) and i >= 0 and i != tok.unk_token_id]
        self.eos = [i for i in (tok.convert_tokens_to_ids(t) for t in ("<|im_end|>", "<|endoftext|>")) if isinstance(i, int) and i >= 0]

    def complete(self, body):
        import torch

        messages, images = to_conversation(body.get("messages") or [])
        if not messages:
            raise ValueError("messages is empty")
        prompt = self.processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        inputs = self.processor(text=[prompt], images=images or None, return_tensors="pt").to(self.device)
        max_tokens = int(body.get("max_tokens") or body.get("max_completion_tokens") or 512)
        temperature = float(body.get("temperature") if body.get("temperature") is not None else 0)
        stop = body.get("stop") or []
        stop = [stop] if isinstance(stop, str) else list(stop)
        kwargs = dict(max_new_tokens=max_tokens, eos_token_id=self.eos, pad_token_id=self.eos[-1] if self.eos else None)
        if self.suppress:
            kwargs["bad_words_ids"] = self.suppress
        if temperature > 0:
            kwargs.update(do_sample=True, temperature=temperature, top_p=float(body.get("top_p") or 1.0))
            if body.get("top_k"):
                kwargs["top_k"] = int(body["top_k"])
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        if stop:
            kwargs.update(stop_strings=stop, tokenizer=self.processor.tokenizer)
        if body.get("seed") is not None:
            torch.manual_seed(int(body["seed"]))
        prompt_len = inputs["input_ids"].shape[1]
        with self.lock, torch.no_grad():
            output = self.model.generate(**inputs, **kwargs)
        new = output[0, prompt_len:].tolist()
        text = self.processor.tokenizer.decode(new, skip_special_tokens=True)
        finish, matched = "length", None
        if new and new[-1] in self.eos:
            finish = "stop"
        for s in stop:
            at = text.find(s)
            if at >= 0:
                finish, matched = "stop", s
                # OpenAI cuts the stop string; vLLM keeps it on include_stop_str_in_output
                text = text[: at + len(s)] if body.get("include_stop_str_in_output") else text[:at]
                break
        return {
            "id": "chatcmpl-" + uuid.uuid4().hex[:12],
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.name,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish, "stop_reason": matched}],
            "usage": {"prompt_tokens": prompt_len, "completion_tokens": len(new), "total_tokens": prompt_len + len(new)},
        }


def handler_for(server):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # requests go to stderr, one short line each
            sys.stderr.write("%s %s\n" % (self.command, fmt % args))

        def log_request(self, code="-", size="-"):  # answered requests stay quiet (an evaluation makes thousands); the others are logged
            if not str(getattr(code, "value", code)).startswith("2"):
                super().log_request(code, size)

        def send(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def error(self, status, message, kind):
            self.send(status, {"error": {"message": message, "type": kind}})

        def do_GET(self):
            if self.path in ("/v1/models", "/models"):
                self.send(200, {"object": "list", "data": [{"id": server.name, "object": "model", "owned_by": "pixel-studio"}]})
            elif self.path == "/health":
                self.send(200, {"ok": True, "model": server.name, "device": server.device})
            else:
                self.error(404, "no route GET %s" % self.path, "not_found")

        def do_POST(self):
            if self.path not in ("/v1/chat/completions", "/chat/completions"):
                self.error(404, "no route POST %s" % self.path, "not_found")
                return
            try:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if body.get("stream"):
                    raise ValueError("stream is not supported by this server")
            except (ValueError, json.JSONDecodeError) as e:
                self.error(400, str(e), "invalid_request_error")
                return
            try:
                self.send(200, server.complete(body))
            except ValueError as e:
                self.error(400, str(e), "invalid_request_error")
            except Exception as e:  # noqa: BLE001 - the client gets the reason, the server lives on
                self.error(500, "%s: %s" % (type(e).__name__, e), "server_error")

    return Handler


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed in the ready line)")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--dtype", choices=["auto", "float32", "bfloat16"], default="auto")
    parser.add_argument("--name", default=None, help="the model id in /v1/models (default: the folder name)")
    parser.add_argument("--parent-pipe", action="store_true", help="exit when stdin closes (the studio that started it is gone)")
    args = parser.parse_args(argv)
    folder = os.path.abspath(args.checkpoint)
    try:
        resolve_folders(folder)
        model_type_of(resolve_folders(folder)[0])
        device = pick_device(args.device)
        started = time.time()
        model, processor, kind = load(folder, device, args.dtype)
    except Refused as e:
        sys.stderr.write("refused: %s\n" % e)
        return 2
    name = args.name or os.path.basename(folder.rstrip("/"))
    server = Server(model, processor, name, device)
    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(server))
    ready = {"event": "ready", "port": httpd.server_address[1], "model": name, "model_type": kind, "device": device, "load_seconds": round(time.time() - started, 2)}
    print(json.dumps(ready), flush=True)
    if args.parent_pipe:
        def watch_parent():
            sys.stdin.read()  # returns at EOF: the parent closed the pipe or died
            os._exit(0)

        threading.Thread(target=watch_parent, daemon=True).start()
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
