"""Pixel Studio's TRL launcher: `python pixel_studio_trl.py --run-dir DIR --config sft.yaml|grpo.yaml`
(or the same under `accelerate launch`).

The YAML is TRL's own CLI config (what `trl sft --config sft.yaml` reads), parsed with TRL's
parser (TrlParser over ScriptArguments, SFTConfig/GRPOConfig, ModelConfig, DatasetMixtureConfig,
as trl/scripts/sft.py and grpo.py do). On top of the CLI this adds what the studio needs:
- the model: a Qwen2-VL / Qwen2.5-VL folder or a fresh tiny Qwen2.5-VL (spec.json baseModel
  tiny-init), loaded with the image-only processor and the studio's tool-capable chat template;
- SFT through the studio's collator (sft_collator.py: loss on assistant turns only, wrong looks
  masked, observations with their images);
- GRPO through TRL's tool-calling loop with the Pixel Reasoner environment and reward
  (pixel_reasoner_env.py);
- the studio's event callback (studio_callback.py), resume from spec.json's checkpoint, and
  errors the studio can name printed as `error` events.
"""
import argparse
import errno
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
for _path in (HERE, os.path.dirname(HERE)):  # run folder python/, or resources/trainer/trl
    if os.path.isdir(os.path.join(_path, "pixel_reasoner")) and _path not in sys.path:
        sys.path.insert(0, _path)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from studio_callback import emit, install_sigterm_handler, is_main_process, make_callback, stop_requested  # noqa: E402


class DataError(Exception):
    pass


