import SpectraBase
import Foundation
import Checkpoints
import LinearAlgebra
import SpectralMetrics

/// One matrix in, its spectrum and every metric out: what `spectra spectrum` runs.
public enum SpectrumAnalysis {
    /// exact | randomized | auto, re-exported so the CLI needs no LinearAlgebra import.
    public typealias Method = SpectrumMethod

    /// What to analyse and how (the options of `spectra spectrum`).
    public struct Request: Sendable {
        /// A `.npy` path, or a `.safetensors` or PyTorch `.bin` path with `tensor` (or `FILE:TENSOR`).
        public var path: String
        public var tensor: String?
        public var method: SpectrumMethod
        public var rank: Int?
        public var alphaRanks: ClosedRange<Int>
        public var maxComponents: Int
        /// Treat the matrix as a weight matrix: ESD of WᵀW (uncentered, Float64) plus the
        /// weight metrics.
        public var weights: Bool

        public init(path: String, tensor: String? = nil, method: SpectrumMethod = .auto, rank: Int? = nil,
                    alphaRanks: ClosedRange<Int> = AlphaReQ.defaultRanks, maxComponents: Int = 2048, weights: Bool = false) {
            (self.path, self.tensor, self.method, self.rank) = (path, tensor, method, rank)
            (self.alphaRanks, self.maxComponents, self.weights) = (alphaRanks, maxComponents, weights)
        }
    }

    /// The report, encoded with exactly the JSON keys of `spectra spectrum --json`.
    public struct Report: Sendable, Codable, Equatable {
        public var shape: [Int]
        public var method: String
        public var eigenvalues: [Double]
        /// Randomized only: the relative a-posteriori error bound (absent for exact).
        public var errorEstimate: Double?
        public var metrics: Metrics
        /// Metrics this matrix cannot give (α-ReQ of a rank-deficient spectrum), with why.
        public var unavailable: [String: String]?

        enum CodingKeys: String, CodingKey {
            case shape, method, eigenvalues, metrics, unavailable
            case errorEstimate = "error_estimate"
        }
    }

    /// Metric values; the weight keys are present only with `--weights`.
    public struct Metrics: Sendable, Codable, Equatable {
        public var rankme, rankmeGarrido: Double
        /// nil when the spectrum has too few positive eigenvalues in the fitted ranks; the
        /// report's `unavailable` says why, and JSON carries an explicit null.
        public var alphaReq: Double?
        public var participationRatio, stableRank: Double
        public var renyiEntropy1, renyiEntropy2: Double
        public var powerlawAlpha, powerlawXmin, powerlawKsDistance, farmsAlpha, spectralNorm, logNorm: Double?

        /// The keys this value reports, in table order: `MetricKey.representation`, and
        /// `MetricKey.weightCommand` after them for a weight matrix.
        public var keys: [MetricKey] {
            MetricKey.representation + (powerlawAlpha == nil ? [] : MetricKey.weightCommand)
        }

        /// The value under `key`; nil where this matrix has none.
        public subscript(key: MetricKey) -> Double? {
            switch key {
            case .rankme: rankme
            case .rankmeGarrido: rankmeGarrido
            case .alphaReq: alphaReq
            case .participationRatio: participationRatio
            case .stableRank: stableRank
            case .renyiEntropy1: renyiEntropy1
            case .renyiEntropy2: renyiEntropy2
            case .powerlawAlpha: powerlawAlpha
            case .powerlawXmin: powerlawXmin
            case .powerlawKsDistance: powerlawKsDistance
            case .farmsAlpha: farmsAlpha
            case .spectralNorm: spectralNorm
            case .logNorm: logNorm
            case .frobeniusNorm, .logSpectralNorm, .alphaWeighted: nil
            }
        }

