import SpectraBase
import Foundation
import LinearAlgebra
import Models

/// The pooled rows an extract job has computed so far, one growing matrix per hidden-state
/// index and pooling. Only pooled vectors are kept: token-level states never outlive a batch.
struct PooledRows: Sendable {
    struct Key: Hashable, Sendable, Comparable {
        var pooling: String
        var layer: Int

        static func < (a: Key, b: Key) -> Bool { (a.pooling, a.layer) < (b.pooling, b.layer) }
    }

    private(set) var rows = 0
    private(set) var columns: Int?
    private var values: [Key: [Float]]

    init(layers: [Int], poolings: [String]) {
        var values: [Key: [Float]] = [:]
        for pooling in poolings { for layer in layers { values[Key(pooling: pooling, layer: layer)] = [] } }
        self.values = values
    }

    var keys: [Key] { values.keys.sorted() }

    /// Appends one batch; NaN or infinite activations are bad input naming the layer and
    /// the probe line, never a matrix that poisons every metric downstream.
    mutating func append(_ batch: [Pooling: [Int: Matrix<Float>]], lines: [Int], name: String) throws {
        for key in keys {
            guard let pooling = Pooling(rawValue: key.pooling), let matrix = batch[pooling]?[key.layer] else {
                throw JobInputError("\(name): the forward pass returned no \(key.pooling)-pooled state for hidden state \(key.layer)")
            }
            guard matrix.rows == lines.count, columns == nil || matrix.columns == columns else {
                throw JobInputError("\(name): hidden state \(key.layer) came back \(matrix.rows) × \(matrix.columns) for \(lines.count) sequences")
            }
            if let bad = matrix.storage.firstIndex(where: { !$0.isFinite }) {
                throw JobInputError("\(name): hidden state \(key.layer) (\(key.pooling) pooling) is \(matrix.storage[bad]) "
                    + "for probe line \(lines[bad / matrix.columns] + 1): the checkpoint produces non-finite activations")
            }
            columns = matrix.columns
            values[key, default: []].append(contentsOf: matrix.storage)
        }
        rows += lines.count
    }

    /// Every matrix, rows in selection order.
    func matrices() throws -> [(key: Key, matrix: Matrix<Float>)] {
        guard let columns, rows > 0 else { throw JobInputError("no probe sequence was run through the model") }
        return try keys.map { key in (key, try Matrix(rows: rows, columns: columns, storage: values[key] ?? [])) }
    }

    /// Rebuilds from saved partial matrices.
    init(restoring matrices: [Key: Matrix<Float>], rows: Int) throws {
        var values: [Key: [Float]] = [:]
        var columns: Int?
        for (key, matrix) in matrices {
            guard matrix.rows == rows, columns == nil || matrix.columns == columns else {
                throw JobInputError("saved progress for hidden state \(key.layer) has \(matrix.rows) rows, expected \(rows)")
            }
            columns = matrix.columns
            values[key] = matrix.storage
        }
        self.rows = rows
        self.columns = columns
        self.values = values
    }
}

/// The `progress` of a preempted extract job: how many sequences are done and where
/// their pooled rows were saved, with checksums so a damaged save is noticed.
struct ExtractProgress: Codable, Equatable {
    var rows: Int
    var directory: String
    /// `pooling/layer-NN.npy` → SHA-256.
    var files: [String: String]

    static func decode(_ text: String?) -> ExtractProgress? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(ExtractProgress.self, from: Data(text.utf8))
    }

    static func save(_ pooled: PooledRows, to store: ArtifactStore, directory: String) throws -> ExtractProgress {
        var files: [String: String] = [:]
        guard pooled.rows > 0 else { return ExtractProgress(rows: 0, directory: directory, files: [:]) }
        for (key, matrix) in try pooled.matrices() {
            let name = "\(key.pooling)/\(ArtifactStore.layerFileName(key.layer))"
            files[name] = try store.write(matrix, at: "\(directory)/\(name)")
        }
        return ExtractProgress(rows: pooled.rows, directory: directory, files: files)
    }

    func restore(from store: ArtifactStore, layers: [Int], poolings: [String]) throws -> PooledRows {
        guard rows > 0 else { return PooledRows(layers: layers, poolings: poolings) }
        var matrices: [PooledRows.Key: Matrix<Float>] = [:]
        for pooling in poolings {
            for layer in layers {
                let name = "\(pooling)/\(ArtifactStore.layerFileName(layer))"
                guard let sha256 = files[name] else { throw JobInputError("saved progress lacks \(name)") }
                matrices[PooledRows.Key(pooling: pooling, layer: layer)] = try store.read("\(directory)/\(name)", sha256: sha256)
            }
        }
        return try PooledRows(restoring: matrices, rows: rows)
    }

    func jsonText() throws -> String {
        try CanonicalJSON.text(self)
    }
}
