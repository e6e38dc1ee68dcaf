#!/usr/bin/env python3
"""Hostile-client suite for weft's example servers (GitHub issue "Hardening").

Each run is one case against one program. A server case starts weft-example-echo_server or
weft-example-http_hello on an ephemeral loopback port, serves one normal client and records
the server's descriptor count and RSS (the baseline), lets one kind of hostile client loose on
it, and then checks that the server
  (a) is still alive,
  (b) serves a normal client correctly (echo: a 64-byte message comes back whole; http: a GET
      gets the exact 200 response),
  (c) is back at its baseline descriptor count within 5 s of the hostile clients leaving,
  (d) exits with status 0 within its 5 s grace period (+ 3 s margin) of SIGTERM; where the
      case says so, while hostile clients are still connected.
Everything is on 127.0.0.1, every loop is bounded by a count and a deadline, and the server is
killed whatever happens. Standard library only.

ctest runs every case (tests/hostile/CMakeLists.txt, label "hostile"):
    ctest -L hostile --output-on-failure
One case by hand, e.g.:
    python3 tests/hostile/hostile_clients.py --case resets --protocol http \\
        --binary build/release/examples/weft-example-http_hello

Cases (--protocol echo or http unless said):
  resets         200 connections send part of a request (http: half a head; echo: 100 bytes)
                 and reset (SO_LINGER {1, 0}); 200 send a big batch (http: 1,000 pipelined
                 requests; echo: 1 MB, as far as the buffers take it) and reset unread.
  half_close     100 concurrent clients send a whole message (echo: 64 KiB) or 10 pipelined
                 requests, then shutdown(SHUT_WR): everything comes back, then end of file.
  burst          5,000 connections opened at once, one round trip each, all closed; then
                 5,000 again, SIGTERM while they are connected.
  slow_writers   500 slowloris connections send one byte every 100 ms for 3 s (http: a head
                 that never ends; echo: bytes, echoes read as they come); a normal client
                 must be served within 2 s meanwhile; then again, SIGTERM under that load.
  slow_readers   4 clients send up to 100 MB each for 3 s and never read; a normal client
                 must be served within 2 s meanwhile and the server's RSS stay within
                 baseline + 64 MiB; then again until no byte goes out, and SIGTERM under
                 that load (writers stuck on them are cut off after the grace period).
  malformed      http: garbage and binary noise (no reply, closed at EOF), a 1 MiB head with
                 no end (the server must close it), 20,000 pipelined requests in one write
                 (20,000 responses), bare-LF line ends (whole responses only); echo: binary
                 noise and 20,000 messages in one write come back byte for byte.
  fd_exhaustion  20,000 idle connections, held by child processes, fill the server's
                 descriptor table (its soft RLIMIT_NOFILE is set to min(hard, 20,000)); it
                 must stay alive, then recover. Prints RSS before, at the peak and 5 s after;
                 without a sanitizer, RSS 5 s after must be <= 2 x before + 16 MiB. Skipped
                 (exit status 77) under ASan, whose runtime needs descriptors itself (UBSan
                 then reports a false "invalid vptr").
  config         --kind server|hello|bench: for each bad WEFT_* value (reactor_mode "foo",
                 worker_threads 0 and 99999999999, thread_stack_size "100G"; weft-bench's
                 --workers overrides worker_threads, so not those) the program must exit
                 with status 1 within 10 s, printing exactly one line on stderr that names
                 the key.

Exit status: 0 passed, 1 failed, 77 skipped. One line per case on success, with its figures.
"""

import argparse
import errno
import multiprocessing
import os
import re
import resource
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"
SKIP_STATUS = 77
GRACE = 5.0  # the servers' promised grace period after SIGTERM
MARGIN = 3.0  # what we allow on top of it
PORT_LINE_TIMEOUT = 10.0
SERVE_TIMEOUT = 5.0  # a normal client once the hostile ones are gone
SERVE_UNDER_LOAD_TIMEOUT = 2.0  # a normal client while they are still there
FD_RETURN_TIMEOUT = 5.0
LOAD_TIMEOUT = 20.0  # upper bound for any one phase of hostile load
SLOW_INTERVAL = 0.1  # a slow writer's pace
STALLED = 0.25  # a flooding socket that took no byte for this long: the buffers are full
READ_SIZE = 65536
MIB = 1024 * 1024

HTTP_REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
HTTP_RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
                 b"Hello, World!")
ECHO_MESSAGE = bytes(range(32, 96))  # the normal echo client's 64 bytes


class CaseFailed(Exception):
    """A check did not hold; the message says what was expected and what happened."""


class Skipped(Exception):
    """The case does not apply to this build; the message says why."""


# ---------------------------------------------------------------------------------------
# The server under test