        /// Every reported key, an unavailable α-ReQ as an explicit null.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: MetricKey.self)
            for key in keys {
                if let value = self[key] { try c.encode(value, forKey: key) } else { try c.encodeNil(forKey: key) }
            }
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: MetricKey.self)
            func value(_ key: MetricKey) throws -> Double? { try c.decodeIfPresent(Double.self, forKey: key) }
            func required(_ key: MetricKey) throws -> Double { try c.decode(Double.self, forKey: key) }
            self.init(rankme: try required(.rankme), rankmeGarrido: try required(.rankmeGarrido), alphaReq: try value(.alphaReq),
                      participationRatio: try required(.participationRatio), stableRank: try required(.stableRank),
                      renyiEntropy1: try required(.renyiEntropy1), renyiEntropy2: try required(.renyiEntropy2),
                      powerlawAlpha: try value(.powerlawAlpha), powerlawXmin: try value(.powerlawXmin),
                      powerlawKsDistance: try value(.powerlawKsDistance), farmsAlpha: try value(.farmsAlpha),
                      spectralNorm: try value(.spectralNorm), logNorm: try value(.logNorm))
        }

        init(rankme: Double, rankmeGarrido: Double, alphaReq: Double?, participationRatio: Double, stableRank: Double,
             renyiEntropy1: Double, renyiEntropy2: Double, powerlawAlpha: Double? = nil, powerlawXmin: Double? = nil,
             powerlawKsDistance: Double? = nil, farmsAlpha: Double? = nil, spectralNorm: Double? = nil, logNorm: Double? = nil) {
            (self.rankme, self.rankmeGarrido, self.alphaReq) = (rankme, rankmeGarrido, alphaReq)
            (self.participationRatio, self.stableRank) = (participationRatio, stableRank)
            (self.renyiEntropy1, self.renyiEntropy2) = (renyiEntropy1, renyiEntropy2)
            (self.powerlawAlpha, self.powerlawXmin, self.powerlawKsDistance) = (powerlawAlpha, powerlawXmin, powerlawKsDistance)
            (self.farmsAlpha, self.spectralNorm, self.logNorm) = (farmsAlpha, spectralNorm, logNorm)
        }
    }

    /// Loads the matrix, runs the engine and every metric. For a representation matrix the
    /// spectrum is the covariance of the centered rows; with `weights` it is the ESD of W
    /// (WeightWatcher's convention) and the representation metrics are read off the ESD.
    public static func run(_ request: Request) throws(PipelineError) -> Report {
        let (path, tensor) = splitTensor(request.path, request.tensor)
        let url = URL(fileURLWithPath: path)
        switch url.pathExtension.lowercased() {
        case "npy":
            if let tensor {
                throw PipelineError(.invalidArgument, "\(path): a .npy file holds one array; --tensor \(tensor) applies only to .safetensors and .bin")
            }
            let file: NumpyFile
            do { file = try NumpyFile(url: url) } catch { throw PipelineError(.badInput, error.message) }
            return try analyse(file, request: request)
        case "safetensors", "bin":
            let ext = url.pathExtension.lowercased()
            guard let tensor else {
                throw PipelineError(.invalidArgument, "\(path): name the tensor, as FILE.\(ext):TENSOR or --tensor NAME")
            }
            // Checkpoint tensors are often F16/BF16 (and .bin ones may be strided views), so
            // the reader's row-major Float32 copy is the one copy the engine needs anyway.
            let matrix: Matrix<Float>
            do {
                let file: any TensorFile = ext == "bin" ? try TorchCheckpointFile(url: url) : try SafetensorsFile(url: url)
                matrix = try file.matrix(tensor)
            } catch { throw PipelineError(.badInput, error.message) }
            return try analyse(matrix, source: "\(path):\(tensor)", request: request)
        default:
            throw PipelineError(.invalidArgument, "\(path): expected a .npy, .safetensors or PyTorch .bin file")
        }
    }

    /// `model.safetensors:layer.weight` → (model.safetensors, layer.weight), and the same
    /// for `.bin`; a colon inside a plain path is left alone.
    static func splitTensor(_ path: String, _ tensor: String?) -> (String, String?) {
        for ext in [".safetensors", ".bin"] where tensor == nil {
            if let colon = path.range(of: ext + ":", options: .backwards) {
                return (String(path[..<colon.lowerBound]) + ext, String(path[colon.upperBound...]))
            }
        }
        return (path, tensor)
    }

    private static func analyse(_ matrix: Matrix<Float>, source: String, request: Request) throws(PipelineError) -> Report {
        do {
            if request.weights { return try weightReport(matrix, request: request) }
            let spectrum = try CovarianceSpectrum.compute(matrix, options: spectrumOptions(request))
            return try representationReport(spectrum, request: request)
        } catch {
            throw wrap(error, source)
        }
    }

    private static func spectrumOptions(_ request: Request) -> SpectrumOptions {
        // Refined in Float64 when Float32 cannot resolve the tail: at least every rank α-ReQ reads.
        SpectrumOptions(method: request.method, maxComponents: request.maxComponents, rank: request.rank,
                        includeRawSingularValues: true, refinedComponents: max(128, request.alphaRanks.upperBound))
    }

    private static func wrap(_ error: any Error, _ source: String) -> PipelineError {
        switch error {
        case let error as CheckpointError: PipelineError(.badInput, error.message)
        case let error as LinearAlgebraError: PipelineError(.computation, "\(source): \(error.message)")
        case let error as MetricError: PipelineError(.metric, "\(source): \(error.message)")
        case let error as PipelineError: error
        default: PipelineError(.computation, "\(source): \(error)")
        }
    }

    private static func representationReport(_ spectrum: CovarianceSpectrumResult, request: Request) throws(MetricError) -> Report {
        let (m, unavailable) = try metrics(spectrum.eigenvalues, raw: spectrum.rawSingularValues, request: request)
        return Report(shape: [spectrum.samples, spectrum.features], method: spectrum.method.rawValue,
                      eigenvalues: spectrum.eigenvalues, errorEstimate: spectrum.errorEstimate,
                      metrics: Metrics(rankme: m.rankme, rankmeGarrido: m.rankmeGarrido!, alphaReq: m.alphaReq,
                                       participationRatio: m.participationRatio, stableRank: m.stableRank,
                                       renyiEntropy1: m.renyiEntropy1!, renyiEntropy2: m.renyiEntropy2!),
                      unavailable: unavailable)
    }

    /// Every representation metric. A rank-deficient spectrum (repeated rows: the embedding
    /// of the same last token) has zeros inside α-ReQ's rank range; that one metric is then
    /// reported unavailable with the reason, and the others still stand.
    static func metrics(_ eigenvalues: [Double], raw: [Double]?, request: Request)
        throws(MetricError) -> (RepresentationMetrics.Lenient, [String: String]?) {
        do {
            let m = try RepresentationMetrics.compute(eigenvalues: eigenvalues, rawSingularValues: raw, alphaRanks: request.alphaRanks)
            return (RepresentationMetrics.Lenient(m), nil)
        } catch let error where error.metric == AlphaReQ.name && error.code != .invalidArgument {
            let m = try RepresentationMetrics.withoutAlpha(eigenvalues: eigenvalues, rawSingularValues: raw)
            return (m, [MetricKey.alphaReq.rawValue: error.message])
        }
    }

    /// A `.npy` file goes to the engine straight from its mapping, in its own type and order.
    private static func analyse(_ file: NumpyFile, request: Request) throws(PipelineError) -> Report {
        do {
            let (rows, columns) = try file.matrixShape()
            if request.weights {
                return try weightReport(try file.matrix(), request: request)
            }
            let options = spectrumOptions(request)
            let spectrum = try file.withElements { (elements) throws(LinearAlgebraError) -> CovarianceSpectrumResult in
                switch elements {
                case .float32(let b):
                    try CovarianceSpectrum.compute(elements: b, rows: rows, columns: columns, order: file.storageOrder, options: options)
                case .float64(let b):
                    try CovarianceSpectrum.compute(elements: b, rows: rows, columns: columns, order: file.storageOrder, options: options)
                }
            }
            return try representationReport(spectrum, request: request)
        } catch {
            throw wrap(error, file.url.path)
        }
    }

    private static func weightReport(_ w: Matrix<Float>, request: Request) throws -> Report {
        let weights = try WeightSpectrumMetrics.compute(matrix: w)
        let esd = weights.esd.map { max($0, 0) }
        let kept = Array(esd.prefix(request.maxComponents))
        let (m, unavailable) = try metrics(kept, raw: kept.map { $0.squareRoot() }, request: request)
        return Report(shape: [w.rows, w.columns], method: SpectrumMethod.exact.rawValue, eigenvalues: kept, errorEstimate: nil,
                      metrics: Metrics(rankme: m.rankme, rankmeGarrido: m.rankmeGarrido!, alphaReq: m.alphaReq,
                                       participationRatio: m.participationRatio, stableRank: m.stableRank,
                                       renyiEntropy1: m.renyiEntropy1!, renyiEntropy2: m.renyiEntropy2!,
                                       powerlawAlpha: weights.powerLaw.alpha, powerlawXmin: weights.powerLaw.xmin,
                                       powerlawKsDistance: weights.powerLaw.ksDistance, farmsAlpha: weights.farms.fit.alpha,
                                       spectralNorm: weights.spectralNorm, logNorm: weights.logNorm),
                      unavailable: unavailable)
    }
}

