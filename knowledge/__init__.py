"""The knowledge base (markdown files), shipped inside the package as `assistant.knowledge_files`.

This file only makes the folder a resource package for `importlib.resources`; the
loader reads `*.md` and ignores it. See pyproject.toml's `package-dir`.
"""
