#!/usr/bin/env python3
"""Serve the demo project over http and, given a certificate, https too, from
one process, so both schemes share its memory caches and resources.

    python3 serve.py [--addr 127.0.0.1] [--http-port 0] [--https-port 0 --cert C --key K]

It uses Django's own development server classes (the ones runserver uses),
threaded, and like gunicorn or uWSGI (unlike Django 3.2's runserver) sends no
body in answer to HEAD. Port 0 picks a free port. Once listening it prints one
line, "serving http=URL [https=URL]", with the contract's base URLs, and it
stops on SIGTERM or SIGINT. Run `python3 manage.py migrate` first.
"""

import argparse
import os
import signal
import socket
import ssl
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))  # httpcheck_contract
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")


def no_body_for_head(app):
    def wrapped(environ, start_response):
        result = app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "HEAD":
            return result
        try:
            for _ in result:
                pass
        finally:
            if hasattr(result, "close"):
                result.close()
        return []

    return wrapped


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--http-port", type=int, default=0)
    p.add_argument("--https-port", type=int, default=None, help="serve https too (needs --cert and --key)")
    p.add_argument("--cert", help="PEM certificate chain for https")
    p.add_argument("--key", help="PEM private key for https")
    p.add_argument("--prefix", default="/httpcheck/", help="where demo/urls.py mounts the contract")
    args = p.parse_args()
    if args.https_port is not None and not (args.cert and args.key):
        p.error("--https-port needs --cert and --key")

    # Bind first: the manifest's urls need the ports before Django reads its settings.
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class Server(ThreadedWSGIServer):
        def get_request(self):
            # wsgiref writes the status line, Date, Server and the other
            # fields in separate sends: without TCP_NODELAY, Nagle's algorithm
            # and the client's delayed ACK hold each answer for ~40 ms.
            conn, addr = super().get_request()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return conn, addr

    servers = {"http": Server((args.addr, args.http_port), WSGIRequestHandler)}
    if args.https_port is not None:
        tls = Server((args.addr, args.https_port), WSGIRequestHandler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
        tls.base_environ["HTTPS"] = "on"  # wsgi.url_scheme = https
        servers["https"] = tls
    urls = {}
    for scheme, srv in servers.items():
        host, port = srv.server_address[:2]
        urls[scheme] = "%s://%s:%d%s" % (scheme, host, port, args.prefix)
        os.environ["HTTPCHECK_DEMO_%s_URL" % scheme.upper()] = urls[scheme]

    from django.core.wsgi import get_wsgi_application

    app = no_body_for_head(get_wsgi_application())
    threads = []
    for srv in servers.values():
        srv.set_app(app)
        t = threading.Thread(target=srv.serve_forever, daemon=True)
        t.start()
        threads.append(t)

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
