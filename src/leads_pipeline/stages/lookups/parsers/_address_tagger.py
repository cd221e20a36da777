"""`usaddress`'s labels for many addresses at once, decoded from its own CRF model with NumPy.

`usaddress.parse` rebuilds every token's features for every address and hands each address to
`pycrfsuite` on its own. Here the model's weights are read once per process from the model file
`usaddress` ships (CRFsuite's `lCRF` format: a table of features, each an attribute or a label
pair, a label and a double). Each distinct token's features are built once with
`usaddress.tokenFeatures` and flattened by `pycrfsuite` itself, then summed into three score
vectors over the labels: as the token itself, as the previous token (`previous:` attributes) and
as the next one (`next:`), as `usaddress.tokens2features` lays an address out, with the start
and end flags. An address's label scores are then three array lookups, and the best label path
(Viterbi, the same decoding CRFsuite does) is computed for thousands of addresses of one length
at a time. `pycrfsuite` has no batch call, which is why the decoding is written here.

The labels are the ones `usaddress.parse` gives: the weights are the model's own doubles, and an
address whose best path wins any of its choices by less than `_TIE_MARGIN` (where summing in
another order could flip it) is tagged by `pycrfsuite` instead. A model file this module cannot
read falls back to `pycrfsuite` for every address.
"""

from __future__ import annotations

import os
import re
import struct
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np
import pycrfsuite
import usaddress

_TOKEN_CACHE_SIZE = 500_000  # distinct tokens kept per process (a few hundred bytes each)
_PATH_CACHE_SIZE = 1_000_000  # label paths kept per process, one per distinct class sequence
_TIE_MARGIN = 1e-9  # far above the rounding of summing a few hundred doubles in another order
_BLOCK = 4096  # addresses decoded together: (block, labels, labels) doubles, about 27 MB
_FEATURE_STATE, _FEATURE_TRANSITION = 0, 1
_START, _AFTER_START, _END, _BEFORE_END = "address.start", "previous:address.start", "address.end", "next:address.end"


