"""A model folder of Qwen2.5-7B-Instruct's architecture for `vllm serve --load-format dummy`, where no
model hub can be reached: its config (the published shape: 28 layers, hidden 3584, GQA 28/4 heads)
and a tokenizer trained offline on the seed articles with sentencepiece. Random weights: the
answers are noise, but the engine does a 7B model's work per token, which is what is measured."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path

QWEN25_7B = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "hidden_size": 3584,
    "intermediate_size": 18944,
    "num_hidden_layers": 28,
    "num_attention_heads": 28,
    "num_key_value_heads": 4,
    "max_position_embeddings": 32768,
    "rope_theta": 1000000.0,
    "rms_norm_eps": 1e-06,
    "hidden_act": "silu",
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "vocab_size": 152064,
    "bos_token_id": 151643,
    "eos_token_id": 151645,
    "use_sliding_window": False,
}
CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SPECIALS = ["<|im_start|>", "<|im_end|>", "<|endoftext|>"]


def build(out_dir: Path, corpus: Iterable[str], vocab_size: int = 3000) -> Path:
    import sentencepiece as spm
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    out_dir.mkdir(parents=True, exist_ok=True)
    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([line for text in corpus for line in text.splitlines() if line.strip()]),
        model_writer=proto,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=0.995,
        byte_fallback=True,  # every character stays encodable: constrained decoding needs that
        hard_vocab_limit=False,  # a small corpus (the seeds) may hold fewer pieces than asked for
        user_defined_symbols=[*SPECIALS, *list('{}[]":,')],
        num_threads=4,
    )
    sp = spm.SentencePieceProcessor(model_proto=proto.getvalue())
    pieces = [(sp.id_to_piece(i), sp.get_score(i)) for i in range(sp.get_piece_size())]
    fast = Tokenizer(models.Unigram(pieces, unk_id=sp.unk_id(), byte_fallback=True))
    fast.pre_tokenizer = pre_tokenizers.Metaspace()
    fast.decoder = decoders.Sequence([decoders.ByteFallback(), decoders.Metaspace()])
    tok = PreTrainedTokenizerFast(tokenizer_object=fast, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    tok.chat_template = CHAT_TEMPLATE
    tok.save_pretrained(out_dir)
    # Newer transformers write their own class name here; any version (vLLM's too) loads this one.
    cfg_path = out_dir / "tokenizer_config.json"
    tok_config = json.loads(cfg_path.read_text()) | {"tokenizer_class": "PreTrainedTokenizerFast"}
    cfg_path.write_text(json.dumps(tok_config, indent=1))
    config = dict(QWEN25_7B, bos_token_id=tok.convert_tokens_to_ids("<|endoftext|>"))
    config["eos_token_id"] = tok.convert_tokens_to_ids("<|im_end|>")
    (out_dir / "config.json").write_text(json.dumps(config, indent=1))
    (out_dir / "generation_config.json").write_text(json.dumps({"eos_token_id": config["eos_token_id"]}))
    return out_dir
