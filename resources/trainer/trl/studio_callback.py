"""How a TRL run talks to Pixel Studio: one TrainerEvent JSON object per line on stdout
(src/shared/contract/schemas/training.ts). The callback maps HF Trainer hooks to events
(transformers TrainerCallback: on_train_begin, on_log, on_save) and turns SIGTERM into
"save a checkpoint, then stop" at the next step boundary.

Only the helpers at the top are pure Python; `make_callback` imports transformers when called."""

import json
import math
import os
import signal
import sys

_stop_requested = False


def emit(event):
    """Print one event line (flushed: the studio tails the log while the run goes)."""
    sys.stdout.write(json.dumps(event, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def metric_values(logs):
    """HF log dict -> {name: number}: numbers only, finite only (TRL's names are kept as is)."""
    out = {}
    for key, value in (logs or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if math.isfinite(value):
            out[key] = float(value)
    return out


def is_main_process():
    """Rank 0 under accelerate/torchrun (RANK unset: a single process)."""
    return os.environ.get("RANK", "0") == "0"


def stop_requested():
    return _stop_requested


def install_sigterm_handler():
    """SIGTERM (the studio's cancel) -> stop at the next step, after a checkpoint."""

    def handler(signum, frame):
        global _stop_requested
        _stop_requested = True
        emit({"event": "log", "level": "warn", "message": "SIGTERM: saving a checkpoint and stopping after this step"})

    signal.signal(signal.SIGTERM, handler)


def make_callback():
    from transformers import TrainerCallback

    class StudioCallback(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            if state.is_world_process_zero:
                device = "cuda" if str(getattr(args, "device", "cpu")).startswith("cuda") else "cpu"
                emit({"event": "started", "device": device, "detail": f"max_steps={state.max_steps}"})

        def on_log(self, args, state, control, logs=None, **kwargs):
            if not state.is_world_process_zero:
                return
            values = metric_values(logs)
            if values:
                event = {"event": "metrics", "step": int(state.global_step), "values": values}
                if state.epoch is not None:
                    event["epoch"] = float(state.epoch)
                emit(event)

        def on_save(self, args, state, control, **kwargs):
            if state.is_world_process_zero:
                emit({"event": "checkpoint", "step": int(state.global_step), "path": os.path.join(args.output_dir, f"checkpoint-{state.global_step}")})

        def on_step_end(self, args, state, control, **kwargs):
            if _stop_requested:
                control.should_save = True
                control.should_training_stop = True
            return control

    return StudioCallback()
