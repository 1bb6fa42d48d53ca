#!/usr/bin/python3
"""No two files of one unity-built target give a file-private name the same spelling.

A unity build (CMakeLists.txt, LAB_UNITY_BUILD) compiles a target's files a batch at a time, each
batch one translation unit that #includes them, so the files' anonymous namespaces become one, and
so does their file scope. Two files that both define `helper` there then fail to compile, or,
worse, when the two are functions of different parameters, compile as two overloads of one name,
and a call in one file can quietly take the other file's function. Which files share a batch
changes whenever a file is added, so every pair in the target counts.

    /usr/bin/python3 tests/unity_names.py --target NAME FILE... [--target NAME FILE...]

exits 1 with one line per clash. tests/CMakeLists.txt passes each unity target's .cpp files, less
those it keeps out of its batches (SKIP_UNITY_BUILD_INCLUSION), as ctest's `unity-names`.

What it reads as a file-private name, in each .cpp file (comments, strings and preprocessor lines
removed first), one declaration at a time:
  - a name declared directly inside `namespace { ... }`: a function, a struct/class/union/enum, a
    `using NAME =` or `namespace NAME =` alias, a variable (the name before the first `(`, `=`,
    `{`, `[` or `;` outside template brackets);
  - at file scope or in a named namespace, a declaration marked `static`, and a `const` or
    `constexpr` variable (internal linkage without the word `static`);
  - a function, type or variable defined at file scope outside every namespace (a test's helper
    left out of `namespace {}`: external, so two of them with different parameters link without
    complaint, and in one batch silently become overloads);
  - a macro the file #defines and does not #undef (it reaches every later file of its batch).
Two aliases of one name for the same thing (`namespace fs = std::filesystem;` in many files) are
allowed, as C++ allows them. A member or function defined by its qualified name (`Server::run`)
is not a new name, nor is a call of a macro such as TEST_CASE (upper-case names).
What it does not see: a second declarator (`int a, b;`: only `a`), operators, names declared by a
macro, names in a named namespace inside the anonymous one, and a file-private name that hides
one another file brings in by `using namespace`. Most of these fail to compile when they clash;
the script is a first line, the compiler the second.
"""
import pathlib
import re
import sys
from collections import defaultdict

RAW_STRING = re.compile(r'R"([^(\s]{0,16})\((.*?)\)\1"', re.S)
LITERAL_OR_COMMENT = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
DIRECTIVE = re.compile(r'^[ \t]*#(?:[^\n]*\\\n)*[^\n]*', re.M)
MACRO = re.compile(r'^[ \t]*#[ \t]*(define|undef)[ \t]+([A-Za-z_]\w*)', re.M)
TOKEN = re.compile(r'[A-Za-z_]\w*|::|->|>>|""|\d[\w\'.]*|\S')
IDENTIFIER = re.compile(r'[A-Za-z_]\w*$')
TYPE_KEYS = {"struct", "class", "union", "enum"}
NOT_NAMES = {"template", "typename", "inline", "extern", "static", "constexpr", "const", "consteval",
             "constinit", "thread_local", "mutable", "volatile", "unsigned", "signed", "noexcept",
             "override", "final", "auto", "void", "decltype", "operator", "return"} | TYPE_KEYS


def kept_lines(text, replacement=" "):
    """`replacement`, followed by the newlines of `text`, so that line numbers still count."""
    return replacement + "\n" * text.count("\n")


def without_literals(text):
    """The file less its comments; each string and character literal becomes `""`."""
    text = RAW_STRING.sub(lambda m: kept_lines(m.group(0), '""'), text)
    return LITERAL_OR_COMMENT.sub(
        lambda m: kept_lines(m.group(0), " " if m.group(0)[0] == "/" else '""'), text)


def tokens_of(code):
    """(token, line) pairs."""
    line, at, out = 1, 0, []
    for m in TOKEN.finditer(code):
        line += code.count("\n", at, m.start())
        at = m.start()
        out.append((m.group(0), line))
    return out


def after_template_head(words):
    """`words` less a leading template<...>."""
    if words[:1] != ["template"]:
        return words
    depth = 0
    for i, w in enumerate(words[1:], 1):
        depth += (w == "<") - (w == ">") - 2 * (w == ">>")
        if depth <= 0:
            return words[i + 1:]
    return []


def declared(words):
    """(name, what) one declaration defines, from its words up to and with its `{` or `;`; what
    is 'type', 'alias', 'function' or 'variable'; (None, what) when it names nothing we read."""
    words = after_template_head(words)
    if words[:1] in (["using"], ["namespace"]):  # using NAME = ...; namespace NAME = ...;
        return (words[1], "alias") if words[2:3] == ["="] else (None, "alias")
    for i, w in enumerate(words[:3]):
        if w in TYPE_KEYS:
            rest = [x for x in words[i + 1:] if x not in ("class", "struct", "final")]
            if rest and IDENTIFIER.match(rest[0]) and rest[1:2] in ([":"], ["{"], [";"]):
                return rest[0], "type"
    angle = 0
    for i, w in enumerate(words):
        if w == "<" and i > 0 and IDENTIFIER.match(words[i - 1]):
            angle += 1
        elif w in (">", ">>") and angle:
            angle = max(0, angle - len(w))
        elif angle == 0 and w in ("(", "=", "{", "[", ";"):
            before = words[i - 1] if i else ""
            what = "function" if w == "(" else "variable"
            if IDENTIFIER.match(before) and before not in NOT_NAMES and "operator" not in words[:i]:
                return before, what
            return None, what
    return None, "variable"


