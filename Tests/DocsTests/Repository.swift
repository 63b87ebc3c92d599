import Foundation

/// The checkout this test target was compiled from, and its files.
enum Repository {
    /// Tests/DocsTests/Repository.swift → the repository root.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .standardizedFileURL

    /// Files under `directory` whose extension is in `extensions` (or whose name is in
    /// `names`), skipping hidden directories (.git, .build, .spectra, .venv), build
    /// output and Python caches, which are not part of the repository.
    static func files(withExtensions extensions: Set<String>, names: Set<String> = [],
                      under directory: URL = root) -> [URL] {
        let skipped: Set<String> = ["__pycache__", "node_modules"]
        guard let walker = FileManager.default.enumerator(
            at: directory, includingPropertiesForKeys: [.isDirectoryKey, .isRegularFileKey],
            options: [.skipsHiddenFiles]) else { return [] }
        var found: [URL] = []
        for case let url as URL in walker {
            let name = url.lastPathComponent
            let values = try? url.resourceValues(forKeys: [.isDirectoryKey, .isRegularFileKey])
            if values?.isDirectory == true {
                if skipped.contains(name) || name.hasPrefix(".build") || (url.deletingLastPathComponent().standardizedFileURL == root && name == "out") {
                    walker.skipDescendants()
                }
                continue
            }
            guard values?.isRegularFile == true else { continue }
            if extensions.contains(url.pathExtension.lowercased()) || names.contains(name) {
                found.append(url.standardizedFileURL)
            }
        }
        return found.sorted { $0.path < $1.path }
    }
}
