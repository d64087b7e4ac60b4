#!/usr/bin/env python3
"""Serve the demo app over http and, given a certificate, https too, from one
process, so both schemes share its memory caches and resources.

    python3 serve.py [--addr 127.0.0.1] [--http-port 0] [--https-port 0 --cert C --key K]

It uses Werkzeug's own server (the one `flask run` uses), threaded, one
server per scheme. Port 0 picks a free port. Once listening it prints one
line, "serving http=URL [https=URL]", with the contract's base URLs, and it
stops on SIGTERM or SIGINT.
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the sources

import argparse  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import ssl  # noqa: E402
import threading  # noqa: E402

from werkzeug.serving import ThreadedWSGIServer  # noqa: E402


class Server(ThreadedWSGIServer):
    def get_request(self):
        # Werkzeug writes the header section and the body in separate sends:
        # without TCP_NODELAY, Nagle's algorithm and the client's delayed ACK
        # would hold each answer for about 40 ms.
        conn, addr = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--http-port", type=int, default=0)
    p.add_argument("--https-port", type=int, default=None, help="serve https too (needs --cert and --key)")
    p.add_argument("--cert", help="PEM certificate chain for https")
    p.add_argument("--key", help="PEM private key for https")
    p.add_argument("--prefix", default="/httpcheck/", help="where app.py mounts the contract")
    args = p.parse_args()
    if args.https_port is not None and not (args.cert and args.key):
        p.error("--https-port needs --cert and --key")

    # Bind first: the manifest's urls need the ports before the app is made.
    servers = {"http": Server(args.addr, args.http_port, None)}
    if args.https_port is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        servers["https"] = Server(args.addr, args.https_port, None, ssl_context=ctx)
    urls = {}
    for scheme, srv in servers.items():
        urls[scheme] = "%s://%s:%d%s" % (scheme, args.addr, srv.port, args.prefix)
        os.environ["HTTPCHECK_DEMO_%s_URL" % scheme.upper()] = urls[scheme]

    from app import create_app

    app = create_app()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    for srv in servers.values():
        srv.app = app
        threading.Thread(target=srv.serve_forever, daemon=True).start()

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print("serving " + " ".join("%s=%s" % kv for kv in urls.items()), flush=True)
    stop.wait()
    for srv in servers.values():
        srv.shutdown()
        srv.server_close()


if __name__ == "__main__":
    main()
