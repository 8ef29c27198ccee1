#!/usr/bin/python3
"""Regenerate the zip fixtures used by lib/data/zip_test.ts and assets_test.ts.

Run from the repository root with Debian's Python (not a pyenv shim):

    /usr/bin/python3 lib/data/testdata/make_zip_fixtures.py

It needs Info-ZIP `zip` 3.0 (Debian package `zip`) and the read-only data
mirror at ../shared/data (for the real NLTK English stopword file). The
outputs are committed, so the tests do not need Python or `zip`; rerun this
only to change a fixture, then update the golden values printed at the end
(git blob ids, CRC-32s) in the tests. Timestamps are fixed, so the output
should be byte-stable for a given zip/zlib version.
"""

import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
MIRROR = os.path.join(HERE, "..", "..", "..", "..", "shared", "data")
STOPWORDS = os.path.join(MIRROR, "nltk-stopwords-english.txt")
FIXED = (2022, 7, 4, 12, 0, 0)


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Unseekable(io.RawIOBase):
    """A write-only stream without tell/seek: zipfile then writes data descriptors."""

    def __init__(self):
        self.buf = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.buf += b
        return len(b)


def stopwords_infozip(path: str) -> None:
    """Laid out like nltk_data's packages/corpora/stopwords.zip (a folder entry,
    a README and per-language files), made by Info-ZIP as that archive was."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "stopwords")
        os.mkdir(folder)
        shutil.copyfile(STOPWORDS, os.path.join(folder, "english"))
        with open(os.path.join(folder, "README"), "w") as f:
            f.write("Test fixture: one real stopword list (english) and this note.\n")
        stamp = "202207041200.00"
        for name in ("english", "README", ""):
            subprocess.run(["touch", "-t", stamp, os.path.join(folder, name)], check=True)
        if os.path.exists(path):
            os.remove(path)
        # -r: recurse; -9: best compression; -D would drop the folder entry (we keep it).
        subprocess.run(["zip", "-q", "-r", "-9", path, "stopwords"], cwd=tmp, check=True)


def mixed_python(path: str) -> None:
    """Stored and deflated entries, data descriptors, a UTF-8 name, a comment."""
    sink = Unseekable()
    with zipfile.ZipFile(sink, "w") as zf:
        zf.comment = b"fixture comment"
        info = zipfile.ZipInfo("stored.txt", FIXED)
        info.compress_type = zipfile.ZIP_STORED
        zf.writestr(info, b"stored bytes\n")
        info = zipfile.ZipInfo("dir/caf\u00e9.txt", FIXED)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, ("na\u00efve caf\u00e9 " * 40 + "\n").encode("utf-8"))
        info = zipfile.ZipInfo("empty.txt", FIXED)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, b"")
    with open(path, "wb") as f:
        f.write(bytes(sink.buf))


def bzip2_python(path: str) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("bz.txt", FIXED)
        info.compress_type = zipfile.ZIP_BZIP2
        zf.writestr(info, b"bzip2 data\n" * 10)


def main() -> None:
    outputs = {
        "stopwords_infozip.zip": stopwords_infozip,
        "mixed_python.zip": mixed_python,
        "bzip2_python.zip": bzip2_python,
    }
    for name, make in outputs.items():
        path = os.path.join(HERE, name)
        make(path)
        data = open(path, "rb").read()
        print(f"{name}: {len(data)} bytes, git blob {git_blob_id(data)}")
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                body = zf.read(info) if not info.is_dir() else b""
                print(
                    f"  {info.filename!r} method={info.compress_type} flags={info.flag_bits:#06x}"
                    f" size={info.file_size} csize={info.compress_size}"
                    f" crc32={zlib.crc32(body):08x} sha256={hashlib.sha256(body).hexdigest()}"
                )


if __name__ == "__main__":
    main()