def read_records(data_file):
    """The exported TRL JSONL lines (each validated as JSON)."""
    lines = []
    with open(data_file, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as error:
                raise DataError(f"{data_file}:{number}: not JSON ({error})")
            if not isinstance(row, dict) or not isinstance(row.get("messages"), list):
                raise DataError(f"{data_file}:{number}: not a TRL conversational record (no messages)")
            lines.append(line)
    if not lines:
        raise DataError(f"{data_file} has no records: the snapshot is empty (accept some traces, then take a new snapshot)")
    return lines


def grpo_rows(lines, data_dir):
    """One prompt per sample: the system and first user turn, with that turn's images (the text-only
    arm's without the tools block: call after pixel_reasoner_env.configure)."""
    from datasets import Dataset, Image, Sequence

    import pixel_reasoner_env as env
    from sft_collator import load_record

    seen, out = set(), []
    for line in lines:
        row = load_record(line, data_dir)
        sample = row.get("sample_id") or row.get("id")
        if sample in seen:
            continue
        seen.add(sample)
        prompt = []
        for message in row["messages"]:
            if message["role"] == "assistant":
                break
            prompt.append({"role": message["role"], "content": [{"type": "image"} if c.get("type") == "image" else {"type": "text", "text": c["text"]} for c in message["content"]]})
        prompt = env.offered_prompt(prompt)
        n_images = sum(1 for m in prompt for part in m["content"] if part["type"] == "image")
        out.append({"prompt": prompt, "images": row["images"][:n_images], "answer": str(row.get("answer", "")), "sample_id": str(sample), "is_video": bool(row.get("is_video", False))})
    dataset = Dataset.from_list(out)
    return dataset.cast_column("images", Sequence(Image()))


def log(message, level="warn"):
    if is_main_process():
        emit({"event": "log", "level": level, "message": message})


def train(run_dir, config):
    import trl

    import studio_model
    from sft_collator import StudioSftCollator

    with open(os.path.join(run_dir, "spec.json"), encoding="utf-8") as f:
        spec = json.load(f)
    algorithm = spec["algorithm"]
    if algorithm == "sft":
        from trl.scripts.sft import make_parser
    else:
        from trl.scripts.grpo import make_parser
    parsed = make_parser().parse_args_and_config(["--config", config])
    training_args, model_args = parsed[1], parsed[2]

    train_file = os.path.join(run_dir, spec["dataset"]["train"])
    data_dir = os.path.dirname(train_file)
    lines = read_records(train_file)
    # a split snapshot's held-out side (spec.json dataset.eval), beside the train file: the eval set
    eval_file = spec["dataset"].get("eval")
    eval_lines = read_records(os.path.join(run_dir, eval_file)) if eval_file else None
    if eval_lines is None and training_args.eval_strategy != "no":
        log("no eval set (the snapshot has no split): evaluation is off")
        training_args.eval_strategy = "no"

    base = spec["baseModel"]
    if base["kind"] == "tiny-init":
        model_path = studio_model.build_tiny(os.path.join(run_dir, "base-model"), base.get("seed", 0))
    else:
        model_path = model_args.model_name_or_path or base["path"]
    kind = studio_model.model_type(model_path)
    processor = studio_model.load_processor_with_template(model_path, log)
    model = studio_model.load_model(model_path, model_args.dtype, kind)
    peft_config = trl.get_peft_config(model_args)
    callbacks = [make_callback()]

    if algorithm == "sft":
        from datasets import Dataset

        trainer = trl.SFTTrainer(
            model=model,
            args=training_args,
            train_dataset=Dataset.from_dict({"record": lines}),
            eval_dataset=Dataset.from_dict({"record": eval_lines}) if eval_lines else None,
            data_collator=StudioSftCollator(processor, data_dir),
            processing_class=processor,
            peft_config=peft_config,
            callbacks=callbacks,
        )
    else:
        import pixel_reasoner_env as env
        from trl.chat_template_utils import qwen3_template

        env.configure(spec)
        # the studio template's calls are Qwen's <tool_call> JSON: TRL's Qwen3 response parser reads them
        processor.tokenizer.response_template = qwen3_template
        suppress = studio_model.vision_token_ids(processor.tokenizer)
        training_args.generation_kwargs = {**(training_args.generation_kwargs or {}), "suppress_tokens": suppress}
        trainer = trl.GRPOTrainer(
            model=model,
            reward_funcs=env.REWARD_FUNCS,
            args=training_args,
            train_dataset=grpo_rows(lines, data_dir),
            eval_dataset=grpo_rows(eval_lines, data_dir) if eval_lines else None,
            processing_class=processor,
            environment_factory=env.environment_class(),
            peft_config=peft_config,
            callbacks=callbacks,
        )
    resume = spec.get("resumeFrom")
    trainer.train(resume_from_checkpoint=os.path.join(run_dir, resume) if resume and not os.path.isabs(resume) else resume)
    if stop_requested():
        log("stopped on request after saving a checkpoint")
        return
    final = os.path.join(training_args.output_dir, "final")
    if peft_config is not None:
        # a LoRA run's final model is merged, so it loads like any model folder
        trainer.model = trainer.model.merge_and_unload()
    trainer.save_model(final)
    if trainer.is_world_process_zero():
        processor.save_pretrained(final)
        emit({"event": "done", "modelDir": os.path.abspath(final), "onnxDir": None})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-dir", required=True)
    parser.add_argument("--config", required=True)
    args = parser.parse_args()
    run_dir = os.path.abspath(args.run_dir)
    os.chdir(run_dir)
    install_sigterm_handler()
    import studio_model

    try:
        train(run_dir, args.config)
    except (DataError, studio_model.ModelError) as error:
        emit({"event": "error", "kind": "data", "message": str(error)})
        sys.exit(1)
    except ImportError as error:
        emit({"event": "error", "kind": "dependency", "message": f"{type(error).__name__}: {error}"})
        sys.exit(1)
    except OSError as error:
        if error.errno == errno.ENOSPC:
            emit({"event": "error", "kind": "disk", "message": str(error)})
            sys.exit(1)
        raise
    except RuntimeError as error:
        if "out of memory" in str(error).lower():
            emit({"event": "error", "kind": "oom", "message": str(error).splitlines()[0]})
            sys.exit(1)
        raise


if __name__ == "__main__":
    main()
