import Foundation

/// Checks that relative links resolve to files inside one repository, and that their
/// `#anchor` fragments name headings of the target Markdown file.
struct LinkChecker {
    let root: URL
    private var anchorCache: [String: Set<String>] = [:]

    init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// One message per broken link of the Markdown file `file`, naming file and line.
    mutating func problems(inMarkdown file: URL) throws -> [String] {
        let text = try String(contentsOf: file, encoding: .utf8)
        var problems: [String] = []
        for link in try Markdown.links(in: text) {
            if let problem = try check(link.target, from: file) {
                problems.append("\(relative(file)):\(link.line): \(link.target): \(problem)")
            }
        }
        return problems
    }

    /// Why `target`, written in `file`, does not resolve; nil when it does or when it is
    /// not a relative link (a URL with a scheme, or protocol-relative).
    mutating func check(_ target: String, from file: URL) throws -> String? {
        if target.isEmpty { return "empty link" }
        if target.hasPrefix("//") || target.range(of: #"^[A-Za-z][A-Za-z0-9+.-]*:"#, options: .regularExpression) != nil {
            return nil
        }
        let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let rawPath = String(parts[0].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
        let fragment = parts.count > 1 ? String(parts[1]) : nil
        guard let path = rawPath.removingPercentEncoding else { return "bad percent-encoding" }

        let resolved: URL
        if path.isEmpty {
            resolved = file.standardizedFileURL
        } else if path.hasPrefix("/") {
            resolved = root.appendingPathComponent(String(path.dropFirst())).standardizedFileURL
        } else {
            resolved = file.deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL
        }
        guard resolved.path == root.path || resolved.path.hasPrefix(root.path + "/") else {
            return "points outside the repository"
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved.path, isDirectory: &isDirectory) else {
            return "no such file \(relative(resolved))"
        }
        guard let fragment, !fragment.isEmpty else { return nil }
        guard !isDirectory.boolValue, resolved.pathExtension.lowercased() == "md" else { return nil }
        let anchors = try anchors(of: resolved)
        let wanted = (fragment.removingPercentEncoding ?? fragment).lowercased()
        return anchors.contains(wanted) ? nil : "no heading #\(fragment) in \(relative(resolved))"
    }

    /// `docs/….md` paths (with an optional `#anchor`) mentioned anywhere in `text`, such
    /// as in doc comments; each is relative to the repository root.
    mutating func problems(inMentions text: String, of file: URL) throws -> [String] {
        // No lookbehind in Swift's Regex: the path must start the line or follow a character
        // that cannot be part of a longer path (so `mydocs/x.md` is not read as `docs/x.md`).
        let mention = try Regex(#"(?:^|[^\w./-])(docs/[\w./-]+\.md)(#[\w-]+)?"#)
        var problems: [String] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for match in String(line).matches(of: mention) {
                guard let path = match.output[1].substring else { continue }
                let target = "/" + path + (match.output[2].substring.map(String.init) ?? "")
                if let problem = try check(target, from: file) {
                    problems.append("\(relative(file)):\(index + 1): \(target.dropFirst()): \(problem)")
                }
            }
        }
        return problems
    }

    private mutating func anchors(of file: URL) throws -> Set<String> {
        if let cached = anchorCache[file.path] { return cached }
        let anchors = try Markdown.anchors(in: String(contentsOf: file, encoding: .utf8))
        anchorCache[file.path] = anchors
        return anchors
    }

    func relative(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        return path.hasPrefix(root.path + "/") ? String(path.dropFirst(root.path.count + 1)) : path
    }
}