@lru_cache(maxsize=_TOKEN_CACHE_SIZE)
def _token_attributes(token: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """A token's non-zero CRF attributes: as itself, as the previous token, as the next token."""
    flattened = pycrfsuite.ItemSequence([usaddress.tokenFeatures(token)]).items()[0]
    own = tuple(name for name, value in flattened.items() if value)
    return own, tuple(f"previous:{name}" for name in own), tuple(f"next:{name}" for name in own)


def _items(tokens: Sequence[str]) -> list[list[str]]:
    """The attributes of each token in context, as `usaddress.tokens2features` gives them."""
    attributes = [_token_attributes(token) for token in tokens]
    last = len(tokens) - 1
    items: list[list[str]] = []
    for i, (own, _, _) in enumerate(attributes):
        item = list(own)
        if i == 0:
            item.append(_START)
        else:
            item.extend(attributes[i - 1][1])
            if i == 1:
                item.append(_AFTER_START)
        if i == last:
            item.append(_END)
        else:
            item.extend(attributes[i + 1][2])
            if i == last - 1:
                item.append(_BEFORE_END)
        items.append(item)
    return items


def _crfsuite_labels(tokens: Sequence[str]) -> list[str]:
    return usaddress.TAGGER.tag(pycrfsuite.ItemSequence(_items(tokens)))


@dataclass
class _Model:
    """The CRF's weights, and the token classes and label paths worked out so far.

    A token's class is the set of its attributes the model knows: `1234` and `5678` share one
    (digits, length 4), and so do most words the model never saw. Addresses whose tokens fall in
    the same classes in the same order get the same labels, so each such sequence is decoded once.
    """

    labels: list[str]
    attribute_ids: dict[str, int]
    state: np.ndarray  # (attributes, labels)
    transitions: np.ndarray  # (from label, to label)
    token_classes: dict[str, int] = field(default_factory=dict)
    class_ids: dict[tuple[tuple[int, ...], ...], int] = field(default_factory=dict)
    class_rows: list[np.ndarray] = field(default_factory=list)  # (as itself/previous/next, label)
    class_scores: np.ndarray = field(init=False)
    paths: dict[tuple[int, ...], tuple[int, ...] | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.class_scores = np.zeros((0, 3, len(self.labels)))

    def known(self, names: Sequence[str]) -> tuple[int, ...]:
        """Ids of the attributes among `names` that the model has weights for."""
        return tuple(self.attribute_ids[name] for name in names if name in self.attribute_ids)

    def attribute_scores(self, ids: Sequence[int]) -> np.ndarray:
        return self.state[list(ids)].sum(axis=0)

    def token_class(self, token: str) -> int:
        found = self.token_classes.get(token)
        if found is not None:
            return found
        if len(self.token_classes) >= _TOKEN_CACHE_SIZE:
            self.token_classes.clear()
        key = tuple(self.known(names) for names in _token_attributes(token))
        found = self.class_ids.get(key)
        if found is None:
            found = self.class_ids[key] = len(self.class_rows)
            self.class_rows.append(np.stack([self.attribute_scores(ids) for ids in key]))
        self.token_classes[token] = found
        return found

    def scores(self) -> np.ndarray:
        if len(self.class_scores) < len(self.class_rows):
            self.class_scores = np.stack(self.class_rows)
        return self.class_scores


def _read_weights(path: str, attribute_count: int, label_count: int) -> tuple[np.ndarray, np.ndarray]:
    """State and transition weights from a CRFsuite model file (`crf1d_model.c`'s layout)."""
    with open(path, "rb") as handle:
        data = handle.read()
    magic, _, kind, _, _, labels, attributes, features_at = struct.unpack_from("<4sI4sIIIII", data, 0)
    if magic != b"lCRF" or kind != b"FOMC" or labels != label_count or attributes != attribute_count:
        raise ValueError(f"{path}: not a CRFsuite first-order model of {label_count} labels")
    chunk, _, count = struct.unpack_from("<4sII", data, features_at)
    if chunk != b"FEAT":
        raise ValueError(f"{path}: no feature table at {features_at}")
    features = np.frombuffer(
        data,
        dtype=np.dtype([("type", "<u4"), ("source", "<u4"), ("target", "<u4"), ("weight", "<f8")]),
        count=count,
        offset=features_at + 12,
    )
    state = np.zeros((attribute_count, label_count))
    transitions = np.zeros((label_count, label_count))
    for kind_id, table in ((_FEATURE_STATE, state), (_FEATURE_TRANSITION, transitions)):
        rows = features[features["type"] == kind_id]
        np.add.at(table, (rows["source"], rows["target"]), rows["weight"])
    return state, transitions


def _dumped_names(section: str, dump: str) -> list[str]:
    """Names of one section of a CRFsuite model dump (`    id: name` lines), in id order.

    A name may hold a line break (`endsinpunc:` followed by one), so a name runs to the next id.
    """
    body = dump.split(f"\n{section} = {{\n", 1)[1].split("\n}\n", 1)[0] + "\n"
    starts = list(re.finditer(r"^ +(\d+): ", body, flags=re.MULTILINE))
    if [int(found.group(1)) for found in starts] != list(range(len(starts))):
        raise ValueError(f"model dump: {section} ids are not 0..n-1")
    ends = [found.start() for found in starts[1:]] + [len(body)]
    return [body[found.end() : end - 1] for found, end in zip(starts, ends, strict=True)]


@cache
def _model() -> _Model | None:
    """The tagger's weights, or None when the model file's layout is not the one read here."""
    try:
        with tempfile.TemporaryDirectory() as folder:
            dump_path = os.path.join(folder, "model.txt")
            usaddress.TAGGER.dump(dump_path)
            with open(dump_path, encoding="utf-8") as handle:
                dump = handle.read()
        labels = _dumped_names("LABELS", dump)
        attributes = _dumped_names("ATTRIBUTES", dump)
        if labels != list(usaddress.TAGGER.labels()):
            raise ValueError("model dump: labels differ from the tagger's")
        state, transitions = _read_weights(usaddress.MODEL_PATH, len(attributes), len(labels))
    except (ValueError, IndexError, OSError, struct.error):
        return None
    return _Model(labels, {name: i for i, name in enumerate(attributes)}, state, transitions)


def _decode(model: _Model, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best label path of each sequence of token classes (one row each) and its smallest margin.

    The margin is how much the path's worst choice (its last label, and each label's best
    predecessor along the path) wins by over the runner-up.
    """
    count, length = classes.shape
    scores = model.scores()[classes]  # (sequence, position, as itself/previous/next, label)
    emission = scores[:, :, 0].copy()
    emission[:, 0] += model.attribute_scores(model.known([_START]))
    emission[:, -1] += model.attribute_scores(model.known([_END]))
    if length > 1:
        emission[:, 1:] += scores[:, :-1, 1]
        emission[:, :-1] += scores[:, 1:, 2]
        emission[:, 1] += model.attribute_scores(model.known([_AFTER_START]))
        emission[:, -2] += model.attribute_scores(model.known([_BEFORE_END]))
    incoming = np.ascontiguousarray(model.transitions.T)  # (to, from): the reduced axis is contiguous
    best = np.empty((count, length, len(model.labels)))
    back = np.empty((count, length, len(model.labels)), dtype=np.intp)
    best[:, 0] = emission[:, 0]
    for position in range(1, length):
        paths = best[:, position - 1, None, :] + incoming  # (sequence, to, from)
        back[:, position] = paths.argmax(axis=2)
        best[:, position] = np.take_along_axis(paths, back[:, position, :, None], axis=2)[:, :, 0]
        best[:, position] += emission[:, position]
    rows = np.arange(count)
    path = np.empty((count, length), dtype=np.intp)
    path[:, -1] = best[:, -1].argmax(axis=1)
    for position in range(length - 1, 0, -1):
        path[:, position - 1] = back[rows, position, path[:, position]]
    ends = np.sort(best[:, -1], axis=1)
    margin = ends[:, -1] - ends[:, -2]
    if length > 1:
        # Each chosen label's scores over its possible predecessors, on the path only.
        chosen = best[:, :-1] + incoming[path[:, 1:]]  # (sequence, position, from)
        top_two = np.partition(chosen, -2, axis=2)[:, :, -2:]
        margin = np.minimum(margin, (top_two[:, :, 1] - top_two[:, :, 0]).min(axis=1))
    return path, margin


def _known_paths(model: _Model, sequences: dict[tuple[int, ...], list[str]]) -> None:
    """Decode the class sequences not seen before; a near tie is left to `pycrfsuite`."""
    fresh = [sequence for sequence in sequences if sequence not in model.paths]
    if len(model.paths) + len(fresh) > _PATH_CACHE_SIZE:
        model.paths.clear()
        fresh = list(sequences)
    by_length: dict[int, list[tuple[int, ...]]] = {}
    for sequence in fresh:
        by_length.setdefault(len(sequence), []).append(sequence)
    for group in by_length.values():
        for start in range(0, len(group), _BLOCK):
            block = group[start : start + _BLOCK]
            path, margin = _decode(model, np.array(block, dtype=np.intp))
            for sequence, label_ids, clear in zip(block, path.tolist(), (margin > _TIE_MARGIN).tolist(), strict=True):
                model.paths[sequence] = tuple(label_ids) if clear else None
    for sequence, tokens in sequences.items():
        if model.paths[sequence] is None:
            model.paths[sequence] = tuple(model.labels.index(label) for label in _crfsuite_labels(tokens))


def _classes(model: _Model, tokens: list[str]) -> tuple[int, ...]:
    try:
        return tuple([model.token_classes[token] for token in tokens])
    except KeyError:
        return tuple([model.token_class(token) for token in tokens])


def parse_many(addresses: Sequence[str]) -> list[list[tuple[str, str]]]:
    """(token, label) pairs of each address, the same as `usaddress.parse` gives."""
    tokenized = [usaddress.tokenize(address) for address in addresses]
    model = _model()
    if model is None:
        return [list(zip(tokens, _crfsuite_labels(tokens), strict=True)) if tokens else [] for tokens in tokenized]
    sequences = [_classes(model, tokens) for tokens in tokenized]
    _known_paths(model, {sequence: tokens for sequence, tokens in zip(sequences, tokenized, strict=True) if tokens})
    labels = model.labels
    return [
        [(token, labels[j]) for token, j in zip(tokens, model.paths[sequence], strict=True)] if tokens else []
        for tokens, sequence in zip(tokenized, sequences, strict=True)
    ]


def parse(address: str) -> list[tuple[str, str]]:
    """(token, label) pairs, the same as `usaddress.parse(address)`."""
    return parse_many([address])[0]