def private_names(path):
    """[(name, line, kind)] of one .cpp file, kind 'anonymous namespace', 'static', 'const' or 'macro'."""
    text = without_literals(path.read_text())
    defined = {}
    for m in MACRO.finditer(text):
        if m.group(1) == "define":
            defined[m.group(2)] = text.count("\n", 0, m.start()) + 1
        else:
            defined.pop(m.group(2), None)
    found = [(name, line, "macro") for name, line in defined.items()]

    tokens = tokens_of(DIRECTIVE.sub(lambda m: kept_lines(m.group(0)), text))
    scopes = []          # the namespaces around: 'anonymous', or 'namespace' (named, or extern "C")
    declaration = []     # the (word, line)s of the declaration being read; None: noted, skip to `;`
    i = 0
    while i < len(tokens):
        word, line = tokens[i]
        i += 1
        if word == "}":  # a namespace's end (every other body is skipped whole below)
            scopes = scopes[:-1]
            declaration = []
        elif word == "{" and declaration and declaration[0][0] in ("namespace", "extern") and all(
                IDENTIFIER.match(t) or t in ("::", '""') for t, _ in declaration[1:]):
            scopes.append("anonymous" if len(declaration) == 1 else "namespace")
            declaration = []
        elif word == "{":  # a function's body, a type's, or a variable's braces: skipped whole
            what = note(found, declaration, scopes, (word, line))
            depth = 1
            while i < len(tokens) and depth:
                depth += (tokens[i][0] == "{") - (tokens[i][0] == "}")
                i += 1
            # a function's body or a type's ends the declaration; a variable's braces do not
            declaration = None if what == "variable" else []
        elif word == ";":
            note(found, declaration, scopes, (word, line))
            declaration = []
        elif declaration is not None:
            declaration.append((word, line))
    return found


def note(found, declaration, scopes, end):
    """Adds the declaration's name to `found` if it is file-private; returns what it declares."""
    if not declaration:
        return "variable" if declaration is None else None
    words = without_attributes([t for t, _ in declaration])
    name, what = declared(words + [end[0]])
    if not name or name not in words or name.isupper():  # TEST_CASE(...) and other macros' calls
        return what
    at = words.index(name)
    if at and words[at - 1] == "::":  # Class::member or lab::function defined outside its scope
        return what
    before, line = set(words[:at]), next(l for t, l in declaration if t == name)
    if what == "alias":  # two aliases of one thing may coexist: the thing is part of the kind
        what = "alias of " + "".join(words[at + 2:])
    if scopes and scopes[-1] == "anonymous":
        found.append((name, line, "anonymous namespace " + what))
    elif "static" in before:
        found.append((name, line, "static " + what))
    elif {"const", "constexpr"} & before and what == "variable" and not {"extern", "inline"} & before:
        found.append((name, line, "const variable"))
    elif not scopes and (end[0] == "{" or "=" in words) and "extern" not in before:
        found.append((name, line, "global " + what))  # external, but a batch's overload all the same
    return what


def without_attributes(words):
    """`words` less [[...]] attributes."""
    out, depth = [], 0
    for i, w in enumerate(words):
        if w == "[" and (words[i + 1:i + 2] == ["["] or depth):
            depth += 1
        elif w == "]" and depth:
            depth -= 1
        elif not depth:
            out.append(w)
    return out


def clashes(target, files):
    """Lines naming each file-private name that two files of `target` both define."""
    where = defaultdict(dict)  # name -> {file: (line, kind)}
    for path in files:
        for name, line, kind in private_names(path):
            where[name].setdefault(path, (line, kind))
    out = []
    for name, places in sorted(where.items()):
        aliased = {kind.partition("alias of ")[2] for _, kind in places.values()}
        if len(places) > 1 and not (len(aliased) == 1 and "" not in aliased):
            spots = ", ".join(f"{p}:{line} ({kind})" for p, (line, kind) in sorted(places.items()))
            out.append(f"{target}: `{name}` is file-private in {len(places)} files of one unity build: {spots}")
    return out


def main(argv):
    targets = []  # [(target, [file, ...])]
    for word in argv:
        if targets and targets[-1][0] is None:
            targets[-1] = (word, [])
        elif word == "--target":
            targets.append((None, []))
        elif targets:
            targets[-1][1].append(pathlib.Path(word))
        else:
            sys.exit(__doc__)
    if not targets or targets[-1][0] is None:
        sys.exit(__doc__)
    problems = [line for target, files in targets for line in clashes(target, files)]
    for problem in problems:
        print(problem)
    counted = ", ".join(f"{target} {len(files)} files" for target, files in targets)
    print(f"{counted}: {len(problems)} file-private name(s) defined in two files of one target")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
