"""``checkworthy studio start|stop|status|add-annotator``: a local Label Studio server."""

from __future__ import annotations

import argparse
import json

from checkworthy.builder import studio
from checkworthy.cli.base import PORT, Command
from checkworthy.schemas.errors import InputError


class StudioCommand(Command):
    name = "studio"
    help = "run a local Label Studio server (own venv, 127.0.0.1 only, known token)"
    description = (
        "Run a local Label Studio server. On first use Label Studio is installed into its own "
        "virtual environment ($CHECKWORTHY_STUDIO_VENV or ~/.cache/checkworthy/label-studio-<version>), "
        "and the studio's data dir gets an admin user with a random password and API token, "
        "written to files of mode 0600 (never printed). The server listens on 127.0.0.1 only, "
        "with its version check, Sentry and analytics off."
    )
    epilog = (
        "examples:\n"
        "  checkworthy studio start                      # http://127.0.0.1:8080, data in .checkworthy/studio\n"
        "  checkworthy studio start --port 0             # any free port\n"
        "  checkworthy studio status --json\n"
        "  checkworthy studio add-annotator ann@example.org\n"
        "  checkworthy studio add-annotator ann@example.org --reset-password   # a new password; the old one stops working\n"
        "  checkworthy studio stop\n"
    )
    order = 20

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("action", choices=["start", "stop", "status", "add-annotator"], help="what to do")
        parser.add_argument("email", nargs="?", help="the annotator's e-mail (add-annotator only)")
        parser.add_argument("--data-dir", help="the studio's directory (default $CHECKWORTHY_STUDIO_DIR or .checkworthy/studio)")
        parser.add_argument("--port", type=PORT, help="port on 127.0.0.1 (start only; default 8080, 0 for any free port)")
        parser.add_argument("--venv", help="Label Studio's virtual environment (default $CHECKWORTHY_STUDIO_VENV "
                                           "or ~/.cache/checkworthy/label-studio-<version>)")
        parser.add_argument("--json", action="store_true", help="status: print JSON")
        parser.add_argument("--name", metavar="'FIRST LAST'",
                            help="add-annotator: the name Label Studio shows (default: from the e-mail, e.g. ann.lee@... -> Ann Lee; "
                                 "an existing annotator keeps their name unless this is given)")
        parser.add_argument("--reset-password", action="store_true",
                            help="add-annotator: give the annotator a new password (the old one stops working); "
                                 "without it an existing annotator keeps theirs")

    def run(self, args: argparse.Namespace) -> int:
        data_dir = args.data_dir or studio.default_data_dir()
        if args.action != "add-annotator" and args.email:
            raise InputError(f"unexpected argument {args.email!r}: only 'studio add-annotator EMAIL' takes an e-mail")
        if args.action != "add-annotator" and args.reset_password:
            raise InputError("--reset-password goes with 'checkworthy studio add-annotator EMAIL --reset-password'")
        if args.action == "start":
            state = studio.start(data_dir, port=args.port, venv=args.venv)
            where = studio.Studio(data_dir)
            print(f"Label Studio is running at {state['url']} (pid {state['pid']})")
            print(f"  log in as {studio.ADMIN_EMAIL}; the password is in {where.password_file}")
            print(f"  API token file: {where.token_file}")
            print("  stop it with: checkworthy studio stop" + (f" --data-dir {args.data_dir}" if args.data_dir else ""))
        elif args.action == "stop":
            stopped = studio.stop(data_dir)
            print("Label Studio stopped" if stopped else f"no Label Studio was running for {studio.Studio(data_dir).data_dir}")
        elif args.action == "status":
            state = studio.status(data_dir)
            if args.json:
                print(json.dumps(state, sort_keys=True))
            elif state["running"]:
                print(f"running at {state['url']} (pid {state['pid']}), data in {state['data_dir']}")
            else:
                print(f"not running (data in {state['data_dir']})")
        else:
            if not args.email:
                raise InputError("studio add-annotator needs an e-mail: checkworthy studio add-annotator ann@example.org")
            account = studio.add_annotator(data_dir, args.email, venv=args.venv, name=args.name,
                                           reset_password=args.reset_password)
            if account.password_changed:
                print(f"annotator {args.email} has a new password (the old one no longer works); it is in {account.password_file}")
            elif account.created:
                print(f"annotator {args.email} can log in; the password is in {account.password_file}")
            else:
                print(f"annotator {args.email} already exists; their password is unchanged, in {account.password_file} "
                      "(a new one only with --reset-password)")
        return 0
