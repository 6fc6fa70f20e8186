"""``bakohumas``: the operator's command line."""
import argparse
import json
import os
import sys
import warnings
from datetime import datetime

from bakohumas import __version__
from services import SERVICE_NAMES
from shared.config import database_url, load_config, public_base_url

# eventlet (imported with nameko) announces that it is in bugfix-only mode; the runner's output
# stays free of it, as the processes' logs are (bakohumas.process).
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")


def cmd_run(args):
    from bakohumas.stack import run
    return run(instances=args.instances)


def cmd_serve(args):
    from shared.db import migrate
    if args.migrate and args.name != "gateway":
        config = load_config()
        migrate(args.name, database_url(config, args.name), forum_zone=config.get("FORUM_TIMEZONE"))
    os.execv(sys.executable, [sys.executable, "-m", "bakohumas.process", args.name])


def cmd_migrate(args):
    from bakohumas.stack import migrate_all
    migrate_all(load_config())
    print("bakohumas: every service database is at its latest revision")
    return 0


def cmd_makemigration(args):
    """Write the next alembic revision of a service from the difference between its models and its migrations."""
    import tempfile
    from pathlib import Path

    from alembic import command
    from shared.db import alembic_config

    versions = Path(__file__).resolve().parent.parent / "services" / args.service / "migrations"
    number = 1 + max((int(p.name[:4]) for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py")), default=0)
    with tempfile.TemporaryDirectory() as scratch:
        cfg = alembic_config(args.service, f"sqlite:///{scratch}/scratch.db")
        command.upgrade(cfg, "head")
        command.revision(cfg, message=args.message, autogenerate=True, rev_id=f"{number:04d}")
    return 0


def bootstrap_forum(data, admin):
    """The first coordinator of a forum and its first admin account, made directly in the directory
    database: ``(agency, key, invited)`` (``invited``: the account and its one-time link token)."""
    from services.directory import domain, models
    from shared.db import Store, migrate, utcnow

    url = database_url(load_config(), "directory")
    migrate("directory", url)
    store = Store(url, models)
    try:
        with store.unit_of_work() as uow:
            now = utcnow()
            agency, _key, secret = domain.bootstrap_forum(uow, data, now)
            invited = domain.invite_first_admin(uow, agency.id, admin, now)
    finally:
        store.dispose()
    return agency, secret, invited


def invitation_link(token):
    """The console page where an invited person sets a password (``PUBLIC_URL``-based)."""
    from gateway.pages.console.session import invite_link
    return invite_link(public_base_url(load_config()), token)


def print_refusal(exc, hint=""):
    print(f"bakohumas: {exc.message} {json.dumps(exc.fields) if exc.fields else ''}".rstrip() + hint,
          file=sys.stderr)


def cmd_bootstrap(args):
    from services.directory.domain.accounts import INVITE_HOURS
    from shared.errors import DomainError

    data = {"name": args.name, "short_name": args.short_name, "kind": args.kind}
    if args.region_code:
        data["region_code"] = args.region_code
    admin = {"name": args.admin_name, "email": args.admin_email}
    try:
        agency, secret, invited = bootstrap_forum(data, admin)
    except DomainError as exc:
        print_refusal(exc)
        return 1
    link = invitation_link(invited.invite_token)
    if args.json:
        print(json.dumps({"agency_id": agency.id, "api_key": secret, "admin_account_id": invited.account.id,
                          "console_link": link}))
    else:
        print(f"Coordinator {agency.short_name} ({agency.id}) created.\n"
              f"Its API key, shown only this once:\n\n    {secret}\n\n"
              f"Use it as 'Authorization: Bearer <key>'.\n\n"
              f"Its first admin, {invited.account.name}, sets a password for the console at this one-time link\n"
              f"(valid {INVITE_HOURS} hours, shown only this once):\n\n    {link}")
    return 0


def cmd_demo(args):
    from bakohumas import demo
    from shared.errors import DomainError

    url = args.url or f"http://{load_config()['WEB_SERVER_ADDRESS']}"

    def make_coordinator(data):
        agency, secret, invited = bootstrap_forum(data, demo.COORDINATOR_ADMIN)
        return agency.id, secret, {**demo.COORDINATOR_ADMIN, "console_link": invitation_link(invited.invite_token)}

    try:
        made, present = demo.load(url, args.key, make_coordinator)
    except DomainError as exc:
        print_refusal(exc, "; to load the demo into this forum, give a coordinator's key with --key")
        return 1
    except demo.DemoFailed as exc:
        print(f"bakohumas demo: {exc}", file=sys.stderr)
        return 1
    try:
        filed = demo.file_information_requests(url, made)
    except demo.DemoFailed as exc:
        print(f"bakohumas demo: the forum is loaded, but not its information requests: {exc}", file=sys.stderr)
        filed = []
    demo.report(url, made, present, args.json, information_requests=filed)
    return 0


def cmd_import_members(args):
    """Preview (or with --apply import) a member list through the running gateway, as the console does."""
    import requests

    from bakohumas.member_list import print_plan

    key = args.key or os.environ.get("BAKOHUMAS_KEY")
    if not key:
        print("bakohumas import-members: give a coordinator's key with --key or BAKOHUMAS_KEY", file=sys.stderr)
        return 2
    url = args.url or f"http://{load_config()['WEB_SERVER_ADDRESS']}"
    with open(args.file, "rb") as member_list:
        answer = requests.post(f"{url}/api/v1/agencies/import", params={"dry_run": "false" if args.apply else "true"},
                               headers={"Authorization": f"Bearer {key}"}, timeout=300,
                               files={"file": (os.path.basename(args.file), member_list)})
    if answer.status_code != 200:
        error = answer.json().get("error", {}) if answer.headers.get("Content-Type", "").startswith(
            "application/json") else {}
        print(f"bakohumas import-members: {error.get('message') or answer.status_code} "
              f"{json.dumps(error.get('fields')) if error.get('fields') else ''}".rstrip(), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(answer.json(), ensure_ascii=False))
    else:
        print_plan(answer.json())
    return 0


def cmd_dead_letters(args):
    from shared.messaging import DeadLetters
    letters = DeadLetters(load_config()["AMQP_URI"])
    if args.action == "list":
        rows = letters.list(args.reveal)
        if args.json:
            print(json.dumps(rows, indent=2, default=str))
        elif not rows:
            print("no dead letters")
        else:
            for row in rows:
                error = (row["error"] or "").strip().splitlines()[-1:] or [""]
                print(f"{row['id']}  {row['event'] or '?':28} {row['queue']}  attempts={row['attempts']}  {error[0]}")
        return 0
    if args.action == "show":
        rows = [row for row in letters.list(args.reveal) if row["id"] in args.ids]
        print(json.dumps(rows, indent=2, default=str))
        return 0 if rows else 1
    if args.action == "replay":
        done = letters.replay(args.ids or None)
        print(f"replayed {len(done)} dead letter(s)")
        return 0
    done = letters.discard(args.ids)
    print(f"discarded {len(done)} dead letter(s)")
    return 0


def cmd_digests(args):
    from nameko.standalone.rpc import ClusterRpcProxy

    from shared.db import utcnow
    at = datetime.fromisoformat(args.at) if args.at else utcnow()
    if at.tzinfo is None:
        raise SystemExit("--at needs an offset, e.g. 2026-12-04T07:00:00+08:00")
    with ClusterRpcProxy(load_config(), timeout=60) as rpc:
        built = rpc.notifications.send_digests(at.isoformat())["built"]
    print(f"built {built} digest(s)")
    return 0


def cmd_backup(args):
    from bakohumas import backup
    try:
        path, manifest = backup.backup(load_config(), args.dir)
    except backup.BackupRefused as exc:
        print(f"bakohumas backup: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"bakohumas backup: {len(manifest['entries'])} entries written", file=sys.stderr)
    print(path)
    return 0


def cmd_restore(args):
    from bakohumas import backup
    try:
        if args.check:
            manifest = backup.verify(args.archive)
            print(f"bakohumas restore: {args.archive} is whole: {len(manifest['entries'])} entries "
                  f"from {manifest['created_at']}")
            return 0
        manifest = backup.restore(load_config(), args.archive)
    except backup.BackupRefused as exc:
        print(f"bakohumas restore: refused, nothing changed: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"bakohumas restore: the system's data is now as it was at {manifest['created_at']} "
          f"({len(manifest['entries'])} entries); start it again")
    return 0


def parser():
    top = argparse.ArgumentParser(prog="bakohumas", description="Operate a Bakohumas Hub.")
    top.add_argument("--version", action="version", version=f"bakohumas-hub {__version__}")
    sub = top.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run every service and the gateway on this machine")
    run.add_argument("--instances", type=int, default=1, help="instances of each service (default 1)")
    run.set_defaults(func=cmd_run)

    serve = sub.add_parser("serve", help="run one process (a service or the gateway), e.g. in a container")
    serve.add_argument("name", choices=[*SERVICE_NAMES, "gateway"])
    serve.add_argument("--migrate", action="store_true", help="bring its database up to date first")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="bring every service database up to date").set_defaults(func=cmd_migrate)

    mig = sub.add_parser("makemigration", help="(developers) write a service's next migration from its models")
    mig.add_argument("service", choices=SERVICE_NAMES)
    mig.add_argument("message")
    mig.set_defaults(func=cmd_makemigration)

    boot = sub.add_parser("bootstrap", help="create the first coordinator of a new forum and print its key")
    boot.add_argument("--name", required=True, help="e.g. 'Bagian Humas Pemerintah Kota Parepare'")
    boot.add_argument("--short-name", required=True, help="e.g. HUMAS-PAREPARE")
    boot.add_argument("--kind", default="opd")
    boot.add_argument("--region-code", help="Kemendagri region code, e.g. 73.72")
    boot.add_argument("--admin-name", required=True, help="the coordinator's first admin, e.g. 'Rina Wulandari'")
    boot.add_argument("--admin-email", required=True, help="that admin's email, with which they sign in")
    boot.add_argument("--json", action="store_true",
                      help='print {"agency_id", "api_key", "admin_account_id", "console_link"} only')
    boot.set_defaults(func=cmd_bootstrap)

    demo = sub.add_parser("demo", help="load a realistic forum (Bakohumas Parepare) through the running gateway")
    demo.add_argument("--url", help="the gateway (default: this machine's, from the config)")
    demo.add_argument("--key", help="a coordinator's key; without it the demo bootstraps the coordinator")
    demo.add_argument("--json", action="store_true", help="print the agencies and keys it made as JSON")
    demo.set_defaults(func=cmd_demo)

    members = sub.add_parser("import-members", help="preview (or --apply) the forum's member list (XLSX or CSV) "
                                                    "through the running gateway")
    members.add_argument("file", help="the member list, in the template's columns (GET /api/v1/agencies/import/template)")
    members.add_argument("--apply", action="store_true",
                         help="save the rows that pass (without it: only say what each row would do)")
    members.add_argument("--url", help="the gateway (default: this machine's, from the config)")
    members.add_argument("--key", help="a coordinator's API key (default: $BAKOHUMAS_KEY)")
    members.add_argument("--json", action="store_true", help="print the gateway's answer as JSON")
    members.set_defaults(func=cmd_import_members)

    save = sub.add_parser("backup", help="write every database and DATA_DIR file into one dated archive in DIR")
    save.add_argument("dir", help="the folder to write bakohumas-backup-<UTC time>.tar.gz into")
    save.set_defaults(func=cmd_backup)

    back = sub.add_parser("restore", help="put back the data of an archive made by `bakohumas backup` (stopped system)")
    back.add_argument("archive", help="a bakohumas-backup-*.tar.gz file")
    back.add_argument("--check", action="store_true", help="only check the archive is whole; change nothing")
    back.set_defaults(func=cmd_restore)

    dead = sub.add_parser("dead-letters", help="events that kept failing: list, show, replay, discard")
    dead.add_argument("action", choices=["list", "show", "replay", "discard"])
    dead.add_argument("ids", nargs="*", help="dead-letter ids (replay without ids replays all)")
    dead.add_argument("--json", action="store_true")
    dead.add_argument("--reveal", action="store_true",
                      help="show personal data (reporter, name, phone, email) in payloads; redacted by default")
    dead.set_defaults(func=cmd_dead_letters)

    digests = sub.add_parser("digests", help="build now the daily digests due at a moment (each at most once a day)")
    digests.add_argument("--at", help="ISO 8601 with an offset (default: now); a digest is due at 07:00 in its zone")
    digests.set_defaults(func=cmd_digests)
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    if args.command == "dead-letters" and args.action in ("show", "discard") and not args.ids:
        parser().error("give the ids of the dead letters")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
