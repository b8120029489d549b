#!/usr/bin/python3
# LAB STAND-IN for the proprietary vProtect node (built by the project's lab/, not the real product).
# A loop that records its version, host name and a heartbeat in /run/vprotect-node.json every 5 s.
import json
import os
import signal
import socket
import sys
import time

STATUS_FILE = "/run/vprotect-node.json"
VERSION_FILE = "/usr/lib/vprotect/vprotect-node.version"


def write_status(version):
    tmp = STATUS_FILE + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"product": "vProtect node (lab stand-in)", "version": version,
                   "hostname": socket.gethostname(), "pid": os.getpid(), "heartbeat": int(time.time())}, f)
        f.write("\n")
    os.rename(tmp, STATUS_FILE)


def stop(_sig, _frame):
    try:
        os.unlink(STATUS_FILE)
    except FileNotFoundError:
        pass
    sys.exit(0)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop)
    with open(VERSION_FILE, encoding="utf-8") as f:
        version = f.read().strip()
    while True:
        write_status(version)
        time.sleep(5)