def set_fd_limit(soft):
    """Sets this process's soft RLIMIT_NOFILE to `soft` (at most the hard limit)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def raise_fd_limit():
    """Raises this process's soft RLIMIT_NOFILE to its hard limit (the server and the child
    processes inherit it)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        with open("/proc/sys/fs/nr_open") as nr_open:
            hard = int(nr_open.read())
    set_fd_limit(hard)


def describe_status(status):
    """A Popen returncode in words: 'status 3', 'killed by SIGABRT'."""
    if status is not None and status < 0:
        return f"killed by {signal.Signals(-status).name}"
    return f"status {status}"


class Server:
    """One server process on an ephemeral loopback port: started (and its port read from the
    line it prints) by the constructor, killed by close() if it still runs."""

    def __init__(self, binary, protocol, fd_limit=None):
        self.protocol = protocol
        self._stdout = b""
        self._stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [binary, "0"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=self._stderr,
            preexec_fn=(lambda: set_fd_limit(fd_limit)) if fd_limit else None)
        try:
            self.port = self._read_port()
        except CaseFailed as failure:
            self.close()
            raise CaseFailed(f"{failure}\n{self.report()}") from None

    def _read_port(self):
        deadline = time.monotonic() + PORT_LINE_TIMEOUT
        fd = self.process.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._stdout:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    raise CaseFailed(f"expected the server's port line on stdout within "
                                     f"{PORT_LINE_TIMEOUT:.0f} s; got {self._stdout!r}")
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise CaseFailed("expected the server's port line; it exited first with "
                                     f"{describe_status(self.process.wait())}")
                self._stdout += chunk
        match = re.search(rb"127\.0\.0\.1:(\d+)", self._stdout)
        if not match:
            raise CaseFailed(f"expected '127.0.0.1:<port>' in the server's first line; got "
                             f"{self._stdout!r}")
        return int(match.group(1))

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process.poll() is None

    def fd_count(self):
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def fd_limit(self):
        """The server's soft RLIMIT_NOFILE."""
        return resource.prlimit(self.pid, resource.RLIMIT_NOFILE)[0]

    def rss_kib(self):
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise CaseFailed("no VmRSS in the server's /proc status")

    def terminate(self):
        """Sends SIGTERM; returns (seconds until it exited, connections it cut off). Fails
        unless it exits with status 0 within GRACE + MARGIN."""
        start = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(GRACE + MARGIN)
        except subprocess.TimeoutExpired:
            raise CaseFailed(f"expected exit within {GRACE + MARGIN:.0f} s of SIGTERM (grace "
                             f"{GRACE:.0f} s + {MARGIN:.0f} s margin); still running") from None
        elapsed = time.monotonic() - start
        self._stdout += self.process.stdout.read()
        if status != 0:
            raise CaseFailed(f"expected exit status 0 after SIGTERM; got "
                             f"{describe_status(status)} after {elapsed:.1f} s")
        cut_off = re.search(rb"stopped \((\d+) connections cut off\)", self._stdout)
        return elapsed, int(cut_off.group(1)) if cut_off else None

    def close(self):
        if self.alive():
            self.process.kill()
            self.process.wait()
        if not self.process.stdout.closed:
            self._stdout += self.process.stdout.read()
            self.process.stdout.close()

    def report(self):
        """The server's output so far, for a failure message."""
        self._stderr.seek(0)
        stderr = self._stderr.read().decode(errors="replace")
        return (f"server: pid {self.pid}, {describe_status(self.process.poll())}\n"
                f"server stdout:\n{self._stdout.decode(errors='replace')}"
                f"server stderr:\n{stderr[-8000:]}")


class PeakSampler:
    """Samples a server's RSS every 20 ms on a thread while in its `with` block; keeps the
    peak."""

    def __init__(self, server):
        self._server = server
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.peak_rss_kib = 0

    def _run(self):
        while not self._stop.wait(0.02):
            try:
                self.peak_rss_kib = max(self.peak_rss_kib, self._server.rss_kib())
            except (OSError, CaseFailed):
                return  # the server is gone

    def __enter__(self):
        self.peak_rss_kib = self._server.rss_kib()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


# ---------------------------------------------------------------------------------------
# Clients


def close_all(sockets):
    for sock in sockets:
        sock.close()


