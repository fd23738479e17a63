"""DingTalk adapter: DealPilot as a Stream-mode robot (``dealpilot dingtalk``).

Modules: ``app`` (wiring and the answering worker), ``client`` (the SDK stream client, pointed at
the configured API URL, with a watchdog), ``handlers`` (ack fast), ``events`` (callback ->
``Message``), ``sender`` (``Reply`` -> webhook / OpenAPI / cards), ``cards`` (AI cards), ``api``
and ``token`` (HTTP, retries, access token), ``contacts`` (staff id -> email), ``cli`` and
``bench``. Heavy imports stay in those modules so that importing this package is cheap.
"""
