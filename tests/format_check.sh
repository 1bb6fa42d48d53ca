#!/bin/sh
# The C++ follows the project's .clang-format (Google's style, 4-space indent, 100 columns): this
# asks clang-format to change nothing in lab/, harness/, tests/ and bench/. To apply it:
#   clang-format-14 -i $(git ls-files '*.cpp' '*.hpp')
# Exit 77 (skipped) when clang-format-14 is not installed (sh cmake/setup.sh test installs it).
set -eu
cd "${1:?usage: format_check.sh SOURCE_DIR}"
command -v clang-format-14 >/dev/null || { echo "clang-format-14 is not installed" >&2; exit 77; }
find lab harness tests bench -name '*.cpp' -o -name '*.hpp' -o -name '*.h' | sort |
    xargs clang-format-14 --dry-run --Werror
echo "every C++ file follows .clang-format"
