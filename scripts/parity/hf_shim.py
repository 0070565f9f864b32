"""Run Hugging Face's own modeling_layoutlmv3.py without installing transformers.

The modeling file imports a handful of names from the rest of the transformers package
(ACT2FN, the ModelOutput classes, PreTrainedModel, apply_chunking_to_forward, auto_docstring,
logging, torch_int) and LayoutLMv3Config. This module registers small stand-ins for exactly
those under the module names the file's relative imports resolve to, then loads the file
itself as transformers.models.layoutlmv3.modeling_layoutlmv3. Only what LayoutLMv3Model's
forward and backward touch is reproduced, each as transformers defines it:

- ACT2FN["gelu"]: GELUActivation, i.e. torch.nn.functional.gelu (exact erf form).
- PreTrainedModel.init_weights: self.apply(self._init_weights).
- get_extended_attention_mask: mask[:, None, None, :], then (1 - mask) * finfo(dtype).min.
- get_head_mask(None, n): [None] * n.
- apply_chunking_to_forward with chunk size 0: forward_fn(*inputs).
- LayoutLMv3Config: the configuration_layoutlmv3.py defaults, overridden by the given keys,
  plus the PretrainedConfig attributes the model reads (output_attentions False,
  output_hidden_states False, use_return_dict True, chunk_size_feed_forward 0).
"""

import importlib.util
import logging as _logging
import sys
import types
from collections import OrderedDict

import torch
from torch import nn

HF_LAYOUTLMV3_DEFAULTS = dict(
    vocab_size=50265,
    hidden_size=768,
    num_hidden_layers=12,
    num_attention_heads=12,
    intermediate_size=3072,
    hidden_act="gelu",
    hidden_dropout_prob=0.1,
    attention_probs_dropout_prob=0.1,
    max_position_embeddings=512,
    type_vocab_size=2,
    initializer_range=0.02,
    layer_norm_eps=1e-5,
    pad_token_id=1,
    bos_token_id=0,
    eos_token_id=2,
    max_2d_position_embeddings=1024,
    coordinate_size=128,
    shape_size=128,
    has_relative_attention_bias=True,
    rel_pos_bins=32,
    max_rel_pos=128,
    rel_2d_pos_bins=64,
    max_rel_2d_pos=256,
    has_spatial_attention_bias=True,
    text_embed=True,
    visual_embed=True,
    input_size=224,
    num_channels=3,
    patch_size=16,
    classifier_dropout=None,
)


class LayoutLMv3Config:
    model_type = "layoutlmv3"

    def __init__(self, **kwargs):
        values = dict(HF_LAYOUTLMV3_DEFAULTS)
        values.update(kwargs)
        for k, v in values.items():
            setattr(self, k, v)
        # PretrainedConfig attributes LayoutLMv3Model reads
        self.output_attentions = kwargs.get("output_attentions", False)
        self.output_hidden_states = kwargs.get("output_hidden_states", False)
        self.use_return_dict = kwargs.get("return_dict", True)
        self.chunk_size_feed_forward = kwargs.get("chunk_size_feed_forward", 0)
        self.num_labels = kwargs.get("num_labels", 2)


class GELUActivation(nn.Module):
    def forward(self, x):
        return nn.functional.gelu(x)


class _Act2Fn(dict):
    def __getitem__(self, key):
        if key != "gelu":
            raise KeyError(f"hf_shim: only gelu is provided, got {key}")
        return GELUActivation()


class ModelOutput(OrderedDict):
    """Attribute and index access over the fields that are not None, as transformers' ModelOutput."""

    def __init__(self, **kwargs):
        super().__init__((k, v) for k, v in kwargs.items() if v is not None)
        self._all = kwargs

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._all.get(name)

    def __getitem__(self, k):
        if isinstance(k, str):
            return super().__getitem__(k)
        return tuple(self.values())[k]


class PreTrainedModel(nn.Module):
    config_class = None
    base_model_prefix = ""

    def __init__(self, config, *args, **kwargs):
        super().__init__()
        self.config = config

    def init_weights(self):
        self.apply(self._init_weights)

    def get_extended_attention_mask(self, attention_mask, input_shape, device=None, dtype=None):
        dtype = dtype if dtype is not None else torch.float32
        if attention_mask.dim() == 3:
            extended = attention_mask[:, None, :, :]
        elif attention_mask.dim() == 2:
            extended = attention_mask[:, None, None, :]
        else:
            raise ValueError(f"hf_shim: attention_mask of shape {tuple(attention_mask.shape)}")
        extended = extended.to(dtype=dtype)
        return (1.0 - extended) * torch.finfo(dtype).min

    def get_head_mask(self, head_mask, num_hidden_layers, is_attention_chunked=False):
        if head_mask is not None:
            raise NotImplementedError("hf_shim: head_mask is not supported")
        return [None] * num_hidden_layers


def apply_chunking_to_forward(forward_fn, chunk_size, chunk_dim, *input_tensors):
    if chunk_size > 0:
        raise NotImplementedError("hf_shim: chunked feed-forward is not supported")
    return forward_fn(*input_tensors)


def auto_docstring(obj=None, **kwargs):
    if obj is None:
        return lambda o: o
    return obj


def torch_int(x):
    return int(x)


def _module(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    m.__path__ = []  # let every stand-in act as a package for relative imports
    sys.modules[name] = m
    return m


def load_layoutlmv3(modeling_path):
    """Load HF's modeling_layoutlmv3.py from `modeling_path`; returns the module."""
    _module("transformers")
    _module("transformers.activations", ACT2FN=_Act2Fn(), GELUActivation=GELUActivation)
    _module(
        "transformers.modeling_outputs",
        ModelOutput=ModelOutput,
        BaseModelOutput=type("BaseModelOutput", (ModelOutput,), {}),
        QuestionAnsweringModelOutput=type("QuestionAnsweringModelOutput", (ModelOutput,), {}),
        SequenceClassifierOutput=type("SequenceClassifierOutput", (ModelOutput,), {}),
        TokenClassifierOutput=type("TokenClassifierOutput", (ModelOutput,), {}),
    )
    _module("transformers.modeling_utils", PreTrainedModel=PreTrainedModel)
    _module("transformers.pytorch_utils", apply_chunking_to_forward=apply_chunking_to_forward)
    hf_logging = types.SimpleNamespace(get_logger=_logging.getLogger)
    _module("transformers.utils", auto_docstring=auto_docstring, logging=hf_logging, torch_int=torch_int)
    _module("transformers.models")
    _module("transformers.models.layoutlmv3")
    _module("transformers.models.layoutlmv3.configuration_layoutlmv3", LayoutLMv3Config=LayoutLMv3Config)
    name = "transformers.models.layoutlmv3.modeling_layoutlmv3"
    spec = importlib.util.spec_from_file_location(name, modeling_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
