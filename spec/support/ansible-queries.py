#!/usr/bin/python3
# Many `ansible -i SOURCE PATTERN --list-hosts` and `ansible-inventory -i SOURCE --host HOST` runs in one Python
# process: each query calls the very entry point the command calls (AdHocCLI / InventoryCLI .cli_executor),
# with its own argv and working directory, and its stdout, stderr and exit code captured. One process instead of
# hundreds keeps the differential spec fast; the spec checks a sample against the real commands.
#
# stdin: JSON list of {"cwd", "args" (inventory and vault flags), "patterns": [...], "hosts": [...],
#        "vault": [ciphertext, ...]}; stdout: JSON list of {"patterns": [...], "hosts": [...], "vault": [...]},
#        each query {"rc", "stdout", "stderr"} (vault: {"plaintext"} or {"error"}).
import contextlib
import io
import json
import os
import sys

from ansible.cli import CLI
from ansible.cli.adhoc import AdHocCLI
from ansible.cli.inventory import InventoryCLI
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.vault import VaultLib
from ansible.utils.context_objects import GlobalCLIArgs
from ansible.utils.display import Display


def run(cli_class, argv):
    # Each command line parses into a fresh global CLIARGS, as in a new process (it is a singleton).
    GlobalCLIArgs._Singleton__instance = None
    display = Display()
    display._warns = {}
    display._errors = {}
    display._deprecations = {}
    out, err = io.StringIO(), io.StringIO()
    rc = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli_class.cli_executor(argv)
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
    return {"rc": rc, "stdout": out.getvalue(), "stderr": err.getvalue()}


def vault_flags(args):
    ids, files = [], []
    for i, arg in enumerate(args):
        if arg == '--vault-id':
            ids.append(args[i + 1])
        elif arg == '--vault-password-file':
            files.append(args[i + 1])
    return ids, files


def decrypt(texts, args):
    if not texts:
        return []
    loader = DataLoader()
    ids, files = vault_flags(args)
    secrets = CLI.setup_vault_secrets(loader, vault_ids=ids, vault_password_files=files, auto_prompt=False)
    vault = VaultLib(secrets)
    results = []
    for text in texts:
        try:
            results.append({"plaintext": vault.decrypt(text).decode('utf-8')})
        except Exception as e:  # noqa: BLE001 - reported to the spec as what Ansible said
            results.append({"error": str(e)})
    return results


def main():
    answers = []
    start = os.getcwd()
    for case in json.load(sys.stdin):
        os.chdir(case["cwd"])
        args = case["args"]
        answers.append({
            "patterns": [run(AdHocCLI, ["ansible"] + args + [p, "--list-hosts"]) for p in case.get("patterns", [])],
            "hosts": [run(InventoryCLI, ["ansible-inventory"] + args + ["--host", h]) for h in case.get("hosts", [])],
            "vault": decrypt(case.get("vault", []), args),
        })
        os.chdir(start)
    sys.stdout.write(json.dumps(answers))


main()