extension SpectrumAnalysis.Report {
    /// One JSON object, keys sorted, as `--json` prints it.
    public func jsonText() throws -> String {
        String(decoding: try CanonicalJSON.encode(self), as: UTF8.self)
    }

    /// A readable table: shape, method, the leading eigenvalues and every metric.
    public func table(leading: Int = 10) -> String {
        var lines = ["shape        \(shape.map(String.init).joined(separator: " × "))", "method       \(method)"]
        if let errorEstimate { lines.append("error bound  \(format(errorEstimate)) (relative, a posteriori)") }
        let shown = eigenvalues.prefix(leading).map(format).joined(separator: "  ")
        lines.append("eigenvalues  \(eigenvalues.count) kept; top \(min(leading, eigenvalues.count)): \(shown)")
        lines.append("")
        let rows = metrics.keys.map { ($0.rawValue, metrics[$0]) }
        for (name, value) in rows {
            guard let value else {
                if let why = unavailable?[name] { lines.append(name.padding(toLength: 22, withPad: " ", startingAt: 0) + "unavailable: \(why)") }
                continue
            }
            lines.append(name.padding(toLength: 22, withPad: " ", startingAt: 0) + format(value))
        }
        return lines.joined(separator: "\n")
    }

    private func format(_ x: Double) -> String { String(format: "%.6g", x) }
}
