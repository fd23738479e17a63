"""The console adapter: ``dealpilot chat`` (a REPL) and ``dealpilot ask`` (one message).

Buttons are pressed by typing ``!<action_id> <value>`` (the renderer prints them that way);
slash commands work as in Slack (``/insight ACME``).
"""

from __future__ import annotations

import uuid

from rich.console import Console

from bot.messages import Action, Message, Reply
from bot.render.terminal import render_reply
from bot.runtime import Runtime

_console = Console()


def console_message(
    text: str, *, user: str, channel: str = "console", thread: str | None = None, is_direct: bool = True
) -> Message:
    """Parse console input into a ``Message``: ``/cmd args``, ``!action value`` or free text."""
    stripped = text.strip()
    if stripped.startswith("!") and len(stripped) > 1:
        action_id, _, value = stripped[1:].partition(" ")
        return Message(platform="console", channel=channel, thread=thread, user=user, is_direct=is_direct,
                       action=Action(action_id=action_id, value=value.strip()))
    if stripped.startswith("/") and len(stripped) > 1 and not stripped.startswith("//"):
        command, _, args = stripped[1:].partition(" ")
        if command == "dealpilot" and args.strip():
            command, _, args = args.strip().partition(" ")
        return Message(platform="console", channel=channel, thread=thread, user=user, is_direct=is_direct,
                       text=text, command=command.lower(), args=args.strip())
    return Message(platform="console", channel=channel, thread=thread, user=user, is_direct=is_direct, text=text)


def print_reply(reply: Reply, console: Console | None = None) -> None:
    (console or _console).print(render_reply(reply))


def answer_live(runtime: Runtime, message: Message, console: Console) -> Reply:
    """Answer ``message``, showing the answer as it is written and what the agent is doing meanwhile.

    With the LLM engine the text streams in (``bot.streaming``); the offline engine answers at
    once and the live area simply closes. The finished reply is then printed with its blocks.
    """
    from rich.live import Live
    from rich.text import Text

    from bot.streaming import stream_to

    written: list[str] = []
    status: list[str] = []

    def view() -> Text:
        line = Text("".join(written))
        if status:
            line.append(f"\n… {status[-1]}", style="dim italic")
        return line

    with Live(view(), console=console, transient=True, refresh_per_second=12) as live:
        def on_delta(text: str) -> None:
            written.append(text)
            live.update(view())

        def on_status(text: str) -> None:
            status.append(text)
            live.update(view())

        with stream_to(on_delta=on_delta, on_status=on_status):
            reply = runtime.handle(message)
    return reply


def run_chat(runtime: Runtime, *, as_user: str, console: Console | None = None) -> None:
    """An interactive session; one thread per session so follow-ups keep their context."""
    out = console or _console
    viewer = runtime.crm.viewer_for(as_user)
    if viewer is None:
        out.print(f"[red]Unknown user '{as_user}'. Try: admin, li.na, zhao.lei, bob.smith (see docs/DEMO.md).[/red]")
        return
    thread = uuid.uuid4().hex[:12]
    out.print(f"[bold cyan]DealPilot[/] — signed in as [bold]{viewer.name or as_user}[/] ({viewer.role}). "
              "Try 'ACME 最近怎么样?' or 'brief me on Globex'; /help; Ctrl-D to quit.")
    while True:
        try:
            text = out.input("[bold green]› [/]")
        except (EOFError, KeyboardInterrupt):
            out.print()
            return
        if text.strip() in {"/quit", "/exit"}:
            return
        if not text.strip():
            continue
        print_reply(answer_live(runtime, console_message(text, user=as_user, thread=thread), out), out)
