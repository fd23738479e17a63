"""Local peers that speak third-party wire protocols (Slack Web API + Socket Mode, ...).

They run real servers on 127.0.0.1 with ephemeral ports, so the real SDK clients are exercised
end to end. Tests import them as ``peers.<name>`` (pytest puts ``tests/`` on ``sys.path``); the
benchmarks add the repository's ``tests/`` directory to ``sys.path`` explicitly.
"""
