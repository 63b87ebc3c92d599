import FuzzTargets
import Foundation

// The fuzz driver (docs/fuzzing.md).
//
// Built with `-Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING`, it hands control to
// libFuzzer, which calls `LLVMFuzzerTestOneInput` with inputs for the parser named by
// SPECTRA_FUZZ_TARGET. Built plainly, it replays files: `spectra-fuzz TARGET FILE...`
// prints what the parser made of each (a crash reproduces as a crash).

/// The parser this process fuzzes, read once from SPECTRA_FUZZ_TARGET.
let fuzzTarget: FuzzTarget? = ProcessInfo.processInfo.environment["SPECTRA_FUZZ_TARGET"].flatMap(FuzzTarget.init(rawValue:))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let target = fuzzTarget else { return 0 }
    let data = bytes.map { Data(bytes: $0, count: size) } ?? Data()
    _ = FuzzTargets.run(target, data)
    return 0
}

func usage() -> Never {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
    FileHandle.standardError.write(Data("""
        usage: spectra-fuzz TARGET FILE...    (replay inputs through one parser)
               SPECTRA_FUZZ_TARGET=TARGET spectra-fuzz [libFuzzer options] [CORPUS...]
                                             (when built with -sanitize=fuzzer -DFUZZING)
        targets: \(names)

        """.utf8))
    exit(2)
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

guard fuzzTarget != nil else { usage() }
var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(llvmFuzzerRunDriver(&argc, &argv, fuzzTestOneInput))
#else
let arguments = CommandLine.arguments.dropFirst()
guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count >= 2 else { usage() }
for path in arguments.dropFirst() {
    guard let data = FileManager.default.contents(atPath: path) else {
        print("\(path): cannot read")
        continue
    }
    let started = Date()
    let outcome = FuzzTargets.run(target, data)
    let milliseconds = Int(Date().timeIntervalSince(started) * 1000)
    print("\(path): \(outcome) (\(milliseconds) ms)")
}
#endif
