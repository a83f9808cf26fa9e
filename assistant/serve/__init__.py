"""``assistant serve``: cited answers for any chat client (an OpenAI-compatible API) and a small web page.

The routes call the same library as the CLI (``Answerer``, ``write_brief``, ``Verifier``) through one
``Engine`` loaded at start-up, and run every job on a bounded ``Pool``, so a burst waits or gets 429.
"""
