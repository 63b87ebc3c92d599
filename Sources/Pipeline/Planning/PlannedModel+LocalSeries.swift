import Jobs
import Checkpoints
import Foundation

extension PlannedModel {
    /// A local series: a directory with a `catalog.json` and one checkpoint per revision
    /// (sub-directories, or a hub cache the catalog names). Reads the catalog and the first
    /// revision's `config.json` (the architecture of a series does not change over training).
    static func localSeries(directory path: String) throws -> PlannedModel {
        let directory = URL(fileURLWithPath: path).standardizedFileURL
        let catalog = try RevisionCatalog.load(seriesDirectory: directory)
        guard let first = catalog.entries.first else {
            throw PipelineError(.badInput, "\(directory.path)/catalog.json lists no revisions")
        }
        let config = try catalog.checkpoint(first).config
        return PlannedModel(
            name: catalog.model, family: catalog.family, architecture: config.architecture.rawValue,
            layerCount: config.layerCount, hiddenSize: config.hiddenSize, source: directory.path,
            revisions: catalog.entries.map {
                Revision(name: $0.name, step: Int64($0.step), tokens: Int64($0.tokens),
                         checkpoint: CheckpointArguments(checkpoint: $0.directory.path, repo: nil, model: catalog.model, revision: $0.name),
                         location: $0.directory.path)
            })
    }
}
