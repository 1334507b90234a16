"""Loading the project's YAML data files (knowledge front matter, dialogue examples, training data).

PyYAML's pure-Python loader takes over a second on the dialogue's training data; its libyaml
binding (in every PyYAML wheel) takes milliseconds. Same safe subset either way.
"""

from __future__ import annotations

import yaml


def load_yaml(text: str):
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
