# Workload (a) as a pyinfra deploy: the same 20 operations as bench/workload.ts and
# bench/ansible/workload.yml (5 guarded commands, 5 line edits, 5 copies, 5 templates) under
# /tmp/vpha-bench. Run by bench/run.ts with `pyinfra -y` (no interactive change-detection prompt).
# Where pyinfra's defaults do more than the other tools, the cheaper equivalent is chosen:
# files.put and files.template do not check the parent directory (command 1 made it).
import os
import shlex
from io import StringIO

from pyinfra import host
from pyinfra.facts.files import Directory, File
from pyinfra.operations import files, server

BENCH_DIR = "/tmp/vpha-bench"
# The Ansible playbook's Jinja2 template, rendered with the same variables.
TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ansible", "workload.conf.j2")


def at(name):
    return f"{BENCH_DIR}/{name}"


# Each command creates the path it names; like Ansible's `creates`, the command runs only while that
# path does not exist (the fact is read when the operation runs).
COMMANDS = [
    (["mkdir", "-p", BENCH_DIR], BENCH_DIR, Directory),
    (["cp", "/etc/hostname", at("command2.txt")], at("command2.txt"), File),
    (["cp", "/etc/os-release", at("command3.txt")], at("command3.txt"), File),
    (["touch", at("command4.stamp")], at("command4.stamp"), File),
    (["mkdir", at("command5.d")], at("command5.d"), Directory),
]

for i, (argv, creates, fact) in enumerate(COMMANDS, 1):
    server.shell(
        name=f"command {i}" + (" (bench dir)" if i == 1 else ""),
        commands=[shlex.join(argv)],
        _if=[lambda creates=creates, fact=fact: host.get_fact(fact, path=creates) is None],
    )

for i in range(1, 6):
    files.line(
        name=f"lineinfile {i}",
        path=at("settings.conf"),
        line=rf"^key{i}\s*=",
        replace=f"key{i} = value{i}",
    )

for i in range(1, 6):
    files.put(
        name=f"copy {i}",
        src=StringIO(f"copy {i}: written by the vpha benchmark\n"),
        dest=at(f"copy{i}.txt"),
        mode="644",
        create_remote_dir=False,
    )

for i in range(1, 6):
    files.template(
        name=f"template {i}",
        src=TEMPLATE,
        dest=at(f"template{i}.conf"),
        mode="644",
        create_remote_dir=False,
        index=i,
        bench_dir=BENCH_DIR,
        inventory_hostname=host.name,
    )
