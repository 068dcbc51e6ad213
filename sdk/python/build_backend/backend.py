"""A PEP 517 build backend for this one pure-Python package, standard library only.

setuptools in a fresh virtual environment cannot build a wheel without the `wheel` package
(before setuptools 70.1), and Python 3.12+ venvs carry no setuptools at all; an offline
`pip install --no-index` would then fail. This backend writes the wheel (PEP 427), the sdist
and an editable install (PEP 660) itself.
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "certyneo"


def _project():
    # tomllib is Python 3.11+; the [project] table here holds only `key = "string"` lines.
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        table = f.read().split("\n[project]\n", 1)[1].split("\n[", 1)[0]
    fields = dict(re.findall(r'^([\w-]+) = "([^"]*)"$', table, re.M))
    with open(os.path.join(ROOT, PACKAGE, "_version.py"), encoding="utf-8") as f:
        fields["version"] = re.search(r'__version__ = "([^"]+)"', f.read()).group(1)
    return fields


def _metadata(p):
    with open(os.path.join(ROOT, p["readme"]), encoding="utf-8") as f:
        readme = f.read()
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {p['name']}\nVersion: {p['version']}\nSummary: {p['description']}\n"
        f"License: {p['license']}\nRequires-Python: {p['requires-python']}\n"
        "Classifier: Typing :: Typed\nDescription-Content-Type: text/markdown\n\n" + readme
    )


def _package_files():
    for folder, dirs, files in os.walk(os.path.join(ROOT, PACKAGE)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py") or name == "py.typed":
                path = os.path.join(folder, name)
                yield os.path.relpath(path, ROOT).replace(os.sep, "/"), path


def _wheel(wheel_directory, entries):
    p = _project()
    dist_info = f"{p['name']}-{p['version']}.dist-info"
    name = f"{p['name']}-{p['version']}-py3-none-any.whl"
    entries = list(entries) + [
        (f"{dist_info}/METADATA", _metadata(p).encode("utf-8")),
        (f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: certyneo build_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
    ]
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as whl:
        for arcname, data in entries:
            whl.writestr(arcname, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
            record.append(f"{arcname},sha256={digest},{len(data)}")
        record.append(f"{dist_info}/RECORD,,")
        whl.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return name


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, ((arcname, _read(path)) for arcname, path in _package_files()))


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, [(f"_{PACKAGE}_editable.pth", (ROOT + "\n").encode("utf-8"))])


def build_sdist(sdist_directory, config_settings=None):
    p = _project()
    base = f"{p['name']}-{p['version']}"
    name = f"{base}.tar.gz"
    files = [("pyproject.toml", os.path.join(ROOT, "pyproject.toml")), (p["readme"], os.path.join(ROOT, p["readme"])), ("build_backend/backend.py", os.path.abspath(__file__))]
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for arcname, path in files + list(_package_files()):
            tar.add(path, arcname=f"{base}/{arcname}")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = _metadata(p).encode("utf-8")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return name
