#!/bin/sh
# Builds tools/bench/spectra-bench against the release build of LinearAlgebra (the
# product's objects, not a copy). Run from the repository root after
# `swift build -c release --product spectra`.
set -eu
out=.build/release/spectra-bench
swiftc -O -module-name SpectraBench -o "$out" \
    -I .build/release/Modules -I Sources/CLinalg \
    tools/bench/SpectraBench.swift .build/release/LinearAlgebra.build/*.o \
    -lopenblas -llapacke -Xlinker -rpath -Xlinker /usr/lib/x86_64-linux-gnu
echo "$out"
