"""What keeps the product safe to show and to store, in one place.

- `markdown`: the one sanitiser for every text the page, the CLI and the Markdown
  export render (the model's reply, knowledge passages, the user's own words): no
  remote images, no raw HTML, links shown as text with their host.
- `redaction`: the one set of secret patterns (API keys, tokens, URL credentials,
  the configured keys themselves), used by logs, the journal, exports and errors.
- `injection`: the second layer of the prompt-injection guard, scoring a message's
  sentences by embedding similarity to injection exemplars (`injection_exemplars.txt`).
- `leaks`: the check that a model's answer does not repeat the system prompt, applied
  while the answer streams.

Nothing here imports heavy libraries at import time.
"""
