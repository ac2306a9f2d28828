"""``shouhu user``: accounts on the command line (add, list, passwd, disable, enable).

Accounts live in the service's database (``--db-url`` / ``SHOUHU_DB_URL``);
the facility file is read to check the facility and the staff member.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from alerting.store import IncidentStore
from api.accounts import AccountError, AccountStore, Role, check_staff_link
from shouhu.errors import ConfigError
from shouhu.facility import Facility, load_facility
from shouhu.settings import load_settings


def add_user_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    user = sub.add_parser("user", help="manage sign-in accounts (add, list, passwd, ...)")
    actions = user.add_subparsers(metavar="ACTION")

    add = actions.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--staff", help="the staff id in the facility file (nurses need one)")
    add.add_argument("--name", default="", help="display name (default: the staff name)")
    add.add_argument("--facility-id", help="which facility, when several files are given")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(func=_add)

    for name, helptext, func in (
        ("passwd", "set a new password (ends the user's sessions)", _passwd),
        ("disable", "refuse sign-in and end the user's sessions", _disable),
        ("enable", "allow sign-in again", _enable),
    ):
        action = actions.add_parser(name, help=helptext)
        action.add_argument("username")
        if name == "passwd":
            action.add_argument("--password-stdin", action="store_true")
        action.set_defaults(func=func)

    listing = actions.add_parser("list", help="list the accounts of a facility")
    listing.add_argument("--facility-id")
    listing.set_defaults(func=_list)

    for action in (add, listing, *(actions.choices[n] for n in ("passwd", "disable", "enable"))):
        action.add_argument("--facility", type=Path, action="append", help="env SHOUHU_FACILITY")
        action.add_argument("--db-url", help="env SHOUHU_DB_URL (default sqlite:///var/shouhu.db)")
        action.add_argument("--log-level", default="WARNING")


def _facilities(args: argparse.Namespace) -> tuple[str, list[Facility]]:
    settings = load_settings(facility=args.facility, db_url=args.db_url)
    if not settings.facility:
        raise ConfigError("no facility file: give --facility FILE or set SHOUHU_FACILITY")
    return settings.db_url, [load_facility(p) for p in settings.facility]


def _pick(facilities: list[Facility], wanted: str | None) -> Facility:
    if wanted is None:
        if len(facilities) > 1:
            raise ConfigError("several facilities: say which with --facility-id")
        return facilities[0]
    for facility in facilities:
        if facility.id == wanted:
            return facility
    raise ConfigError(f"no facility {wanted!r} in the given files")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise AccountError("no terminal to ask for a password: use --password-stdin")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise AccountError("the passwords differ")
    return first


def _with_accounts(db_url: str, work: Callable[[AccountStore], Awaitable[int]]) -> int:
    async def run() -> int:
        store = await IncidentStore.connect(db_url)
        try:
            return await work(AccountStore(store.engine))
        finally:
            await store.close()

    return asyncio.run(run())


def _add(args: argparse.Namespace) -> int:
    db_url, facilities = _facilities(args)
    facility = _pick(facilities, args.facility_id)
    role = Role(args.role)
    check_staff_link(facility, role, args.staff)
    member = facility.member(args.staff) if args.staff else None
    name = args.name or (member.name if member else args.username)
    password = _password(args.password_stdin)

    async def work(accounts: AccountStore) -> int:
        await accounts.add(
            args.username, password, facility=facility.id, role=role, staff=args.staff, name=name
        )
        print(f"added {args.username} ({role.value}) to {facility.id}")
        return 0

    return _with_accounts(db_url, work)


def _list(args: argparse.Namespace) -> int:
    db_url, facilities = _facilities(args)
    facility = _pick(facilities, args.facility_id)

    async def work(accounts: AccountStore) -> int:
        for user in await accounts.list(facility.id):
            state = " (disabled)" if user.disabled else ""
            print(f"{user.username}\t{user.role.value}\t{user.staff or '-'}\t{user.name}{state}")
        return 0

    return _with_accounts(db_url, work)


def _change(args: argparse.Namespace, change: Callable[[AccountStore], Awaitable[None]]) -> int:
    db_url, _ = _facilities(args)

    async def work(accounts: AccountStore) -> int:
        await change(accounts)
        print(f"{args.username}: done")
        return 0

    return _with_accounts(db_url, work)


def _passwd(args: argparse.Namespace) -> int:
    password = _password(args.password_stdin)
    return _change(args, lambda a: a.set_password(args.username, password))


def _disable(args: argparse.Namespace) -> int:
    return _change(args, lambda a: a.set_disabled(args.username, True))


def _enable(args: argparse.Namespace) -> int:
    return _change(args, lambda a: a.set_disabled(args.username, False))


DEMO_PASSWORD = "shouhu-demo"


async def add_demo_accounts(store: AccountStore, facility: Facility) -> list[tuple[str, str, str]]:
    """An account per nurse, charge nurse and manager (username = staff id), and ``admin``.

    All share ``DEMO_PASSWORD``: for the throw-away demo database only. Returns
    (username, role, name) of each.
    """
    roles = {"nurse": Role.NURSE, "charge_nurse": Role.CHARGE_NURSE, "manager": Role.MANAGER}
    made = []
    for member in facility.staff:
        role = roles.get(member.role)
        if role is None:
            continue
        await store.add(
            member.id, DEMO_PASSWORD, facility=facility.id, role=role, staff=member.id,
            name=member.name,
        )  # fmt: skip
        made.append((member.id, role.value, member.name))
    await store.add("admin", DEMO_PASSWORD, facility=facility.id, role=Role.ADMIN, name="Admin")
    made.append(("admin", Role.ADMIN.value, "Admin"))
    return made
