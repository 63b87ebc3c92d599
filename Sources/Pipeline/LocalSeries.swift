import Checkpoints
import Foundation

/// A model's checkpoint series on disk: one directory per revision and a `catalog.json`.
struct LocalSeries: Sendable {
    struct Revision: Sendable {
        var name: String
        var step: Int64
        var tokens: Int64
        var directory: URL
    }

    var name: String
    /// The catalog's family label ("pythia-like"); what comparisons group by.
    var family: String
    var directory: URL
    var architecture: String
    var layerCount: Int
    var hiddenSize: Int
    var revisions: [Revision]

    /// Reads the catalog and the first revision's `config.json` (the architecture of a
    /// series does not change over training).
    static func open(directory path: String) throws -> LocalSeries {
        let directory = URL(fileURLWithPath: path).standardizedFileURL
        let catalog = try RevisionCatalog.load(seriesDirectory: directory)
        guard let first = catalog.entries.first else {
            throw PipelineError(.badInput, "\(directory.path)/catalog.json lists no revisions")
        }
        let config = try catalog.checkpoint(first).config
        return LocalSeries(
            name: catalog.model, family: catalog.family, directory: directory,
            architecture: config.architecture.rawValue, layerCount: config.layerCount, hiddenSize: config.hiddenSize,
            revisions: catalog.entries.map {
                Revision(name: $0.name, step: Int64($0.step), tokens: Int64($0.tokens), directory: $0.directory)
            })
    }
}