def reset(sock):
    """Closes `sock` with a reset (RST) instead of a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def connect_all(port, count, deadline):
    """Opens `count` connections at once with non-blocking connects. Returns (the connected
    sockets, how many were refused or still pending at the deadline)."""
    connected, failed = [], 0
    with selectors.DefaultSelector() as selector:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            error = sock.connect_ex((HOST, port))
            if error == 0:
                connected.append(sock)
            elif error == errno.EINPROGRESS:
                selector.register(sock, selectors.EVENT_WRITE)
            else:
                sock.close()
                failed += 1
        while selector.get_map() and (remaining := deadline - time.monotonic()) > 0:
            for key, _ in selector.select(remaining):
                selector.unregister(key.fileobj)
                if key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    connected.append(key.fileobj)
                else:
                    key.fileobj.close()
                    failed += 1
        for key in list(selector.get_map().values()):
            key.fileobj.close()
            failed += 1
    return connected, failed


def connect_exactly(port, count, timeout=LOAD_TIMEOUT):
    """Opens `count` connections at once; fails unless every one connects within `timeout`."""
    connected, failed = connect_all(port, count, time.monotonic() + timeout)
    if failed:
        close_all(connected)
        raise CaseFailed(f"expected all {count} connections to connect within {timeout:.0f} s; "
                         f"{failed} did not")
    return connected


def exchange(sockets, payloads, expect=None, half_close=False, timeout=LOAD_TIMEOUT):
    """Sends payloads[i] on sockets[i] while reading what comes back, on all of them at once.
    A socket is finished when it has received `expect` bytes or, with `half_close` (its
    sending side is shut down once the payload is out), at end of file. Returns what each
    received. Fails on a reset, an early end of file or the timeout."""
    deadline = time.monotonic() + timeout
    replies = [bytearray() for _ in sockets]
    unsent = [memoryview(payload) for payload in payloads]
    with selectors.DefaultSelector() as selector:
        for i, sock in enumerate(sockets):
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, i)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CaseFailed(f"expected {len(sockets)} exchanges to finish within "
                                 f"{timeout:.0f} s; {len(selector.get_map())} had not")
            for key, events in selector.select(remaining):
                i, sock = key.data, key.fileobj
                try:
                    if events & selectors.EVENT_WRITE and unsent[i]:
                        unsent[i] = unsent[i][sock.send(unsent[i][:READ_SIZE]):]
                        if not unsent[i]:
                            if half_close:
                                sock.shutdown(socket.SHUT_WR)
                            selector.modify(sock, selectors.EVENT_READ, i)
                    data = sock.recv(READ_SIZE) if events & selectors.EVENT_READ else None
                except BlockingIOError:
                    continue
                except OSError as error:
                    raise CaseFailed(f"connection {i} failed after receiving {len(replies[i])} "
                                     f"bytes: {error}") from None
                if data is None:
                    continue
                replies[i] += data
                if not data and not half_close:
                    raise CaseFailed(f"connection {i}: expected {expect} bytes; the server "
                                     f"closed it after {len(replies[i])}")
                if not data or (not half_close and len(replies[i]) >= expect):
                    selector.unregister(sock)
    return replies


def flood(sockets, chunk, limit, timeout, stall=None):
    """Sends `chunk` over and over on every socket, never reading, until each has sent `limit`
    bytes, `timeout` passes or, with `stall`, no socket took a byte for `stall` seconds
    (their buffers are full). A socket the server closes just stops. Returns the bytes each
    sent."""
    deadline = time.monotonic() + timeout
    sent = [0] * len(sockets)
    view = memoryview(chunk)
    with selectors.DefaultSelector() as selector:
        for i, sock in enumerate(sockets):
            selector.register(sock, selectors.EVENT_WRITE, i)
        progress = time.monotonic()
        while selector.get_map():
            now = time.monotonic()
            wait = deadline - now if stall is None else min(deadline, progress + stall) - now
            if wait <= 0:
                break
            for key, _ in selector.select(wait):
                i = key.data
                offset = sent[i] % len(chunk)
                try:
                    sent[i] += key.fileobj.send(view[offset:offset + limit - sent[i]])
                except BlockingIOError:
                    continue
                except OSError:
                    selector.unregister(key.fileobj)
                    continue
                progress = time.monotonic()
                if sent[i] >= limit:
                    selector.unregister(key.fileobj)
    return sent


def send_until_closed(sock, data, timeout):
    """Sends `data` while reading, until the server closes the connection (end of file or
    reset). Returns (bytes sent, bytes received). Fails if it is still open after
    `timeout`."""
    deadline = time.monotonic() + timeout
    unsent, received = memoryview(data), bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
        while (remaining := deadline - time.monotonic()) > 0:
            for _, events in selector.select(remaining):
                try:
                    if events & selectors.EVENT_WRITE and unsent:
                        unsent = unsent[sock.send(unsent[:READ_SIZE]):]
                        if not unsent:
                            selector.modify(sock, selectors.EVENT_READ)
                    chunk = sock.recv(READ_SIZE) if events & selectors.EVENT_READ else None
                except BlockingIOError:
                    continue
                except (ConnectionResetError, BrokenPipeError):
                    return len(data) - len(unsent), bytes(received)
                if chunk == b"":
                    return len(data) - len(unsent), bytes(received)
                received += chunk or b""
    raise CaseFailed(f"expected the server to close the connection within {timeout:.0f} s; "
                     f"it is still open after {len(data) - len(unsent)} bytes sent")


def normal_exchange(protocol):
    """(request, the exact reply) of a well-behaved client."""
    if protocol == "http":
        return HTTP_REQUEST, HTTP_RESPONSE
    return ECHO_MESSAGE, ECHO_MESSAGE


def serve_normal_client(server, timeout, when):
    """One well-behaved client: a round trip, then shutdown(SHUT_WR) and wait for the server's
    end of file (sent once the server has closed its descriptor). Returns the seconds it
    took; fails unless the reply is exact and all of it happens within `timeout`."""
    request, expected = normal_exchange(server.protocol)
    start = time.monotonic()
    deadline = start + timeout
    reply = bytearray()
    try:
        with socket.create_connection((HOST, server.port), timeout=timeout) as sock:
            sock.sendall(request)
            while len(reply) < len(expected):
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                chunk = sock.recv(READ_SIZE)
                if not chunk:
                    break
                reply += chunk
            sock.shutdown(socket.SHUT_WR)
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            tail = sock.recv(READ_SIZE)
    except OSError as error:
        raise CaseFailed(f"expected a normal client to be served within {timeout:.0f} s "
                         f"{when}; after {time.monotonic() - start:.2f} s and {len(reply)} "
                         f"bytes of reply: {error!r}") from None
    if reply != expected or tail:
        raise CaseFailed(f"expected a normal client to get {expected!r} then end of file "
                         f"{when}; got {bytes(reply)!r} then {tail!r}")
    return time.monotonic() - start


# ---------------------------------------------------------------------------------------
# Checks


def check_alive(server, when):
    if not server.alive():
        raise CaseFailed(f"expected the server to be alive {when}; it exited with "
                         f"{describe_status(server.process.poll())}")


def poll_fd_count(server, reached, deadline, failure):
    """Polls the server's descriptor count until reached(count); returns it. At the deadline
    fails with failure(count)."""
    while not reached(count := server.fd_count()):
        if time.monotonic() > deadline:
            raise CaseFailed(failure(count))
        time.sleep(0.01)
    return count


def wait_for_fds(server, baseline, when):
    """Polls the server's descriptor count until it is back at `baseline` (or below);
    fails after FD_RETURN_TIMEOUT. Returns the count."""
    return poll_fd_count(
        server, lambda count: count <= baseline, time.monotonic() + FD_RETURN_TIMEOUT,
        lambda count: (f"expected the server's descriptor count to return to its baseline "
                       f"{baseline} within {FD_RETURN_TIMEOUT:.0f} s {when}; it is {count}"))


class Baseline:
    """The server's descriptor count and RSS once it is up and has served a normal client."""

    def __init__(self, server):
        serve_normal_client(server, SERVE_TIMEOUT, "right after start")
        self.fds = server.fd_count()
        self.rss_kib = server.rss_kib()


