#!/usr/bin/env python3
"""A TCP relay for the HA tests: LISTEN_PORT on 127.0.0.1 forwards to TARGET_PORT on TARGET_HOST
(a loopback address, 127.0.0.1 when not given).

  tcp-relay.py LISTEN_PORT TARGET_PORT [TARGET_HOST]

Stands for the network between two storage nodes (ha-failover.sh). SIGSTOP freezes it (a
partition: no FIN, no RST, packets simply stop, as when a switch dies); SIGCONT heals it. It also
lets the QEMU guest, which reaches only the host's 127.0.0.1, reach a portal on another loopback
address such as the local stack's node 2 on 127.0.0.2 (ha-product.sh).
"""
import socket
import sys
import threading


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main():
    listen_port, target_port = int(sys.argv[1]), int(sys.argv[2])
    target_host = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
    if not target_host.startswith("127."):
        sys.exit("tcp-relay: the target must be a loopback address, not " + target_host)
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", listen_port))
    server.listen(64)
    print("relay ready", flush=True)
    while True:
        client, _ = server.accept()
        try:
            upstream = socket.create_connection((target_host, target_port), timeout=5)
            upstream.settimeout(None)
        except OSError:
            client.close()
            continue
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=pump, args=(a, b), daemon=True).start()


if __name__ == "__main__":
    main()
