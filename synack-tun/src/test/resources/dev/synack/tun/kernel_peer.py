"""A kernel-side TCP peer for synack's TUN interop tests (runs inside the test's network namespace).

  kernel_peer.py client HOST PORT SEND_BYTES   connect, then at once:
  kernel_peer.py server PORT SEND_BYTES        listen (prints "listening"), accept one, then at once:
      send SEND_BYTES of seeded pseudo-random data (see pump) then shutdown(SHUT_WR), and read to end of stream;
      finally print "sent N SHA256" and "recv M SHA256".
Errors print "error ERRNO_NAME" and exit 1.
"""
import errno
import hashlib
import random
import socket
import struct
import sys
import threading


def pump(sock, send_bytes, out):
    sent_hash = hashlib.sha256()
    # Cheap yet order-sensitive data: chunk i is its 8-byte index, then a window of a random block.
    base = random.Random(7).randbytes(1 << 17)
    left = send_bytes
    i = 0
    try:
        while left > 0:
            off = (i * 4099) % (1 << 16)
            chunk = (struct.pack("<Q", i) + base[off:off + 65528])[:min(65536, left)]
            i += 1
            sock.sendall(chunk)
            sent_hash.update(chunk)
            left -= len(chunk)
        sock.shutdown(socket.SHUT_WR)
    except OSError as e:
        out['send_error'] = errno.errorcode.get(e.errno, str(e.errno))
    out['sent'] = (send_bytes - left, sent_hash.hexdigest())


def exchange(sock, send_bytes):
    out = {}
    t = threading.Thread(target=pump, args=(sock, send_bytes, out))
    t.start()
    recv_hash = hashlib.sha256()
    total = 0
    try:
        while True:
            b = sock.recv(1 << 20)
            if not b:
                break
            recv_hash.update(b)
            total += len(b)
    except OSError as e:
        print("recv_error", errno.errorcode.get(e.errno, str(e.errno)), flush=True)
    t.join()
    if 'send_error' in out:
        print("send_error", out['send_error'], flush=True)
    print("sent", out['sent'][0], out['sent'][1], flush=True)
    print("recv", total, recv_hash.hexdigest(), flush=True)


def main():
    mode = sys.argv[1]
    try:
        if mode == "client":
            s = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=30)
            s.settimeout(120)
            exchange(s, int(sys.argv[4]))
        elif mode == "server":
            ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind(("0.0.0.0", int(sys.argv[2])))
            ls.listen(4)
            ls.settimeout(60)
            print("listening", flush=True)
            s, _ = ls.accept()
            s.settimeout(120)
            print("accepted", flush=True)
            exchange(s, int(sys.argv[3]))
        else:
            raise SystemExit("unknown mode " + mode)
    except OSError as e:
        print("error", errno.errorcode.get(e.errno, str(e)), flush=True)
        sys.exit(1)


main()