def check_recovered(server, baseline, what):
    """(a) alive, (b) serves a normal client, (c) back at the baseline descriptor count,
    after the hostile clients of `what` have gone. Returns a summary."""
    when = f"after {what}"
    check_alive(server, when)
    serve_normal_client(server, SERVE_TIMEOUT, when)
    fds = wait_for_fds(server, baseline.fds, when)
    return f"fds {baseline.fds}->{fds}"


def check_terminates(server, under=None):
    """(d) SIGTERM, `under` naming the hostile load still connected: exit status 0 within the
    grace period + margin. Returns a summary."""
    elapsed, cut_off = server.terminate()
    load = f" under {under}" if under else ""
    return f"SIGTERM{load}: exit 0 in {elapsed:.2f} s ({cut_off} cut off)"


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def describe_reply(reply, expected):
    """How a wrong reply differs from the expected one."""
    if len(reply) != len(expected):
        return f"{len(reply)} bytes instead of {len(expected)}"
    return f"{len(reply)} bytes as expected, but different ones"


# ---------------------------------------------------------------------------------------
# Cases


def case_resets(server, baseline):
    count = 200
    if server.protocol == "http":
        partial, batch = HTTP_REQUEST[:len(HTTP_REQUEST) // 2], HTTP_REQUEST * 1000
    else:
        partial, batch = bytes(100), bytes(range(256)) * (MIB // 256)
    sockets = connect_exactly(server.port, count)
    for sock in sockets:
        sock.send(partial)
        reset(sock)
    sockets = connect_exactly(server.port, count)
    try:
        sent = flood(sockets, batch, len(batch), timeout=LOAD_TIMEOUT, stall=STALLED)
    finally:
        for sock in sockets:
            reset(sock)
    recovered = check_recovered(server, baseline, "the resets")
    return (f"{count} reset after a partial request, {count} after {sum(sent) // count} "
            f"bytes each (of a {len(batch)}-byte batch); {recovered}; "
            f"{check_terminates(server)}")


def case_half_close(server, baseline):
    count = 100
    if server.protocol == "http":
        payloads = [HTTP_REQUEST * 10] * count
        expected = [HTTP_RESPONSE * 10] * count
    else:
        payloads = expected = [os.urandom(64 * 1024) for _ in range(count)]
    sockets = connect_exactly(server.port, count)
    try:
        replies = exchange(sockets, payloads, half_close=True)
    finally:
        close_all(sockets)
    for i, (reply, want) in enumerate(zip(replies, expected)):
        if reply != want:
            raise CaseFailed(f"half-closed connection {i}: expected its whole reply, then end "
                             f"of file; got {describe_reply(reply, want)}")
    recovered = check_recovered(server, baseline, "the half-closed clients")
    return (f"{count} half-closed clients got {len(expected[0])} bytes each, then end of "
            f"file; {recovered}; {check_terminates(server)}")


def burst_round_trips(server, count):
    """Opens `count` connections at once and does one round trip on each; returns the
    sockets, still open, and the seconds it took."""
    request, expected = normal_exchange(server.protocol)
    start = time.monotonic()
    sockets = connect_exactly(server.port, count)
    try:
        replies = exchange(sockets, [request] * count, expect=len(expected))
        wrong = sum(reply != expected for reply in replies)
        if wrong:
            raise CaseFailed(f"expected {count} exact replies; {wrong} differed")
    except CaseFailed:
        close_all(sockets)
        raise
    return sockets, time.monotonic() - start


def case_burst(server, baseline):
    count = 5000
    sockets, seconds = burst_round_trips(server, count)
    close_all(sockets)
    recovered = check_recovered(server, baseline, "the burst")
    sockets, _ = burst_round_trips(server, count)
    try:
        terminated = check_terminates(server, f"{count} connections")
    finally:
        close_all(sockets)
    return f"{count} connections and round trips in {seconds:.2f} s; {recovered}; {terminated}"


class SlowWriters:
    """`count` slowloris connections, each sent one more byte every SLOW_INTERVAL by a thread
    (which reads whatever comes back) until stop(). http: a request head that never ends;
    echo: digits."""

    def __init__(self, server, count):
        self._head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " if (
            server.protocol == "http") else b""
        self._filler = b"a" if server.protocol == "http" else b"0123456789"
        self.sockets = connect_exactly(server.port, count)
        self._ticks = 0
        self._ticked = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _byte(self, tick):
        if tick < len(self._head):
            return self._head[tick:tick + 1]
        tick -= len(self._head)
        return self._filler[tick % len(self._filler):][:1]

    def _run(self):
        live = set(self.sockets)
        with selectors.DefaultSelector() as selector:
            for sock in self.sockets:
                selector.register(sock, selectors.EVENT_READ)
            next_tick = time.monotonic()
            while not self._stop.is_set():
                byte = self._byte(self._ticks)
                for sock in list(live):
                    try:
                        sock.send(byte)
                    except BlockingIOError:
                        pass
                    except OSError:
                        live.discard(sock)
                with self._ticked:
                    self._ticks += 1
                    self._ticked.notify_all()
                next_tick += SLOW_INTERVAL
                while (remaining := next_tick - time.monotonic()) > 0:
                    for key, _ in selector.select(remaining):
                        try:
                            data = key.fileobj.recv(READ_SIZE)
                        except BlockingIOError:
                            continue
                        except OSError:
                            data = b""
                        if not data:
                            selector.unregister(key.fileobj)
                            live.discard(key.fileobj)

    def wait_ticks(self, ticks):
        """Waits until every connection has been sent `ticks` bytes."""
        with self._ticked:
            if not self._ticked.wait_for(lambda: self._ticks >= ticks,
                                         ticks * SLOW_INTERVAL + 5):
                raise CaseFailed(f"the slow writers fell behind: {self._ticks} of {ticks} "
                                 "ticks")

    def stop(self):
        self._stop.set()
        self._thread.join()
        close_all(self.sockets)


def case_slow_writers(server, baseline):
    count, ticks = 500, 30
    writers = SlowWriters(server, count)
    try:
        writers.wait_ticks(ticks // 3)
        served_in = serve_normal_client(server, SERVE_UNDER_LOAD_TIMEOUT,
                                        f"while {count} slow writers trickle")
        writers.wait_ticks(ticks)
    finally:
        writers.stop()
    recovered = check_recovered(server, baseline, "the slow writers")
    writers = SlowWriters(server, count)
    try:
        writers.wait_ticks(5)
        terminated = check_terminates(server, f"{count} slow writers")
    finally:
        writers.stop()
    return (f"{count} slow writers for {ticks * SLOW_INTERVAL:.0f} s, a normal client served "
            f"in {served_in:.3f} s meanwhile; {recovered}; {terminated}")


def slow_reader_chunk(protocol):
    """What a slow reader sends over and over: pipelined requests, or bytes to echo."""
    return HTTP_REQUEST * 2048 if protocol == "http" else bytes(range(256)) * 256


def case_slow_readers(server, baseline):
    count, limit, seconds, rss_allowance_kib = 4, 100 * MIB, 3.0, 64 * 1024
    chunk = slow_reader_chunk(server.protocol)
    sockets = connect_exactly(server.port, count)
    try:
        with PeakSampler(server) as sampler:
            sent = flood(sockets, chunk, limit, timeout=seconds)
            served_in = serve_normal_client(server, SERVE_UNDER_LOAD_TIMEOUT,
                                            f"while {count} slow readers are stuck")
    finally:
        close_all(sockets)
    peak = sampler.peak_rss_kib
    if peak > baseline.rss_kib + rss_allowance_kib:
        raise CaseFailed(f"expected the server's RSS to stay within baseline "
                         f"{mib(baseline.rss_kib)} + {mib(rss_allowance_kib)} while slow "
                         f"readers held it; it peaked at {mib(peak)}")
    recovered = check_recovered(server, baseline, "the slow readers")
    # Flooded until the buffers are full, the server's writers wait. How many SIGTERM then
    # cuts off varies, and is reported, not checked: the kernel reports a socket writable only
    # once a good part of its send buffer is free, but send() takes bytes below that. Shutting
    # down the reading side (EPOLLRDHUP) wakes the writer too, and if the responses to what it
    # has read still fit in that slack, it finishes and ends cleanly within the grace period.
    sockets = connect_exactly(server.port, count)
    try:
        flood(sockets, chunk, limit, timeout=LOAD_TIMEOUT, stall=STALLED)
        terminated = check_terminates(server, f"{count} slow readers")
    finally:
        close_all(sockets)
    return (f"{count} slow readers took {sum(sent) / count / MIB:.1f} MiB each in "
            f"{seconds:.0f} s, a normal client served in {served_in:.3f} s meanwhile, RSS "
            f"{mib(baseline.rss_kib)} -> peak {mib(peak)}; {recovered}; {terminated}")


def malformed_http(server):
    """Sends each kind of malformed input on its own connection; returns a summary."""
    noise = os.urandom(4096).replace(b"\n", b"\0")  # no "\r\n\r\n" in it
    for name, data in (("garbage", b"\x16\x03\x01\x02\x00 NOT HTTP \xff\xfe\r\n"),
                       ("binary noise", noise)):
        with socket.create_connection((HOST, server.port)) as sock:
            reply = exchange([sock], [data], half_close=True)[0]
        if reply:
            raise CaseFailed(f"{name}: expected no reply, then end of file; got {bytes(reply)!r}")
    with socket.create_connection((HOST, server.port)) as sock:
        sock.setblocking(False)
        head = b"GET / HTTP/1.1\r\nX-Long: " + b"a" * MIB
        sent, reply = send_until_closed(sock, head, timeout=5.0)
    if reply:
        raise CaseFailed(f"1 MiB head: expected no reply before the close; got {reply[:200]!r}")
    pipelined = 20000
    with socket.create_connection((HOST, server.port)) as sock:
        reply = exchange([sock], [HTTP_REQUEST * pipelined],
                         expect=len(HTTP_RESPONSE) * pipelined)[0]
    if reply != HTTP_RESPONSE * pipelined:
        raise CaseFailed(f"expected {pipelined} responses to {pipelined} pipelined requests; "
                         f"got {reply.count(HTTP_RESPONSE)} in {len(reply)} bytes")
    with socket.create_connection((HOST, server.port)) as sock:
        bare = b"GET / HTTP/1.1\nHost: 127.0.0.1\n\n"
        reply = exchange([sock], [bare + HTTP_REQUEST], half_close=True)[0]
    if reply not in (HTTP_RESPONSE, HTTP_RESPONSE * 2):
        raise CaseFailed(f"a bare-LF request then a CRLF one: expected 1 or 2 whole responses; "
                         f"got {bytes(reply)!r}")
    return (f"garbage and noise unanswered, 1 MiB head closed after {sent // 1024} KiB, "
            f"{pipelined} pipelined requests answered, bare-LF request + CRLF request got "
            f"{reply.count(HTTP_RESPONSE)} response(s)")


def malformed_echo(server):
    """Sends binary noise and 20,000 messages in one write; both must come back exactly."""
    count = 20000
    messages = b"".join(b"message %05d\n" % i for i in range(count))
    for data in (os.urandom(256 * 1024), messages):
        with socket.create_connection((HOST, server.port)) as sock:
            reply = exchange([sock], [data], half_close=True)[0]
        if reply != data:
            raise CaseFailed(f"expected {len(data)} bytes echoed back exactly; got "
                             f"{describe_reply(reply, data)}")
    return f"256 KiB of noise and {count} messages ({len(messages)} bytes) in one write echoed"


def case_malformed(server, baseline):
    summary = malformed_http(server) if server.protocol == "http" else malformed_echo(server)
    recovered = check_recovered(server, baseline, "the malformed input")
    return f"{summary}; {recovered}; {check_terminates(server)}"


FD_CONNECTIONS = 20000
FD_CHILDREN = 3  # processes holding the idle connections, so that none runs out of descriptors
# Connections opened per round; the next round waits until the server has accepted them. Fewer
# than the server's listen backlog (1024): when the backlog overflows, the kernel drops the
# handshake's last ACK and, with SYN cookies, the client believes it is connected while the
# server never hears of it again (an idle client sends nothing that would tell it).
FD_ROUND = 900
FD_ROUND_TIMEOUT = 2.0  # for the connects of one round
FD_SPIKE_TIMEOUT = 30.0  # for all the rounds
FD_CHILD_HOLD_LIMIT = 90.0  # a child closes its connections after this silence, whatever happens


def hold_idle_connections(port, pipe):
    """Child process: for each count it receives, opens that many idle connections and sends
    back how many connected; on "close" (or after FD_CHILD_HOLD_LIMIT without a word) closes
    them all and says "closed"."""
    sockets = []
    while pipe.poll(FD_CHILD_HOLD_LIMIT) and (count := pipe.recv()) != "close":
        connected, _ = connect_all(port, count, time.monotonic() + FD_ROUND_TIMEOUT)
        sockets += connected
        pipe.send(len(connected))
    close_all(sockets)
    pipe.send("closed")


def start_holders(port):
    """Starts FD_CHILDREN processes running hold_idle_connections; returns them and the
    suite's ends of their pipes."""
    context = multiprocessing.get_context("fork")
    processes, pipes = [], []
    for _ in range(FD_CHILDREN):
        ours, theirs = context.Pipe()
        process = context.Process(target=hold_idle_connections, args=(port, theirs), daemon=True)
        process.start()
        processes.append(process)
        pipes.append(ours)
    return processes, pipes


def receive(pipe, deadline, what):
    if not pipe.poll(max(deadline - time.monotonic(), 0)):
        raise CaseFailed(f"a client process did not report {what} in time")
    return pipe.recv()


def wait_for_accepts(server, target, deadline):
    """Polls until the server holds `target` descriptors; returns its count. Fails at the
    deadline."""
    return poll_fd_count(
        server, lambda count: count >= target, deadline,
        lambda count: (f"expected the server to accept idle connections until it holds "
                       f"{target} descriptors (its limit: {server.fd_limit()}); it stopped at "
                       f"{count}"))


def fill_descriptor_table(server, baseline, pipes):
    """Has the holders open FD_CONNECTIONS idle connections, FD_ROUND at a time, each round
    accepted before the next. Returns (how many connected, the server's descriptor count);
    fails unless that reached the server's limit."""
    limit = server.fd_limit()
    deadline = time.monotonic() + FD_SPIKE_TIMEOUT
    connected = held = 0
    while connected < FD_CONNECTIONS and time.monotonic() < deadline:
        batch = min(FD_ROUND, FD_CONNECTIONS - connected)
        for i, pipe in enumerate(pipes):
            pipe.send(batch // len(pipes) + (i < batch % len(pipes)))
        connected += sum(receive(pipe, deadline, "its connections") for pipe in pipes)
        held = wait_for_accepts(server, min(limit, baseline.fds + connected), deadline)
    if held < limit:
        raise CaseFailed(f"expected {FD_CONNECTIONS} idle connections to fill the server's "
                         f"descriptor table ({limit}); {connected} connected, it holds {held}")
    return connected, held


def close_idle_connections(pipes):
    for pipe in pipes:
        pipe.send("close")
    deadline = time.monotonic() + 10
    for pipe in pipes:
        receive(pipe, deadline, "that it closed its connections")


def case_fd_exhaustion(server, baseline, sanitizer):
    rss_before = baseline.rss_kib
    processes, pipes = start_holders(server.port)
    try:
        with PeakSampler(server) as sampler:
            connected, full = fill_descriptor_table(server, baseline, pipes)
            check_alive(server, "while its descriptor table is full")
            close_idle_connections(pipes)
        closed_at = time.monotonic()
    finally:
        for process in processes:
            process.kill()
            process.join()
    recovered = check_recovered(server, baseline, "the idle connections closed")
    time.sleep(max(closed_at + 5 - time.monotonic(), 0))  # a measuring point, not a wait
    rss_after = server.rss_kib()
    rss = (f"RSS before {mib(rss_before)}, peak {mib(sampler.peak_rss_kib)}, 5 s after "
           f"{mib(rss_after)}")
    summary = (f"{connected} of {FD_CONNECTIONS} idle connections connected, the server's "
               f"table full at {full}; {recovered}; {rss}; {check_terminates(server)}")
    rss_limit = 2 * rss_before + 16 * 1024
    if not sanitizer and rss_after > rss_limit:
        raise CaseFailed(f"expected RSS 5 s after the spike <= 2 x before + 16 MiB = "
                         f"{mib(rss_limit)}; got {mib(rss_after)} (the other checks held: "
                         f"{summary})")
    return summary


SERVER_CASES = {
    "resets": case_resets,
    "half_close": case_half_close,
    "burst": case_burst,
    "slow_writers": case_slow_writers,
    "slow_readers": case_slow_readers,
    "malformed": case_malformed,
    "fd_exhaustion": case_fd_exhaustion,
}


def run_server_case(args):
    if args.case == "fd_exhaustion" and args.sanitizer == "address":
        raise Skipped("under ASan+UBSan a full descriptor table starves the sanitizer runtime "
                      "itself (UBSan then reports a false 'invalid vptr')")
    fd_limit = FD_CONNECTIONS if args.case == "fd_exhaustion" else None
    server = Server(args.binary, args.protocol, fd_limit)
    try:
        baseline = Baseline(server)
        if args.case == "fd_exhaustion":
            return case_fd_exhaustion(server, baseline, args.sanitizer)
        return SERVER_CASES[args.case](server, baseline)
    except (CaseFailed, OSError) as failure:
        server.close()
        raise CaseFailed(f"{failure}\n{server.report()}") from None
    finally:
        server.close()


# ---------------------------------------------------------------------------------------
# Bad configuration

BAD_SETTINGS = [
    ("WEFT_REACTOR_MODE", "foo", "reactor_mode"),
    ("WEFT_WORKER_THREADS", "0", "worker_threads"),
    ("WEFT_WORKER_THREADS", "99999999999", "worker_threads"),
    ("WEFT_THREAD_STACK_SIZE", "100G", "thread_stack_size"),
]
CONFIG_ARGUMENTS = {
    "server": ["0"],
    "hello": [],
    "bench": ["sched", "spawn_many_local", "--workers", "1", "--seconds", "0.1"],
}
CONFIG_TIMEOUT = 10.0


def check_bad_setting(command, variable, value, key):
    """Runs `command` with `variable`=`value`; returns None if it exited with status 1 within
    CONFIG_TIMEOUT, printing one stderr line that names `key`, or else what happened."""
    env = {name: text for name, text in os.environ.items() if not name.startswith("WEFT_")}
    env[variable] = value
    try:
        result = subprocess.run(command, env=env, stdin=subprocess.DEVNULL,
                                capture_output=True, timeout=CONFIG_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"{variable}={value}: still running after {CONFIG_TIMEOUT:.0f} s"
    stderr = result.stderr.decode(errors="replace")
    lines = stderr.split("\n")
    one_line = len(lines) == 2 and lines[0].strip() and lines[1] == ""
    if result.returncode == 1 and one_line and key in lines[0]:
        return None
    return (f"{variable}={value}: expected exit status 1 and one stderr line naming "
            f"'{key}'; got {describe_status(result.returncode)}, stderr {stderr!r}")


def run_config_case(args):
    command = [args.binary, *CONFIG_ARGUMENTS[args.kind]]
    settings = [setting for setting in BAD_SETTINGS
                if not (args.kind == "bench" and setting[0] == "WEFT_WORKER_THREADS")]
    failures = [failure for setting in settings
                if (failure := check_bad_setting(command, *setting)) is not None]
    if failures:
        raise CaseFailed("\n".join(failures))
    return f"{len(settings)} bad settings each rejected with status 1 and one line naming the key"


# ---------------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", required=True, choices=[*SERVER_CASES, "config"])
    parser.add_argument("--binary", required=True, help="the program under test")
    parser.add_argument("--protocol", choices=["echo", "http"],
                        help="the server's protocol (server cases)")
    parser.add_argument("--kind", choices=list(CONFIG_ARGUMENTS),
                        help="how to start the program (config case)")
    parser.add_argument("--sanitizer", default="",
                        help="WEFT_SANITIZER of the build: '', 'address' or 'thread'")
    args = parser.parse_args()
    if args.case == "config" and not args.kind:
        parser.error("--case config needs --kind")
    if args.case != "config" and not args.protocol:
        parser.error(f"--case {args.case} needs --protocol")
    return args


def main():
    args = parse_args()
    name = (f"config.{args.kind} ({os.path.basename(args.binary)})" if args.case == "config"
            else f"{args.protocol}.{args.case}")
    raise_fd_limit()
    start = time.monotonic()
    try:
        summary = run_config_case(args) if args.case == "config" else run_server_case(args)
    except Skipped as reason:
        print(f"SKIP hostile.{name}: {reason}")
        return SKIP_STATUS
    except CaseFailed as failure:
        print(f"FAIL hostile.{name}: {failure}")
        return 1
    print(f"PASS hostile.{name} in {time.monotonic() - start:.1f} s: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
