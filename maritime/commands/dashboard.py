"""`maritime users add|list|disable|enable` (dashboard accounts) and `maritime dashboard` (serve it)."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer
from rich.table import Table


class Role(str, Enum):
    officer = "officer"
    analyst = "analyst"
    admin = "admin"


def read_password(password_stdin: bool) -> str:
    """The first line of standard input, or a hidden prompt asked twice."""
    if password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


def register(app: typer.Typer) -> None:
    from maritime.cli import console, engine, handle_errors, out

    users = typer.Typer(help="Dashboard accounts: officer (view, acknowledge), analyst (also train, promote, roll "
                             "back models), admin (also accounts).", no_args_is_help=True)
    app.add_typer(users, name="users")

    @users.command("add")
    @handle_errors
    def users_add(
        name: Annotated[str, typer.Argument(help="Account name (1–64 characters).")],
        role: Annotated[Role, typer.Option(help="What the account may do.")] = Role.officer,
        password_stdin: Annotated[bool, typer.Option(
            "--password-stdin", help="Read the password from the first line of standard input instead of a "
                                     "prompt.")] = False,
        replace: Annotated[bool, typer.Option("--replace", help="Set a new role and password for an existing "
                                                                "account.")] = False,
    ) -> None:
        """Create a dashboard account; the password is stored only as a salted scrypt hash."""
        from maritime.accounts import check_password_policy, check_role, check_user_name
        from maritime.store.users import add_user

        check_user_name(name)
        check_role(role.value)
        password = read_password(password_stdin)
        check_password_policy(password)
        with engine().begin() as connection:
            user = add_user(connection, name, role.value, password, replace=replace)
        out.print(f"user {user.name} ({user.role}) {'updated' if replace else 'added'}")

    @users.command("list")
    @handle_errors
    def users_list() -> None:
        """Accounts, their roles and last sign-in."""
        from maritime.store.users import list_users

        with engine().connect() as connection:
            accounts = list_users(connection)
        if not accounts:
            out.print("no accounts yet: add one with `maritime users add NAME --role officer`")
            return
        table = Table("name", "role", "active", "created (UTC)", "last sign-in (UTC)", show_edge=False,
                      header_style="bold")
        for u in accounts:
            table.add_row(u.name, u.role, "yes" if u.active else "no", f"{u.created_at:%Y-%m-%d %H:%M}",
                          f"{u.last_login:%Y-%m-%d %H:%M}" if u.last_login else "never")
        out.print(table)

    def _set_active(name: str, active: bool) -> None:
        from maritime.store.users import set_active

        with engine().begin() as connection:
            set_active(connection, name, active)
        out.print(f"user {name} {'enabled' if active else 'disabled'}")

    @users.command("disable")
    @handle_errors
    def users_disable(name: Annotated[str, typer.Argument(help="Account name.")]) -> None:
        """Stop an account from signing in (its open sessions end at their next request)."""
        _set_active(name, False)

    @users.command("enable")
    @handle_errors
    def users_enable(name: Annotated[str, typer.Argument(help="Account name.")]) -> None:
        """Let a disabled account sign in again."""
        _set_active(name, True)

    @app.command()
    @handle_errors
    def dashboard(
        host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 for every interface).")] =
        "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8050,
    ) -> None:
        """Serve the officers' dashboard (sign in with an account from `maritime users add`)."""
        serve_dashboard(engine(), host, port, console)


DEMO_ACCOUNTS = (("demo-officer", "officer"), ("demo-analyst", "analyst"))


def demo_accounts(store) -> list[tuple[str, str, str]]:
    """(Re)create the demo officer and analyst with fresh random passwords; returns (name, role, password)."""
    from maritime.accounts import random_password
    from maritime.store.users import add_user

    made = []
    with store.begin() as connection:
        for name, role in DEMO_ACCOUNTS:
            password = random_password()
            add_user(connection, name, role, password, replace=True)
            made.append((name, role, password))
    return made


def serve_dashboard(store, host: str, port: int, console) -> None:
    """Serve the dashboard over ``store`` until interrupted (also the end of `maritime demo`)."""
    from dashboards import create_app, serve
    from maritime.cli import labelled
    from maritime.store.db import safe_url
    from maritime.store.users import list_users

    with store.connect() as connection:
        if not list_users(connection):
            console.print(labelled("warning:", "yellow", "no dashboard accounts yet; add one with "
                                                         "`maritime users add NAME --role officer`"), highlight=False)
    app = create_app(engine=store)
    console.print(f"dashboard for {safe_url(store)} on http://{host}:{port}/ (Ctrl-C to stop)", highlight=False)
    try:
        serve(app, host=host, port=port)
    except KeyboardInterrupt:
        console.print("dashboard stopped", highlight=False)
