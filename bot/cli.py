"""``dealpilot``: the command line, and the scripting interface to every skill.

Sub-commands owned by other packages are mounted from the table below and imported only when
their package is installed; those modules keep heavy imports (chromadb, langchain) inside
functions so that ``dealpilot ask`` starts fast.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import uuid
from typing import Any, Optional

import typer

import bot  # noqa: F401  (telemetry-off environment defaults)

app = typer.Typer(no_args_is_help=True, add_completion=False, help="DealPilot: the chat-native sales copilot.")
bench_app = typer.Typer(no_args_is_help=True, help="Benchmarks that print latency and memory numbers.")
eval_app = typer.Typer(help="Evaluations: answer quality, retrieval, role-play scoring.")
app.add_typer(bench_app, name="bench")

# (name, "module:attribute") of Typer sub-apps and single commands provided by other packages.
SUB_APPS: tuple[tuple[str, str], ...] = (
    ("crm", "integrations.crm.cli:app"),
    ("kb", "knowledge.cli:app"),
    ("rules", "skills.alerts.cli:app"),
    ("roleplay", "skills.roleplay.cli:app"),
    ("warroom", "skills.warroom.cli:app"),
)
TOP_COMMANDS: tuple[tuple[str, str], ...] = (
    ("slack", "bot.adapters.slack.cli:run_slack"),
    ("serve", "bot.adapters.slack.cli:serve"),
    ("dingtalk", "bot.adapters.dingtalk.cli:run_dingtalk"),
)
BENCH_COMMANDS: tuple[tuple[str, str], ...] = (
    ("insight", "bot.bench:bench_insight"),
    ("kb", "knowledge.bench:bench_kb"),
    ("slack", "bot.adapters.slack.bench:bench_slack"),
    ("dingtalk", "bot.adapters.dingtalk.bench:bench_dingtalk"),
    ("rules", "skills.alerts.bench:bench_rules"),
)
EVAL_COMMANDS: tuple[tuple[str, str], ...] = (
    ("retrieval", "knowledge.evaluation:eval_retrieval"),
    ("roleplay", "skills.roleplay.calibration:eval_roleplay"),
)


def _load(target: str) -> Any | None:
    module_name, attr = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise
    return getattr(module, attr)


_mounted = False
CORE_COMMANDS = frozenset({"config", "migrate", "demo", "chat", "ask"})


def _mount(command: str | None = None) -> None:
    """Attach the other packages' commands (once per process).

    For a core command (``dealpilot ask ...``) nothing is imported: loading every package's CLI
    costs about a second, which a one-shot ``ask`` from a script should not pay.
    """
    global _mounted
    if _mounted or command in CORE_COMMANDS:
        return
    _mounted = True
    for name, target in SUB_APPS:
        sub = _load(target)
        if sub is not None:
            app.add_typer(sub, name=name)
    for name, target in TOP_COMMANDS:
        func = _load(target)
        if func is not None:
            app.command(name)(func)
    for name, target in BENCH_COMMANDS:
        func = _load(target)
        if func is not None:
            bench_app.command(name)(func)
    for name, target in EVAL_COMMANDS:
        func = _load(target)
        if func is not None:
            eval_app.command(name)(func)
    conversations = _load("evals.runner:eval_conversations")
    if conversations is not None:
        eval_app.callback(invoke_without_command=True)(conversations)
    app.add_typer(eval_app, name="eval")


def _runtime():  # type: ignore[no-untyped-def]
    from bot.logging_setup import configure_logging
    from bot.runtime import Runtime

    configure_logging()
    return Runtime()


@app.command()
def config() -> None:
    """Print the effective settings, secrets masked."""
    from bot.config import get_settings

    typer.echo(json.dumps(get_settings().masked(), indent=2, ensure_ascii=False, default=str))


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    from bot.config import get_settings
    from bot.store import Store

    Store.open(get_settings().resolved_database_url).dispose()
    typer.echo("schema up to date")


@app.command()
def demo(
    chat: bool = typer.Option(True, "--chat/--no-chat", help="Open the console chat after seeding."),
    as_user: str = typer.Option("li.na", "--as", help="Who you are in the console chat."),
    force: bool = typer.Option(False, help="Re-seed even if the demo company already exists."),
) -> None:
    """Seed the bilingual demo company (and its case library), then open the console chat."""
    from bot.demo_setup import seed_demo_workspace

    runtime = _runtime()
    seed_demo_workspace(runtime, force=force)
    if chat:
        from bot.adapters.console import run_chat

        run_chat(runtime, as_user=as_user)


@app.command()
def chat(as_user: str = typer.Option(..., "--as", help="CRM user id, e.g. li.na or admin.")) -> None:
    """Interactive console chat as USER."""
    from bot.adapters.console import run_chat

    run_chat(_runtime(), as_user=as_user)


@app.command()
def ask(
    text: str = typer.Argument(..., help="The message, e.g. 'ACME 最近怎么样?' or '/insight ACME'."),
    as_user: str = typer.Option(..., "--as", help="CRM user id."),
    channel: str = typer.Option("console", help="Channel id (war-room questions use the room's channel)."),
    thread: Optional[str] = typer.Option(None, help="Thread id, to continue a conversation across calls "
                                         "(default: a new conversation each call)."),
    as_json: bool = typer.Option(False, "--json", help="Print the reply as JSON."),
) -> None:
    """Send one message and print the reply (the scripting interface)."""
    from bot.adapters.console import console_message, print_reply

    runtime = _runtime()
    started = time.perf_counter()
    reply = runtime.handle(console_message(text, user=as_user, channel=channel, thread=thread or f"ask-{uuid.uuid4().hex[:12]}"))
    elapsed = (time.perf_counter() - started) * 1000
    if as_json:
        typer.echo(json.dumps(reply.to_json(elapsed_ms=elapsed), ensure_ascii=False, indent=2))
    else:
        print_reply(reply)


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    _mount(args[0] if args else None)
    app(args=args, prog_name="dealpilot")


if __name__ == "__main__":
    main()
