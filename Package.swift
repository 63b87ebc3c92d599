// swift-tools-version:6.1
import PackageDescription

// Dependencies point one way (docs/architecture.md):
//   SpectraCLI → {Pipeline, Report} → Jobs → {Hub, Queue, Models, Checkpoints, SpectralMetrics}
//     → {Postgres, LinearAlgebra, SpectraBase} → C modules and swift-crypto.
// Nothing below Jobs knows what a job computes; nothing below Queue knows about models.
let package = Package(
    name: "spectra",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "spectra", targets: ["SpectraCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CLinalg", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),

        // SHA-256 (from swift-crypto), the tool version: what every layer may use.
        .target(name: "SpectraBase", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Postgres", dependencies: [
            "CLibPQ", "SpectraBase",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "LinearAlgebra", dependencies: ["CLinalg"]),
        .target(name: "SpectralMetrics", dependencies: ["LinearAlgebra"]),
        .target(name: "Checkpoints", dependencies: [
            "LinearAlgebra", "SpectraBase",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The forward passes call sgemm directly (CLinalg); weights come from Checkpoints.
        .target(name: "Models", dependencies: ["Checkpoints", "LinearAlgebra", "CLinalg", "SpectraBase"]),
        // Downloading from the Hugging Face hub into the hub cache that Checkpoints reads.
        .target(name: "Hub", dependencies: [
            "Checkpoints", "SpectraBase",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The job protocol's client, the worker runtime, status and run controls.
        .target(name: "Queue", dependencies: [
            "Postgres", "SpectraBase",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // What a worker runs (extract, spectrum, weights) and the same computations as
        // one-off commands (activations, spectrum, tokenize).
        .target(name: "Jobs", dependencies: [
            "Queue", "Hub", "Models", "Checkpoints", "SpectralMetrics", "LinearAlgebra", "Postgres", "SpectraBase",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Planning, aggregation, the demo, local supervision.
        .target(name: "Pipeline", dependencies: [
            "Jobs", "Report", "Hub", "Postgres", "Queue", "Models", "Checkpoints", "LinearAlgebra", "SpectralMetrics",
            "SpectraBase",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The HTML + SVG report.
        .target(name: "Report", dependencies: ["Jobs", "Queue", "Postgres", "SpectraBase"]),
        .executableTarget(name: "SpectraCLI", dependencies: [
            "Pipeline", "Report", "Jobs", "Hub", "Queue", "Models", "LinearAlgebra", "SpectraBase",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Every parser of outside files behind one entry point (docs/fuzzing.md), and the
        // driver that replays inputs or, built with -sanitize=fuzzer, runs libFuzzer.
        .target(name: "FuzzTargets", dependencies: ["Checkpoints", "Models", "Jobs", "Pipeline"]),
        .executableTarget(name: "spectra-fuzz", dependencies: ["FuzzTargets"], path: "tools/fuzz"),

        // Benchmark driver (tools/bench/tokenizer/bench.py runs it beside HF tokenizers).
        .executableTarget(name: "tokenizer-bench", dependencies: ["Models"], path: "tools/bench/tokenizer",
                          exclude: ["bench.py"]),

        // Benchmark driver (tools/bench/forward_bench.sh runs it beside transformers).
        .executableTarget(name: "forward-bench", dependencies: ["Models", "Checkpoints", "LinearAlgebra", "CLinalg"],
                          path: "tools/bench/forward", exclude: ["forward_bench.py"]),

        // Helpers the test targets share (spawning `spectra`, reading the spectral
        // fixtures); a library so that no test target has to copy another's.
        .target(name: "SpectraTestSupport", dependencies: ["LinearAlgebra", "PostgresTestSupport"],
                path: "Tests/SpectraTestSupport"),
        // Throwaway PostgreSQL servers and databases for tests and benchmarks.
        .target(name: "PostgresTestSupport", dependencies: [
            "Postgres",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/PostgresTestSupport"),

        .testTarget(name: "SpectraBaseTests", dependencies: ["SpectraBase"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "PostgresTestSupport", "SpectraBase"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "SpectraTestSupport", "CLinalg"]),
        .testTarget(name: "SpectralMetricsTests", dependencies: ["SpectralMetrics", "LinearAlgebra", "SpectraTestSupport"]),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints", "LinearAlgebra", "SpectraTestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Checkpoints", "LinearAlgebra", "SpectraTestSupport"]),
        .testTarget(name: "QueueTests", dependencies: ["Queue", "Postgres", "PostgresTestSupport", "SpectraTestSupport"]),
        .testTarget(name: "HubTests", dependencies: ["Hub", "Checkpoints", "SpectraBase", "SpectraTestSupport"]),
        .testTarget(name: "JobsTests", dependencies: ["Jobs", "Checkpoints", "LinearAlgebra", "SpectraTestSupport"]),
        .testTarget(name: "FuzzTests", dependencies: ["FuzzTargets"]),
        .testTarget(name: "OrchestrationTests", dependencies: ["SpectraTestSupport"]),
        // Every relative link in the Markdown, and every docs/ path named in code, resolves.
        .testTarget(name: "DocsTests"),
        .testTarget(name: "PipelineTests", dependencies: [
            "Pipeline", "Jobs", "Hub", "Report", "Postgres", "PostgresTestSupport", "Queue", "Checkpoints", "LinearAlgebra",
            "SpectralMetrics", "SpectraBase", "SpectraTestSupport",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
