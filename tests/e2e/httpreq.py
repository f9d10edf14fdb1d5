#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""httpreq.py - the HTTP client side of the metrics test (run inside a namespace).

  httpreq.py get HOST PORT METHOD PATH OUT   HTTP/1.1 request; prints "STATUS CONTENT-TYPE
                                             CONTENT-LENGTH", the body goes to OUT
  httpreq.py raw HOST PORT TEXT              send TEXT (Python escapes allowed), print the
                                             response's first line, or "closed" when the server
                                             closes without a response
  httpreq.py hold HOST PORT N                open N connections that send nothing; print `ready`,
                                             then keep them until SIGTERM
"""
import http.client
import signal
import socket
import sys
import time


def get(host, port, method, path, out):
    c = http.client.HTTPConnection(host, int(port), timeout=10)
    c.request(method, path)
    r = c.getresponse()
    body = r.read()
    with open(out, "wb") as f:
        f.write(body)
    print(r.status, r.getheader("Content-Type"), r.getheader("Content-Length"))


def raw(host, port, text):
    try:
        s = socket.create_connection((host, int(port)), timeout=10)
        s.sendall(text.encode().decode("unicode_escape").encode("latin-1"))
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except ConnectionRefusedError:
        print("refused")
        return
    except OSError:  # reset
        data = b""
    print(data.split(b"\r\n")[0].decode() if data else "closed")


def hold(host, port, n):
    socks = [socket.create_connection((host, int(port)), timeout=10) for _ in range(int(n))]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    while True:
        time.sleep(1)
    del socks


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"get": get, "raw": raw, "hold": hold}[cmd](*args)


if __name__ == "__main__":
    main()
