#!/usr/bin/python3
# LAB STAND-IN for the proprietary vProtect server (built by the project's lab/, not the real product).
# Serves GET /api (version, hostname, license and session state) and GET /api/nodes on port 8080,
# and writes /opt/vprotect/.session.properties at its first start, as the real server does.
import json
import os
import secrets
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOME = "/opt/vprotect"
VERSION_FILE = "/usr/lib/vprotect/vprotect-server.version"
SESSION_FILE = os.path.join(HOME, ".session.properties")
LICENSE_FILE = os.path.join(HOME, "license.key")
NODES_FILE = os.path.join(HOME, "nodes.json")
PORT = int(os.environ.get("VPROTECT_PORT", "8080"))


def read(path, default=""):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return default


def first_start():
    os.makedirs(HOME, exist_ok=True)
    if not os.path.exists(SESSION_FILE):
        tmp = SESSION_FILE + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("# lab stand-in session properties\n")
            f.write("session.id=%s\n" % secrets.token_hex(16))
            f.write("created.on=%s\n" % socket.gethostname())
        os.chmod(tmp, 0o600)
        os.rename(tmp, SESSION_FILE)


def session_id():
    for line in read(SESSION_FILE).splitlines():
        if line.startswith("session.id="):
            return line.split("=", 1)[1]
    return None


class Api(BaseHTTPRequestHandler):
    def reply(self, code, body):
        data = (json.dumps(body, sort_keys=True) + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == "/api":
            self.reply(200, {
                "product": "vProtect server (lab stand-in)",
                "version": read(VERSION_FILE).strip(),
                "hostname": socket.gethostname(),
                "licensed": os.path.exists(LICENSE_FILE),
                "session": session_id(),
            })
        elif path == "/api/nodes":
            self.reply(200, json.loads(read(NODES_FILE, "[]")))
        else:
            self.reply(404, {"error": "not found", "path": self.path})

    def log_message(self, fmt, *args):
        pass  # keep the journal quiet: one line per request is noise in the lab


if __name__ == "__main__":
    first_start()
    ThreadingHTTPServer(("0.0.0.0", PORT), Api).serve_forever()
