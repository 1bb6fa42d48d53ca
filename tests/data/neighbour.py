"""Another user of the machine, as the tests run it (as `nobody`, by runuser, where they run as
root): what it may do to a run it did not start.

    neighbour.py get PORT PATH       the status of GET PATH on 127.0.0.1:PORT, as a number
    neighbour.py flood SOCKET N      N datagrams to a live view's marks socket: "sent N", or why not
"""
import socket
import sys


def get(port, path):
    with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        print(s.recv(4096).split(b" ")[1].decode())


def flood(path, count):
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            for _ in range(int(count)):
                s.sendto(b"s 1 1 1 /forged", path)
        print(f"sent {count}")
    except OSError as e:
        print(f"refused: {e.strerror}")


if __name__ == "__main__":
    {"get": get, "flood": flood}[sys.argv[1]](*sys.argv[2:])
