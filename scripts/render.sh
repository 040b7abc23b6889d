#!/usr/bin/env bash
# Renders a service from this template: scripts/render.sh DESTINATION [copier options]
# With no options it asks the questions; --defaults takes every default answer.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 DESTINATION [copier options, e.g. --defaults]" >&2; exit 2; }
dest=$1
shift

command -v uv >/dev/null || python3 -m pip install --quiet uv
source "$here/scripts/env.sh"
uvx --quiet --with copier-template-extensions copier copy --trust --vcs-ref HEAD "$@" "$here" "$dest"
