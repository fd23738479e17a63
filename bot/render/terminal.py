"""Reply -> rich renderables for the console chat."""

from __future__ import annotations

import re

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table as RichTable
from rich.text import Text

from bot.messages import (
    Buttons,
    Citations,
    Context,
    Divider,
    Fields,
    Header,
    Image,
    Reply,
    Section,
    Table,
)


_SLACK_BOLD = re.compile(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])")


def _markdown(text: str) -> Markdown:
    """Skills write Slack-style markdown: ``*bold*`` and one item per line; keep both in the terminal."""
    converted = _SLACK_BOLD.sub(r"**\1**", text)
    return Markdown(converted.replace("\n", "  \n"))


def render_reply(reply: Reply) -> RenderableType:
    """The whole reply as one renderable; buttons are listed with the command that presses them."""
    parts: list[RenderableType] = []
    for block in reply.blocks:
        if isinstance(block, Header):
            parts.append(Text(block.text, style="bold cyan"))
        elif isinstance(block, Section):
            parts.append(_markdown(block.text))
        elif isinstance(block, Fields):
            grid = RichTable.grid(padding=(0, 2))
            grid.add_column(style="bold")
            grid.add_column()
            for label, value in block.items:
                grid.add_row(label, value)
            parts.append(grid)
        elif isinstance(block, Table):
            table = RichTable(title=block.title, show_lines=False)
            for column in block.columns:
                table.add_column(column)
            for row in block.rows:
                table.add_row(*row)
            parts.append(table)
        elif isinstance(block, Buttons):
            line = Text()
            for b in block.buttons:
                line.append(f"[{b.text}]", style="reverse")
                line.append(f" !{b.action_id} {b.value}  ".rstrip() + "   ", style="dim")
            parts.append(line)
        elif isinstance(block, Image):
            parts.append(Text(f"🖼  {block.alt}: {block.path}", style="magenta"))
        elif isinstance(block, Citations):
            cites = Text("来源：" if reply.language == "zh" else "Sources: ", style="dim")
            for i, c in enumerate(block.items, 1):
                cites.append(f"[{i}] {c.title} ({c.source})  ", style="dim")
            parts.append(cites)
        elif isinstance(block, Context):
            parts.append(Text(block.text, style="dim"))
        elif isinstance(block, Divider):
            parts.append(Rule(style="dim"))
    if not parts:
        parts.append(Text(reply.text))
    return Panel(Group(*parts), title=f"DealPilot · {reply.skill or ''}", title_align="left", border_style="cyan")
