import ArgumentParser
import Pipeline
import Jobs
import LinearAlgebra

/// `spectra spectrum FILE`: the spectrum and metrics of one matrix, no database.
struct SpectrumCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spectrum",
        abstract: "Eigenspectrum and spectral metrics of one matrix (.npy, or .safetensors or PyTorch .bin with a tensor name).")

    @Argument(help: "A .npy file, or FILE.safetensors:TENSOR, or FILE.bin:TENSOR.")
    var file: String

    @Option(help: "Tensor name inside a .safetensors or .bin file.")
    var tensor: String?

    @Option(help: "exact, randomized or auto (chosen from the shape, rank and memory).")
    var method: SpectrumMethod = .auto

    @Option(help: "Rank of a randomized spectrum (default: --max-components).")
    var rank: Int?

    @Option(name: .customLong("alpha-ranks"), help: "1-based rank range LO:HI of the α-ReQ fit.")
    var alphaRanks: String = "12:100"

    @Option(name: .customLong("max-components"), help: "Keep the top K eigenvalues.")
    var maxComponents: Int = 2048

    @Flag(help: "Treat the matrix as a weight matrix (ESD of WᵀW and heavy-tail metrics).")
    var weights = false

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard parsedAlphaRanks != nil else {
            throw ValidationError("--alpha-ranks must be LO:HI with 1 ≤ LO < HI ≤ \(OptionLimits.components.upperBound), got '\(alphaRanks)'")
        }
        try checkRange(maxComponents, OptionLimits.components, "--max-components")
        if let rank { try checkRange(rank, OptionLimits.components, "--rank") }
        if weights && method == .randomized {
            throw ValidationError("--weights uses the exact Float64 ESD (WeightWatcher's convention); drop --method randomized")
        }
    }

    private var parsedAlphaRanks: ClosedRange<Int>? {
        let parts = alphaRanks.split(separator: ":")
        guard parts.count == 2, let lo = Int(parts[0]), let hi = Int(parts[1]), lo >= 1, lo < hi,
              hi <= OptionLimits.components.upperBound else { return nil }
        return lo...hi
    }

    func run() throws {
        let request = SpectrumAnalysis.Request(
            path: file, tensor: tensor, method: method, rank: rank,
            alphaRanks: parsedAlphaRanks!, maxComponents: maxComponents, weights: weights)
        // A failed analysis is not a usage error: ArgumentParser prints "Error: <message>"
        // (the message names the file) and exits non-zero, without the usage text.
        let report = try SpectrumAnalysis.run(request)
        print(json ? try report.jsonText() : report.table())
    }
}
