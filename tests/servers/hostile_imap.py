#!/usr/bin/env python3
"""A scripted hostile IMAP server for tests/imap_connect.rs (stdlib only).

usage: hostile_imap.py SCENARIO --port-file F --cert C --key K --log L
                       [--user U] [--password P] [--implicit] [--lifetime S]

Listens on 127.0.0.1 (a free port, written to F once listening) and plays
SCENARIO on every connection. Every byte a client sends is appended to L as
it arrives, with marker lines between phases:

    --- connection ---   a client connected
    --- tls ---          the TLS handshake completed; decrypted bytes follow
    --- closed ---       the connection ended (the client's bytes are all in)

so a test can assert that no credentials were sent, or not before TLS.
Markers are the only bytes not sent by the client.

Scenarios (STARTTLS on a plaintext port unless --implicit):
  good                      honest server; after TLS: AUTH=PLAIN, LIST, ...
  login-only                like good, but no AUTH=PLAIN after TLS (LOGIN)
  no-starttls               CAPABILITY without STARTTLS (but with AUTH=PLAIN)
  starttls-refused          STARTTLS answered BAD; then lures plaintext LOGIN
  starttls-injection        OK + injected CAPABILITY + tagged OK, one write
  starttls-injection-split  OK, a pause, then the injected lines
  garbage-greeting          a first line that is not IMAP
  bye-greeting              * BYE [ALERT] ...
  preauth                   * PREAUTH (no STARTTLS possible)
  pre-auth-untagged         untagged LIST/EXISTS/FETCH before TLS, then good
  alert-greeting            * OK [ALERT] Call 555-0100 ..., then good
  tls-old                   like good, but TLS only up to 1.1

With --implicit the TLS handshake comes first; the greeting scenarios
(good, garbage-greeting, bye-greeting, preauth) then apply over TLS.
"""

import argparse
import asyncio
import base64
import os
import re
import ssl
import sys
import warnings

ALERT = b"[ALERT] Call 555-0100 to keep your account"
INJECTED_UNTAGGED = (
    b'* LIST () "/" Injected\r\n'
    b"* 3 EXISTS\r\n"
    b"* 1 FETCH (UID 5 FLAGS (\\Deleted))\r\n"
)
PRE_TLS_CAPS = b"IMAP4rev1 STARTTLS AUTH=PLAIN X-GM-EXT-1 X-PRE-TLS"
POST_TLS_CAPS = b"IMAP4rev1 AUTH=PLAIN ENABLE ID X-POST-TLS"
POST_TLS_CAPS_LOGIN_ONLY = b"IMAP4rev1 ENABLE ID X-POST-TLS"
QUOTED_PAIR = re.compile(rb'^"((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$')


class Log:
    """Appends client bytes and phase markers to the log file, unbuffered."""

    def __init__(self, path):
        self.file = open(path, "ab", buffering=0)

    def data(self, data):
        if data:
            self.file.write(data)

    def mark(self, text):
        self.file.write(b"\n--- " + text.encode() + b" ---\n")


class Conn:
    def __init__(self, reader, writer, args, log):
        self.reader = reader
        self.writer = writer
        self.args = args
        self.log = log

    async def send(self, data):
        self.writer.write(data)
        await self.writer.drain()

    async def line(self):
        line = await self.reader.readline()
        self.log.data(line)
        return line

    async def drain_until_eof(self):
        """Records whatever else the client sends until it hangs up."""
        while True:
            data = await self.reader.read(65536)
            if not data:
                return
            self.log.data(data)

    async def start_tls(self, context):
        # StreamWriter.start_tls pauses reading before the loop runs again,
        # so the ClientHello reaches the TLS layer, not the plain reader.
        await self.writer.start_tls(context)
        self.log.mark("tls")

    def tls_context(self, old=False):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.args.cert, self.args.key)
        if old:
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
            with warnings.catch_warnings():
                # Deprecated on purpose: this scenario is an outdated server.
                warnings.simplefilter("ignore", DeprecationWarning)
                context.minimum_version = ssl.TLSVersion.TLSv1
                context.maximum_version = ssl.TLSVersion.TLSv1_1
        return context


def split_command(line):
    text = line.rstrip(b"\r\n")
    tag, _, rest = text.partition(b" ")
    command, _, arguments = rest.partition(b" ")
    return tag, command.upper(), arguments


def unquote(value):
    return re.sub(rb"\\(.)", rb"\1", value)


async def serve_imap(conn, capabilities):
    """An honest, minimal IMAP server (the post-TLS part of most scenarios)."""
    args = conn.args
    while True:
        line = await conn.line()
        if not line:
            return
        tag, command, arguments = split_command(line)
        if command == b"CAPABILITY":
            await conn.send(b"* CAPABILITY " + capabilities + b"\r\n" + tag + b" OK done\r\n")
        elif command == b"LOGIN":
            match = QUOTED_PAIR.match(arguments)
            ok = match and (
                unquote(match.group(1)).decode(errors="replace") == args.user
                and unquote(match.group(2)).decode(errors="replace") == args.password
            )
            await conn.send(tag + (b" OK logged in\r\n" if ok else b" NO [AUTHENTICATIONFAILED] no\r\n"))
        elif command == b"AUTHENTICATE" and arguments.upper() == b"PLAIN":
            await conn.send(b"+ \r\n")
            response = await conn.line()
            try:
                decoded = base64.b64decode(response.strip(), validate=True)
            except ValueError:
                decoded = b""
            expected = b"\0" + args.user.encode() + b"\0" + args.password.encode()
            ok = decoded == expected
            await conn.send(tag + (b" OK logged in\r\n" if ok else b" NO [AUTHENTICATIONFAILED] no\r\n"))
        elif command == b"LIST":
            await conn.send(b'* LIST () "/" INBOX\r\n' + tag + b" OK LIST done\r\n")
        elif command in (b"SELECT", b"EXAMINE"):
            await conn.send(
                b"* 0 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT 1] ok\r\n"
                + tag + b" OK [READ-WRITE] done\r\n"
            )
        elif command == b"ENABLE":
            await conn.send(b"* ENABLED\r\n" + tag + b" OK done\r\n")
        elif command == b"ID":
            await conn.send(b"* ID NIL\r\n" + tag + b" OK done\r\n")
        elif command == b"NOOP":
            await conn.send(tag + b" OK done\r\n")
        elif command == b"LOGOUT":
            await conn.send(b"* BYE bye\r\n" + tag + b" OK done\r\n")
            await conn.drain_until_eof()
            return
        else:
            await conn.send(tag + b" BAD unknown command\r\n")


