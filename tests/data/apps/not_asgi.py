# Not an ASGI app: `app` is a string.
app = "hello"
