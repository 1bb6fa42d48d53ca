"""An ASGI app's routes as `lab doctor` reads them: each route's method, path, handler, whether it
is `async def`, its path and query parameters with their types, and its body's schema.

FastAPI apps are read from their own OpenAPI schema (what they declare), Starlette apps from their
route list. The probe (app_probe.py) answers GET /__lab/routes with list_routes(app) and names each
request's route with RouteIndex; for a server already running without the probe (`lab doctor
--target`), the same reading of its /openapi.json:

    python3 lab/reference/app_routes.py --openapi FILE    # one line of JSON: {"routes": [...]}
"""
import inspect
import json
import sys

TYPES = {"integer": "integer", "number": "number", "string": "string", "boolean": "boolean", "array": "array",
         int: "integer", float: "number", str: "string", bool: "boolean", list: "array"}


def routes_owner(app):
    """The object holding the app's routes: the student's FastAPI or Starlette object, or the one
    their middleware wraps (each ASGI middleware keeps the next app as .app); None if bare ASGI."""
    for _ in range(32):
        if app is None or isinstance(getattr(app, "routes", None), list):
            return app
        app = getattr(app, "app", None)
    return None


def walk_routes(routes, prefix="", schema=None):
    """(kind, full path, path inside its app, route, that app's OpenAPI schema or None), through
    Mounts of routed apps; a Mount of anything else (StaticFiles) is one "mount"."""
    for route in routes:
        inner = getattr(route, "routes", None) if hasattr(route, "app") else None
        if inner:  # a Mount (or Host) of a Router, Starlette or FastAPI app
            mounted = getattr(route, "app", None)
            yield from walk_routes(inner, prefix + getattr(route, "path", ""), openapi_of(mounted) or schema)
        elif hasattr(route, "app") and not hasattr(route, "endpoint"):
            yield "mount", prefix + getattr(route, "path_format", getattr(route, "path", "")), "", route, None
        elif hasattr(route, "endpoint"):
            kind = "http" if getattr(route, "methods", ...) is not ... else "websocket"
            yield kind, prefix + route.path_format, route.path_format, route, schema


def openapi_of(app):
    """A FastAPI app's OpenAPI schema (what it declares of parameters and bodies), else None."""
    try:
        return app.openapi() if callable(getattr(app, "openapi", None)) else None
    except Exception:  # a model FastAPI cannot describe: the routes are still listed, from Starlette
        return None


def resolved(schema, components):
    """A schema with its $ref (or FastAPI's allOf [one $ref]) replaced by the component."""
    schema = dict(schema or {})
    if len(schema.get("allOf", ())) == 1:
        schema = {**schema.pop("allOf")[0], **schema}
    for choice in schema.pop("anyOf", None) or ():  # Optional[X]: X
        if choice.get("type") != "null":
            schema = {**choice, **schema}
            break
    ref = schema.pop("$ref", "")
    if ref.startswith("#/components/schemas/"):
        schema = {**components.get(ref.rsplit("/", 1)[1], {}), **schema}
    return schema


def openapi_parts(operation, schema):
    """An OpenAPI operation's path and query parameters, and its body, as /__lab/routes lists them."""
    components = schema.get("components", {}).get("schemas", {})
    params = []
    for given in operation.get("parameters", ()):
        if given.get("in") in ("path", "query"):
            typed = resolved(given.get("schema"), components)
            param = {"name": given["name"], "in": given["in"], "type": TYPES.get(typed.get("type"), "other"),
                     "required": bool(given.get("required")), "default": typed.get("default")}
            if "enum" in typed:
                param["enum"] = typed["enum"]
            params.append(param)
    body, asked = None, operation.get("requestBody")
    if asked:
        content_type, content = next(iter(asked.get("content", {}).items()), ("application/json", {}))
        top = resolved(content.get("schema"), components)  # and its fields' own $refs, one level
        if "properties" in top:
            top["properties"] = {k: resolved(v, components) for k, v in top["properties"].items()}
        body = {"required": bool(asked.get("required")), "content_type": content_type, "schema": top}
    return params, body


