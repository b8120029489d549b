# pyinfra's inventory for the benchmark: the very Ansible YAML inventory file the engine and
# ansible-playbook get with -i (its path in VPHA_BENCH_INVENTORY), read with PyYAML. Every host keeps
# its inventory name, address, user and key; host keys are checked against the lab's known_hosts, as
# the other tools do.
import os

import yaml


def _hosts(group):
    for name, hostvars in (group.get("hosts") or {}).items():
        yield name, hostvars or {}
    for child in (group.get("children") or {}).values():
        yield from _hosts(child or {})


def _pyinfra_host(name, hostvars):
    return (
        name,
        {
            "ssh_hostname": hostvars.get("ansible_host", name),
            "ssh_user": hostvars.get("ansible_user", "root"),
            "ssh_key": hostvars["ansible_ssh_private_key_file"],
            "ssh_known_hosts_file": hostvars["ansible_ssh_known_hosts_file"],
            "ssh_strict_host_key_checking": "yes",
            "ssh_allow_agent": False,
            "ssh_look_for_keys": False,
        },
    )


with open(os.environ["VPHA_BENCH_INVENTORY"], encoding="utf-8") as _f:
    _doc = yaml.safe_load(_f)

bench_hosts = [_pyinfra_host(name, hostvars) for name, hostvars in _hosts(_doc["all"])]
