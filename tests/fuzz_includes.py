#!/usr/bin/python3
"""The libFuzzer target builds with clang-14 (cmake/Fuzz.cmake), and Boost 1.74 gives clang with
libstdc++ no co_await: no source of that target may reach, through the lab's own includes, a file
that uses Asio's coroutines. g++ builds them fine, so only CI's fuzz stage would find out; this
check finds it in the README's test command.

    /usr/bin/python3 tests/fuzz_includes.py [CHECKOUT]   # exit 1, one line per way to a coroutine
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
target = re.search(r"add_executable\(lab_fuzz_request(.*?)\)", (root / "cmake/Fuzz.cmake").read_text(), re.S)
if not target:
    sys.exit("cmake/Fuzz.cmake: no add_executable(lab_fuzz_request ...) to read the sources from")
sources = [word for line in target.group(1).splitlines() for word in line.split("#")[0].split()]
include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
coroutine = re.compile(r"\b(awaitable|co_await|co_return|use_awaitable|co_spawn)\b")


def code(path):
    """The file's text without its // comments (a comment may name co_await)."""
    return "\n".join(line.split("//")[0] for line in path.read_text().splitlines())


problems, seen, ways = [], set(), [[source] for source in sources]
while ways:
    way = ways.pop()
    path = root / way[-1]
    if way[-1] in seen or not path.exists():
        continue
    seen.add(way[-1])
    text = code(path)
    if coroutine.search(text):
        problems.append(" -> ".join(way) + f": uses Asio's coroutines ({coroutine.search(text).group(1)})")
        continue
    ways += [way + [name] for name in include.findall(text)]
for problem in problems:
    print(problem)
print(f"{len(sources)} sources of lab_fuzz_request, {len(seen)} files reached: {len(problems)} use Asio's coroutines")
sys.exit(1 if problems else 0)