async def lure(conn, tag, command):
    """Answers credentials sent in plaintext as if they worked."""
    if command == b"AUTHENTICATE":
        await conn.send(b"+ \r\n")
        await conn.line()
    await conn.send(tag + b" OK welcome\r\n")


async def starttls_scenario(conn, scenario):
    if scenario == "garbage-greeting":
        await conn.send(b"\x16\x03\x01 not imap \xff\xfe\r\n")
        return await conn.drain_until_eof()
    if scenario == "bye-greeting":
        await conn.send(b"* BYE " + ALERT + b"\r\n")
        return await conn.drain_until_eof()
    if scenario == "preauth":
        await conn.send(b"* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] " + ALERT + b"\r\n")
        return await serve_imap(conn, PRE_TLS_CAPS)
    if scenario == "alert-greeting":
        await conn.send(b"* OK " + ALERT + b"\r\n")
    else:
        await conn.send(b"* OK [CAPABILITY " + PRE_TLS_CAPS + b"] hostile ready\r\n")

    post_caps = POST_TLS_CAPS_LOGIN_ONLY if scenario == "login-only" else POST_TLS_CAPS
    while True:
        line = await conn.line()
        if not line:
            return
        tag, command, _ = split_command(line)
        if command == b"CAPABILITY":
            caps = PRE_TLS_CAPS
            if scenario == "no-starttls":
                caps = b"IMAP4rev1 AUTH=PLAIN X-PRE-TLS"
            prefix = INJECTED_UNTAGGED if scenario == "pre-auth-untagged" else b""
            await conn.send(prefix + b"* CAPABILITY " + caps + b"\r\n" + tag + b" OK done\r\n")
        elif command == b"STARTTLS":
            if scenario in ("no-starttls", "starttls-refused"):
                await conn.send(tag + b" BAD not now\r\n")
            elif scenario == "starttls-injection":
                await conn.send(
                    tag + b" OK Begin TLS\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA3 OK\r\n"
                )
                await conn.start_tls(conn.tls_context())
                return await serve_imap(conn, post_caps)
            elif scenario == "starttls-injection-split":
                await conn.send(tag + b" OK Begin TLS\r\n")
                await asyncio.sleep(0.3)
                await conn.send(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA3 OK\r\n")
                return await conn.drain_until_eof()
            else:
                prefix = INJECTED_UNTAGGED if scenario == "pre-auth-untagged" else b""
                await conn.send(prefix + tag + b" OK Begin TLS\r\n")
                await conn.start_tls(conn.tls_context(old=scenario == "tls-old"))
                return await serve_imap(conn, post_caps)
        elif command in (b"LOGIN", b"AUTHENTICATE"):
            await lure(conn, tag, command)
        elif command == b"NOOP":
            await conn.send(tag + b" OK done\r\n")
        else:
            await conn.send(tag + b" BAD unknown command\r\n")


async def implicit_scenario(conn, scenario):
    if scenario == "garbage-greeting":
        await conn.send(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        return await conn.drain_until_eof()
    if scenario == "bye-greeting":
        await conn.send(b"* BYE " + ALERT + b"\r\n")
        return await conn.drain_until_eof()
    if scenario == "preauth":
        await conn.send(b"* PREAUTH [CAPABILITY IMAP4rev1] logged in\r\n")
        return await serve_imap(conn, POST_TLS_CAPS)
    await conn.send(b"* OK hostile ready\r\n")
    return await serve_imap(conn, POST_TLS_CAPS)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--user", default="hostile-user")
    parser.add_argument("--password", default="hostile-Pw-3k9")
    parser.add_argument("--implicit", action="store_true")
    parser.add_argument("--lifetime", type=float, default=120.0)
    args = parser.parse_args()

    log = Log(args.log)
    implicit_context = None
    if args.implicit:
        implicit_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        implicit_context.load_cert_chain(args.cert, args.key)

    async def handle(reader, writer):
        log.mark("connection")
        if args.implicit:
            log.mark("tls")
        conn = Conn(reader, writer, args, log)
        try:
            if args.implicit:
                await implicit_scenario(conn, args.scenario)
            else:
                await starttls_scenario(conn, args.scenario)
        except (OSError, EOFError, ssl.SSLError, asyncio.IncompleteReadError) as error:
            print(f"hostile_imap: {type(error).__name__}: {error}", file=sys.stderr)
        finally:
            log.mark("closed")
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=implicit_context)
    port = server.sockets[0].getsockname()[1]
    temporary = args.port_file + ".tmp"
    with open(temporary, "w") as file:
        file.write(f"{port}\n")
    os.replace(temporary, args.port_file)
    async with server:
        try:
            await asyncio.wait_for(server.serve_forever(), args.lifetime)
        except asyncio.TimeoutError:
            pass


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
