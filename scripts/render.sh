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
# The Copier the template's tests render with (pyproject.toml's dev group).
uvx --quiet --with 'copier-template-extensions>=0.3.4,<0.4' --from 'copier>=9.19.1,<9.20' \
    copier copy --trust --vcs-ref HEAD "$@" "$here" "$dest"
