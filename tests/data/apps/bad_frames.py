# A WebSocket server that answers the handshake and then sends, every 100 ms, a text frame that is
# not UTF-8 (RFC 6455 makes the client close): the lab's client must say what it was sent, never
# that the server dropped it. Prints "listening on http://127.0.0.1:PORT", as `lab serve` does.
import base64
import hashlib
import socket
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def serve(conn):
    head = b""
    while b"\r\n\r\n" not in head:
        head += conn.recv(4096)
    key = next(line.split(b":", 1)[1].strip() for line in head.split(b"\r\n")
               if line.lower().startswith(b"sec-websocket-key"))
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    try:
        while True:
            conn.sendall(b"\x81\x02\xff\xfe")  # FIN, text, 2 bytes: not UTF-8
            time.sleep(0.1)
    except OSError:
        pass


listener = socket.create_server(("127.0.0.1", 0))
print(f"listening on http://127.0.0.1:{listener.getsockname()[1]}", flush=True)
while True:
    threading.Thread(target=serve, args=(listener.accept()[0],), daemon=True).start()
