#!/usr/bin/python3
"""No function of lab/ or harness/ runs over 60 lines, its signature and closing brace included: a
student reads one on a screen. A function is a brace block opened, at namespace or class scope,
after a parenthesised parameter list (a lambda or a block inside a function counts as part of it).

    /usr/bin/python3 tests/function_length.py [CHECKOUT]    # exit 1 and a line per long function
"""
import pathlib
import re
import sys

MOST = 60
root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)


def code_of(text):
    """The text with comments, strings and characters blanked, line breaks kept."""
    pattern = re.compile(r'//[^\n]*|/\*.*?\*/|R"(\w*)\(.*?\)\1"|"(?:\\.|[^"\\\n])*"|'
                         r"'(?:\\.|[^'\\\n])*'", re.S)
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def long_functions(path):
    code = code_of(path.read_text())
    scopes = []  # per open brace: "scope" (namespace, class, ...) or (start line of a function)
    head_start, head = 0, ""  # what came since the last ; { or }, and where it began
    line = 1
    for c in code:
        if c == "\n":
            line += 1
        if c in ";{}":
            words = head.strip()
            inside = any(s != "scope" for s in scopes)
            if c == "{" and not inside:
                is_function = "(" in words and not re.search(r"^\s*(namespace|class|struct|"
                                                             r"enum|union|extern)\b", words) \
                    and not re.search(r"=\s*$", words) and not words.endswith(",")
                scopes.append(head_start if is_function else "scope")
            elif c == "{":
                scopes.append("block")
            elif c == "}" and scopes:
                opened = scopes.pop()
                if isinstance(opened, int) and line - opened + 1 > MOST:
                    yield opened, line - opened + 1
            head, head_start = "", line
            continue
        if not head.strip() and not c.isspace():
            head_start = line
        head += c


if __name__ == "__main__":
    found = []
    for path in sorted(root.glob("lab/**/*.[ch]pp")) + sorted(root.glob("harness/**/*.[ch]pp")):
        for start, length in long_functions(path):
            found.append(f"{path.relative_to(root)}:{start}: a function of {length} lines (at most {MOST})")
    print("\n".join(found) if found else f"no function over {MOST} lines")
    sys.exit(1 if found else 0)
