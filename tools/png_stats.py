#!/usr/bin/env python3
"""Pixel statistics of a PNG, standard library only (the report test's eye).

Usage: png_stats.py [--tolerance N] FILE.png COLOR [COLOR ...]   (colours as #rrggbb)
Prints JSON: width, height, the fraction of non-white pixels, the number of distinct
colours, and for each COLOR how many pixels lie within N (default 40; the sum of
|channel differences|).
"""
import json
import struct
import sys
import zlib
from collections import Counter


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise SystemExit(f"{path}: only 8-bit RGB/RGBA, non-interlaced PNGs are read")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def main():
    args = sys.argv[1:]
    tolerance = 40
    if args[:1] == ["--tolerance"]:
        tolerance, args = int(args[1]), args[2:]
    path, targets = args[0], [bytes.fromhex(c.lstrip("#")) for c in args[1:]]
    width, height, channels, rows = decode(path)
    # Count each distinct colour once, then compare the few distinct colours to the targets.
    histogram = Counter()
    for row in rows:
        histogram.update(zip(row[0::channels], row[1::channels], row[2::channels]))
    nonwhite = sum(n for (r, g, b), n in histogram.items() if r + g + b < 750)
    counts = [sum(n for (r, g, b), n in histogram.items()
                  if abs(r - t[0]) + abs(g - t[1]) + abs(b - t[2]) <= tolerance) for t in targets]
    print(json.dumps({"width": width, "height": height, "nonwhite_fraction": nonwhite / (width * height),
                      "distinct_colours": len(histogram), "matches": counts}))


if __name__ == "__main__":
    main()
