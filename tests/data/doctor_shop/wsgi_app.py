# A Flask app: WSGI, not ASGI. The lab refuses it: "your app: ... is a WSGI app (Flask)".
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "hello"
