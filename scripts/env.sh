# Sourced by the other scripts: lets uv find every Python that pyenv installed (the rendered
# services default to Python 3.13) and never try to download an interpreter.
if command -v pyenv >/dev/null 2>&1; then
    PYENV_VERSION=$(pyenv versions --bare --skip-aliases 2>/dev/null | sort -rV | paste -sd: -)
    export PYENV_VERSION
fi
export UV_PYTHON_DOWNLOADS=never
# Python's bytecode cache on, whatever the machine's environment says: with
# PYTHONDONTWRITEBYTECODE set, every process of every rendered service compiles each module
# it imports from source again (over half of a contracts write, 2.4 s of 4).
unset PYTHONDONTWRITEBYTECODE
