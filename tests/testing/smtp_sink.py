#!/usr/bin/python3
"""A real SMTP listener for tests (Debian's python3-aiosmtpd).

Listens on 127.0.0.1:--port (0: any free port), prints "listening on PORT"
once it accepts connections, and keeps each message it accepts in --dir:
  NNNNNN.eml   the bytes after DATA, as received (dot-stuffing undone)
  NNNNNN.json  the envelope and the message as Python's email package
               (policy.default) reads it; written after the .eml, so once
               the .json is there both are complete.
Both are written under a temporary name and renamed into place, and before
the reply to DATA: when the client sees 250, the files are there.

TLS on demand: --tls CERT KEY offers STARTTLS and requires it before MAIL;
with --implicit-tls the listener speaks TLS from the first byte (smtps).

Faults on demand: --reject-rcpt ADDRESS answers 550 to RCPT TO:<ADDRESS>;
--tempfail-first N answers 451 to the first N DATA commands; --auth
USER:PASSWORD offers AUTH (PLAIN, LOGIN) without TLS and refuses any other
login with 535; --reply-delay SECONDS keeps each message (its files are
written) and waits that long before answering 250, so that a client killed
meanwhile has handed the message over without hearing so (the window in
which an at-least-once sender sends a message twice). Exits 0 on SIGTERM or
SIGINT.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import socket
import ssl
import warnings

from aiosmtpd.smtp import SMTP, AuthResult


class Handler:
    def __init__(self, out_dir, reject_rcpt, tempfail_first, reply_delay=0.0):
        self.out_dir = out_dir
        self.reply_delay = reply_delay
        self.reject_rcpt = reject_rcpt
        self.tempfail_left = tempfail_first
        self.messages = 0
        self.connections = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address == self.reject_rcpt:
            return f'550 5.1.1 <{address}>: recipient rejected by smtp_sink'
        envelope.rcpt_tos.append(address)
        return '250 2.1.5 OK'

    async def handle_DATA(self, server, session, envelope):
        if self.tempfail_left > 0:
            self.tempfail_left -= 1
            return '451 4.3.0 smtp_sink: try again later'
        # Which connection (1, 2, ...) the message came on: a client that
        # keeps its connection sends every message on the same one.
        if not hasattr(session, 'sink_connection'):
            self.connections += 1
            session.sink_connection = self.connections
        self.messages += 1
        name = os.path.join(self.out_dir, f'{self.messages:06d}')
        raw = envelope.original_content
        write_atomically(name + '.eml', raw)
        record = {
            'connection': session.sink_connection,
            'mail_from': envelope.mail_from,
            'rcpt_tos': envelope.rcpt_tos,
            **describe(raw),
        }
        write_atomically(name + '.json', json.dumps(
            record, ensure_ascii=False, indent=1, sort_keys=True).encode())
        if self.reply_delay > 0:
            await asyncio.sleep(self.reply_delay)
        return f'250 2.0.0 OK queued as {self.messages:06d}'


def describe(raw):
    """The message as a mail client would show it."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        content = part.get_content()
        if isinstance(content, str):  # the wire's CRLF shown as '\n'
            content = content.replace('\r\n', '\n')
        else:
            content = repr(content)
        parts.append({'content_type': part.get_content_type(),
                      'charset': part.get_content_charset(),
                      'content': content})
    defects = [repr(d) for p in msg.walk() for d in p.defects]
    for name in ('from', 'to', 'subject'):
        if msg[name] is not None:
            defects += [f'{name}: {d!r}' for d in msg[name].defects]
    def header(name):  # decoded; None when absent
        return None if msg[name] is None else str(msg[name])

    return {
        'message_id': header('message-id'),
        'subject': header('subject'),
        'from': header('from'),
        'to': header('to'),
        'is_multipart': msg.is_multipart(),
        'parts': parts,
        'defects': defects,
    }


def write_atomically(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


async def serve(args):
    handler = Handler(args.dir, args.reject_rcpt, args.tempfail_first,
                      args.reply_delay)
    smtp_options = {'hostname': 'smtp-sink.test'}
    if args.auth:
        user, password = args.auth.split(':', 1)

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = (auth_data.login.decode() == user and
                  auth_data.password.decode() == password)
            # handled=False: aiosmtpd answers 235, or 535 on a failure.
            return AuthResult(success=ok, handled=False)

        # aiosmtpd 1.4 warns about its own use of a deprecated attribute.
        warnings.filterwarnings('ignore', 'Session.login_data')
        smtp_options.update(authenticator=authenticate,
                            auth_require_tls=False)
    listener_tls = None
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.tls)
        if args.implicit_tls:
            listener_tls = context
        else:
            smtp_options.update(tls_context=context, require_starttls=True)
    # Bound here, not by aiosmtpd's Controller, which cannot take port 0.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', args.port))
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, **smtp_options), sock=sock, ssl=listener_tls)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f'listening on {sock.getsockname()[1]}', flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dir', required=True)
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--reject-rcpt', default=None)
    parser.add_argument('--tempfail-first', type=int, default=0)
    parser.add_argument('--reply-delay', type=float, default=0.0)
    parser.add_argument('--auth', default=None, metavar='USER:PASSWORD')
    parser.add_argument('--tls', nargs=2, default=None, metavar=('CERT', 'KEY'))
    parser.add_argument('--implicit-tls', action='store_true')
    asyncio.run(serve(parser.parse_args()))


if __name__ == '__main__':
    main()
