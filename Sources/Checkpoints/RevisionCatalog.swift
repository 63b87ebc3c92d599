import Foundation
import SpectraBase

/// A local model series: one checkpoint directory per training revision, listed in the
/// series directory's `catalog.json`.
///
/// ```json
/// {"model": "tiny-pythia", "family": "pythia-like", "tokens_per_step": 2097152,
///  "revisions": [{"name": "step0", "step": 0, "tokens": 0}, {"name": "step1", "step": 1}]}
/// ```
/// `tokens` defaults to `step × tokens_per_step`. With `"hub_cache": DIR` (relative to
/// the series directory, or absolute) and `"repo": "ORG/NAME"`, revisions are read from
/// that Hugging Face hub cache (`refs/NAME` → `snapshots/COMMIT/`) instead of sub-directories.
public struct RevisionCatalog: Sendable, Equatable {
    /// One revision of the series.
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let step: Int
        /// Tokens seen at this revision, the axis families are compared on.
        public let tokens: Int
        /// The revision's checkpoint directory.
        public let directory: URL
    }

    public let seriesDirectory: URL
    public let model: String
    public let family: String
    public let tokensPerStep: Int?
    /// The hub cache and repository revisions live in, when the catalog names them.
    public let hub: (cache: HubCache, repo: String)?
    /// Revisions in training order (by step, then tokens).
    public let entries: [Entry]

    /// Reads and validates `seriesDirectory/catalog.json`, checking that every revision's
    /// directory holds a checkpoint (config.json and weights) without opening it.
    public static func load(seriesDirectory: URL) throws(CheckpointError) -> RevisionCatalog {
        let file = seriesDirectory.appendingPathComponent("catalog.json")
        let source = file.path
        guard FileManager.default.fileExists(atPath: source) else {
            throw CheckpointError(.malformedCatalog, "series \(seriesDirectory.path): no catalog.json in the directory")
        }
        let root: [String: JSONValue]
        do {
            let json = try JSONValue.parse(try FileAccess.read(file.path))
            guard let object = json.objectValue else {
                throw CheckpointError(.malformedCatalog, "\(source): catalog is \(json.brief), not a JSON object")
            }
            root = object
        } catch let error as JSONValueError {
            throw CheckpointError(.malformedCatalog, "\(source): not valid JSON: \(error.reason)")
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError(.ioFailure, "\(source): \(FileAccess.reason(error))")
        }

        guard let model = root["model"]?.stringValue, !model.isEmpty else {
            throw CheckpointError(.malformedCatalog, "\(source): \"model\" must be a non-empty string")
        }
        let family = root["family"]?.stringValue ?? "local"
        var tokensPerStep: Int?
        if let raw = root["tokens_per_step"] {
            guard let value = raw.intValue, value > 0 else {
                throw CheckpointError(.malformedCatalog,
                    "\(source): tokens_per_step is \(raw.brief), not a positive integer")
            }
            tokensPerStep = value
        }
        let hub = try Self.hub(root, series: seriesDirectory, source: source)
        guard let revisions = root["revisions"]?.arrayValue, !revisions.isEmpty else {
            throw CheckpointError(.malformedCatalog, "\(source): \"revisions\" must be a non-empty array")
        }

        var entries: [Entry] = []
        var seen = Set<String>()
        for (index, raw) in revisions.enumerated() {
            let entry = try Self.entry(raw, index: index, tokensPerStep: tokensPerStep,
                                       series: seriesDirectory, hub: hub, source: source)
            guard seen.insert(entry.name).inserted else {
                throw CheckpointError(.duplicateRevision,
                    "\(source): revision \(entry.name) (entry \(index)) is listed more than once")
            }
            entries.append(entry)
        }
        entries.sort { ($0.step, $0.tokens, $0.name) < ($1.step, $1.tokens, $1.name) }
        return RevisionCatalog(seriesDirectory: seriesDirectory, model: model, family: family,
                               tokensPerStep: tokensPerStep, hub: hub, entries: entries)
    }

    /// The entries as revisions (for `StepSelection`), named by the hub repo or the model.
    public var revisions: [RevisionInfo] {
        entries.map { RevisionInfo(name: $0.name, step: $0.step, tokens: $0.tokens, repo: hub?.repo ?? model) }
    }

    public static func == (lhs: RevisionCatalog, rhs: RevisionCatalog) -> Bool {
        lhs.seriesDirectory == rhs.seriesDirectory && lhs.model == rhs.model && lhs.family == rhs.family
            && lhs.tokensPerStep == rhs.tokensPerStep && lhs.hub?.cache == rhs.hub?.cache
            && lhs.hub?.repo == rhs.hub?.repo && lhs.entries == rhs.entries
    }

    private static func hub(_ root: [String: JSONValue], series: URL,
                            source: String) throws(CheckpointError) -> (cache: HubCache, repo: String)? {
        let cache = root["hub_cache"], repo = root["repo"]
        if cache == nil && repo == nil { return nil }
        guard let path = cache?.stringValue, !path.isEmpty, let name = repo?.stringValue,
              name.split(separator: "/").count == 2 else {
            throw CheckpointError(.malformedCatalog,
                "\(source): \"hub_cache\" (a directory) and \"repo\" (ORG/NAME) must be given together")
        }
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path, isDirectory: true)
            : series.appendingPathComponent(path, isDirectory: true).standardizedFileURL
        return (HubCache(root: url), name)
    }

    /// The entry called `name`, if listed.
    public func entry(named name: String) -> Entry? {
        entries.first { $0.name == name }
    }

    /// Opens the checkpoint of `entry`.
    public func checkpoint(_ entry: Entry) throws(CheckpointError) -> CheckpointDirectory {
        try CheckpointDirectory(url: entry.directory)
    }

    private static func entry(_ raw: JSONValue, index: Int, tokensPerStep: Int?, series: URL,
                              hub: (cache: HubCache, repo: String)?, source: String) throws(CheckpointError) -> Entry {
        guard let fields = raw.objectValue else {
            throw CheckpointError(.malformedCatalog, "\(source): revision entry \(index) is \(raw.brief), not an object")
        }
        // Names become directory names, so anything that could leave the series is refused.
        guard let name = fields["name"]?.stringValue, !name.isEmpty, !name.contains("/"),
              name != ".", name != ".." else {
            throw CheckpointError(.malformedCatalog,
                "\(source): revision entry \(index) needs a \"name\" that is a plain directory name")
        }
        let label = "\(source): revision \(name) (entry \(index))"
        guard let stepValue = fields["step"], let step = stepValue.intValue else {
            throw CheckpointError(.malformedCatalog, "\(label) has no integer \"step\"")
        }
        guard step >= 0 else {
            throw CheckpointError(.malformedCatalog, "\(label) has negative step \(step)")
        }
        let tokens: Int
        if let rawTokens = fields["tokens"] {
            guard let value = rawTokens.intValue, value >= 0 else {
                throw CheckpointError(.malformedCatalog, "\(label): tokens is \(rawTokens.brief), not a non-negative integer")
            }
            tokens = value
        } else if let tokensPerStep {
            let (product, overflow) = step.multipliedReportingOverflow(by: tokensPerStep)
            guard !overflow else {
                throw CheckpointError(.malformedCatalog, "\(label): step × tokens_per_step overflows")
            }
            tokens = product
        } else {
            throw CheckpointError(.malformedCatalog,
                "\(label) has no \"tokens\" and the catalog has no tokens_per_step to derive them")
        }
        let directory: URL
        if let hub {
            do {
                directory = try hub.cache.snapshotDirectory(model: hub.repo, revision: name)
            } catch {
                throw CheckpointError(.missingRevision, "\(label): \(error.message)")
            }
        } else {
            directory = series.appendingPathComponent(name, isDirectory: true)
        }
        guard CheckpointDirectory.exists(at: directory) else {
            throw CheckpointError(.missingRevision,
                "\(label): directory \(directory.path) does not hold a checkpoint (config.json and "
                + "weights: model.safetensors, pytorch_model.bin, or the index of either)")
        }
        return Entry(name: name, step: step, tokens: tokens, directory: directory)
    }
}