def starlette_parts(route):
    """Without OpenAPI: a FastAPI route's parameters from its dependant (its body field, if any,
    without its schema), else the path parameters of the route's convertors."""
    dependant, kinds = getattr(route, "dependant", None), {"IntegerConvertor": "integer", "FloatConvertor": "number"}
    params = [] if dependant else [
        {"name": name, "in": "path", "type": kinds.get(type(convertor).__name__, "string"), "required": True,
         "default": None} for name, convertor in getattr(route, "param_convertors", {}).items()]
    for where in ("path", "query"):
        params += [{"name": field.alias, "in": where, "type": TYPES.get(field.outer_type_, "other"),
                    "required": bool(field.required), "default": None if field.required else field.default}
                   for field in getattr(dependant, f"{where}_params", ())]
    field = getattr(route, "body_field", None)
    body = field and {"required": bool(field.required), "content_type": "application/json", "schema": None}
    return params, body


def list_routes(app):
    """GET /__lab/routes: each route the app serves, what it takes, and whether it is async."""
    owner = routes_owner(app)
    if owner is None:
        return {"routes": [], "source": "none"}
    top, listed = openapi_of(owner), []
    for kind, path, local, route, schema in walk_routes(owner.routes, "", top):
        endpoint = getattr(route, "endpoint", getattr(route, "app", None))
        if kind == "http" and (getattr(endpoint, "__module__", "") or "").startswith("fastapi."):
            continue  # FastAPI's own /docs, /redoc, /openapi.json: not the student's to be called
        entry = {"kind": kind, "path": path, "name": getattr(route, "name", "") or "",
                 "endpoint": f"{getattr(endpoint, '__module__', '?')}:"
                             f"{getattr(endpoint, '__qualname__', type(endpoint).__name__)}",
                 "is_async": inspect.iscoroutinefunction(endpoint)}
        methods = sorted(getattr(route, "methods", None) or ()) if kind == "http" else [None]
        if "GET" in methods and "HEAD" in methods:
            methods.remove("HEAD")  # (Starlette answers HEAD for every GET route)
        for method in methods or ["*"]:  # (a Route given a bare ASGI app takes any method)
            operation = ((schema or {}).get("paths", {}).get(local, {}).get((method or "").lower())
                         if kind == "http" else None)
            params, body = (openapi_parts(operation, schema) if operation
                            else starlette_parts(route) if kind == "http" else ([], None))
            listed.append({**({"method": method} if method else {}), **entry, "params": params, "body": body})
    return {"routes": listed, "source": "openapi" if top else "starlette"}


class RouteIndex:
    """scope["endpoint"] (which Starlette's router sets in the shared scope) -> the path template
    of the route that served the request, e.g. /price/{item_id}. Asked at the report, not as the
    request runs: a request keeps only its endpoint, method and path."""

    def __init__(self, app):
        self.owner, self.size, self.templates = routes_owner(app), -1, {}

    def template(self, endpoint, method, path):
        if endpoint is None or self.owner is None:
            return ""
        found = self.templates.get(id(endpoint))
        if found is None and len(self.owner.routes) != self.size:  # routes added since: look again
            self.build()
            found = self.templates.get(id(endpoint))
        if not found:
            return ""
        for template, methods, pattern in found:  # (one endpoint may serve several routes)
            if len(found) == 1 or (method in (methods or (method,)) and pattern and pattern.match(path)):
                return template
        return found[0][0]

    def of(self, record):
        """A record's route template (Ledger.report names each record's route with this)."""
        return self.template(record.endpoint, record.method, record.path_str)

    def build(self):
        try:
            from starlette.routing import compile_path
        except ImportError:
            compile_path = None
        self.size, self.templates = len(self.owner.routes), {}
        for kind, path, _, route, _ in walk_routes(self.owner.routes):
            endpoint = getattr(route, "endpoint", getattr(route, "app", None))
            self.templates.setdefault(id(endpoint), []).append(
                (path, getattr(route, "methods", None), compile_path(path)[0] if compile_path else None))


def routes_from_openapi(schema):
    """A running server's /openapi.json as /__lab/routes lists routes (its handlers unknown)."""
    listed = []
    for path, operations in (schema.get("paths") or {}).items():
        for method, operation in operations.items():
            if method.upper() not in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
                continue  # (a path's shared "parameters" or "summary")
            params, body = openapi_parts(operation, schema)
            listed.append({"method": method.upper(), "kind": "http", "path": path,
                           "name": operation.get("operationId", ""), "endpoint": "", "is_async": False,
                           "params": params, "body": body})
    return {"routes": listed, "source": "openapi"}


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "--openapi":
        sys.exit("usage: app_routes.py --openapi FILE")
    with open(sys.argv[2], encoding="utf-8") as given:
        print(json.dumps(routes_from_openapi(json.load(given)), separators=(",", ":")), flush=True)
