"""Build a smaller ICU data library for the Linux bundle (called by build_exe.spec).

PySide6's Linux wheels link QtCore against ICU, whose data library (libicudata, ~31 MB)
holds every locale's names, currencies, units, dictionaries and legacy code pages. A
Widgets app in English reaches very little of it: Qt keeps its own locale, case and
normalisation tables and only asks ICU for collation (QCollator, e.g. in file dialogs),
time zones and code-page aliases. We copy ICU's common-data package item by item,
keeping those, and link it into a library with the same name and symbol. ICU answers
"missing resource" for anything left out, which Qt already handles (it falls back).

Needs a C compiler (gcc/cc) and objcopy; without them the spec keeps the full library.
Windows and macOS wheels do not ship ICU, so this is Linux only.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

# Top-level locale bundles look like `de.res`, `sr_Latn_BA.res`; we keep English only.
LOCALE_RES = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)*\.res$")
KEEP_LOCALES = {"root.res", "en.res", "en_GB.res", "en_001.res", "en_150.res", "cy.res",
                "cy_GB.res", "pool.res", "res_index.res"}
DROP_TREES = {"curr", "lang", "region", "unit", "zone", "rbnf", "translit", "brkitr"}


def keep_item(name: str) -> bool:
    """`name` without the package prefix, e.g. `coll/root.res` or `cnvalias.icu`."""
    parts = name.split("/")
    if len(parts) > 1:
        if parts[0] in DROP_TREES:
            return False
        if parts[0] == "coll":
            return parts[1] in KEEP_LOCALES or not parts[1].endswith(".res")
        return True
    if name.endswith(".cnv"):
        return False  # legacy code pages: the kiosk only reads and writes UTF-8
    if LOCALE_RES.match(name):
        return name in KEEP_LOCALES
    return True


def trim_common_data(blob: bytes) -> tuple[bytes, int, int]:
    """Return (new package, items kept, items dropped) for an ICU `CmnD` package."""
    header_size = struct.unpack_from("<H", blob, 0)[0]
    if blob[2:4] != b"\xda\x27" or blob[12:16] != b"CmnD":
        raise ValueError("not an ICU common-data package")
    toc = blob[header_size:]
    count = struct.unpack_from("<I", toc, 0)[0]
    entries = [struct.unpack_from("<II", toc, 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_off, data_off) in enumerate(entries):
        end = entries[i + 1][1] if i + 1 < count else len(toc)
        full = toc[name_off:toc.index(b"\0", name_off)].decode("ascii")
        items.append((full, toc[data_off:end]))
    kept = [(n, d) for n, d in items if keep_item(n.split("/", 1)[1] if "/" in n else n)]

    names = b"".join(n.encode("ascii") + b"\0" for n, _ in kept)
    table_size = 4 + 8 * len(kept)
    data_start = (table_size + len(names) + 15) & ~15
    table = bytearray(struct.pack("<I", len(kept)))
    body = bytearray()
    name_pos = table_size
    for n, d in kept:
        table += struct.pack("<II", name_pos, data_start + len(body))
        name_pos += len(n) + 1
        body += d
        body += b"\0" * (-len(body) % 16)
    out = bytearray(blob[:header_size]) + table + names
    out += b"\0" * (header_size + data_start - len(out))
    out += body
    return bytes(out), len(kept), count - len(kept)


def build_trimmed_library(original: Path, workdir: Path) -> Path | None:
    """Write a trimmed copy of `original` (libicudata.so.NN) into workdir; None if we cannot."""
    cc = shutil.which("gcc") or shutil.which("cc")
    objcopy = shutil.which("objcopy")
    match = re.search(r"libicudata\.so\.(\d+)", original.name)
    if not (cc and objcopy and match):
        return None
    version = match.group(1)
    workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        raw = Path(tmp) / "full.dat"
        subprocess.run([objcopy, "-O", "binary", "--only-section=.rodata", str(original),
                        str(raw)], check=True)
        data, kept, dropped = trim_common_data(raw.read_bytes())
        dat = Path(tmp) / "trimmed.dat"
        dat.write_bytes(data)
        asm = Path(tmp) / "icudata.S"
        symbol = f"icudt{version}_dat"
        asm.write_text(
            "\t.section .rodata\n"
            f"\t.globl {symbol}\n\t.type {symbol}, @object\n\t.balign 16\n{symbol}:\n"
            f'\t.incbin "{dat}"\n\t.size {symbol}, .-{symbol}\n'
            '\t.section .note.GNU-stack,"",@progbits\n',
            encoding="ascii",
        )
        target = workdir / original.name
        subprocess.run([cc, "-shared", "-nostdlib", "-o", str(target),
                        f"-Wl,-soname,{original.name}", str(asm)], check=True)
    print(f"trim_icu: kept {kept} ICU data items, dropped {dropped}: "
          f"{original.stat().st_size // 1_000_000} MB -> {target.stat().st_size // 1_000_000} MB")
    return target
