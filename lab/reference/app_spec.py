"""How an app is named, as uvicorn (and the lab's --app) reads it: a file, path/to/main.py[:attr],
or an import string, package.module:attr; and the folder its modules are imported from. The
probe (app_probe.py) imports the app by these rules, and the RQ worker of a student's app
(rq_worker.py --every-queue) imports the jobs' functions from the same folder."""
import os


def is_dotted(name):
    return bool(name) and all(part.isidentifier() for part in name.split("."))


def names_a_file(spec):
    """As the lab's --app reads it: a path (a '/' or '.py') or an import string package.module:attr."""
    return "/" in spec or spec.endswith(".py") or ".py:" in spec


def split_spec(spec):
    """"app/main.py:app" -> ("app/main.py", "app"); the attribute is what follows the last ':' if
    it is a (dotted) Python name, else `app` (a ':' in a path is not one)."""
    target, colon, attr = spec.rpartition(":")
    if not colon or not is_dotted(attr):
        return spec, "app"
    return target, attr


def file_module(path, folder):
    """A file -> (the folder to import from, its module's dotted name), as Python would name it:
    up through the folders that are packages (have __init__.py), so relative imports work.
    ValueError says why a file cannot be imported."""
    path = os.path.normpath(os.path.join(folder, path))  # (an absolute path stays itself)
    name = os.path.basename(path)
    if not name.endswith(".py"):
        raise ValueError(f"{name} is not a Python file (give the .py file that makes your app)")
    if not os.path.isfile(path):
        raise ValueError(f"{path}: no such file")
    root, parts = os.path.dirname(path), [] if name == "__init__.py" else [name[:-3]]
    while os.path.isfile(os.path.join(root, "__init__.py")):
        root, package = os.path.split(root)
        parts.insert(0, package)
    module = ".".join(parts)
    if not is_dotted(module):
        raise ValueError(f"{path}: {module!r} is not a name Python can import (rename the file or folder)")
    return root, module


def app_module(spec, folder):
    """(the folder an app's modules are imported from, the app's module): a file's package root
    and dotted name, else `folder` and the import string's module."""
    if names_a_file(spec):
        root, module = file_module(split_spec(spec)[0], folder)
        return os.path.abspath(root), module
    return os.path.abspath(folder), spec.partition(":")[0]
