// swift-tools-version:6.1
import PackageDescription

// Dependencies point one way (DESIGN.md): CLI → Pipeline → {Queue, Models, Checkpoints,
// SpectralMetrics} → {Postgres, LinearAlgebra} → C modules.
let package = Package(
    name: "spectra",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "spectra", targets: ["SpectraCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CLinalg", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),

        .target(name: "Postgres", dependencies: [
            "CLibPQ",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "LinearAlgebra", dependencies: ["CLinalg"]),
        .target(name: "SpectralMetrics", dependencies: ["LinearAlgebra"]),
        .target(name: "Checkpoints", dependencies: [
            "LinearAlgebra",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The forward passes call sgemm directly (CLinalg); weights come from Checkpoints.
        .target(name: "Models", dependencies: ["Checkpoints", "LinearAlgebra", "CLinalg"]),
        .target(name: "Queue", dependencies: [
            "Postgres",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Pipeline", dependencies: [
            "Postgres", "Queue", "Models", "Checkpoints", "LinearAlgebra", "SpectralMetrics",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "SpectraCLI", dependencies: [
            "Pipeline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Benchmark driver (tools/bench/tokenizer/bench.py runs it beside HF tokenizers).
        .executableTarget(name: "tokenizer-bench", dependencies: ["Models"], path: "tools/bench/tokenizer",
                          exclude: ["bench.py"]),

        // Benchmark driver (tools/bench/forward_bench.sh runs it beside transformers).
        .executableTarget(name: "forward-bench", dependencies: ["Models", "Checkpoints", "LinearAlgebra", "CLinalg"],
                          path: "tools/bench/forward", exclude: ["forward_bench.py"]),

        // Helpers the test targets share (spawning `spectra`, reading the spectral
        // fixtures); a library so that no test target has to copy another's.
        .target(name: "SpectraTestSupport", dependencies: ["LinearAlgebra"], path: "Tests/SpectraTestSupport"),

        .testTarget(name: "PostgresTests", dependencies: ["Postgres"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "SpectraTestSupport", "CLinalg"]),
        .testTarget(name: "SpectralMetricsTests", dependencies: ["SpectralMetrics", "LinearAlgebra", "SpectraTestSupport"]),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints", "LinearAlgebra"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Checkpoints", "LinearAlgebra", "SpectraTestSupport"]),
        .testTarget(name: "QueueTests", dependencies: ["Queue", "Postgres", "SpectraTestSupport"]),
        .testTarget(name: "OrchestrationTests", dependencies: ["SpectraTestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: [
            "Pipeline", "Postgres", "Queue", "Checkpoints", "LinearAlgebra", "SpectralMetrics", "SpectraTestSupport",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
