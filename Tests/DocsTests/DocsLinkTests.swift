import Foundation
import Testing

/// The documentation stands on its own: every relative link in the repository's Markdown,
/// and every `docs/….md` path named in code, resolves to a file of this repository (and
/// to a heading of it, when it has an #anchor).
@Suite struct DocsLinkTests {
    @Test func everyRelativeLinkInMarkdownResolves() throws {
        var checker = LinkChecker(root: Repository.root)
        let files = Repository.files(withExtensions: ["md"])
        // README, BENCHMARKS, examples/README and the pages under docs/: finding fewer
        // means the walk went wrong, not that the links are fine.
        #expect(files.count >= 8, "found only \(files.map(checker.relative))")
        var linkCount = 0
        var problems: [String] = []
        for file in files {
            linkCount += try Markdown.links(in: String(contentsOf: file, encoding: .utf8)).count
            problems += try checker.problems(inMarkdown: file)
        }
        #expect(linkCount >= 30, "only \(linkCount) links found")
        #expect(problems.isEmpty, "broken links:\n\(problems.joined(separator: "\n"))")
    }

    @Test func docsPathsNamedInCodeResolve() throws {
        var checker = LinkChecker(root: Repository.root)
        let files = Repository.files(withExtensions: ["swift", "sh", "py", "sql", "yaml", "yml", "txt", "sbatch"],
                                     names: ["Containerfile"])
        // This target's own tests name made-up paths on purpose.
        let own = Repository.root.appendingPathComponent("Tests/DocsTests").path + "/"
        var problems: [String] = []
        for file in files where !file.path.hasPrefix(own) {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            problems += try checker.problems(inMentions: text, of: file)
        }
        #expect(problems.isEmpty, "paths to missing docs:\n\(problems.joined(separator: "\n"))")
    }

    /// The background specs the project was planned from are not in the repository, so
    /// nothing in it may send a reader to them; what users need is under docs/.
    @Test func nothingNamesTheBackgroundSpecs() throws {
        // Built at run time so that this file does not name them either.
        let names = ["DESIGN", "METRICS", "BASELINES", "STYLE"].map { $0 + ".md" }
        let files = Repository.files(withExtensions: ["md", "swift", "sh", "py", "sql", "yaml", "yml", "txt", "sbatch"],
                                     names: ["Containerfile"])
        var mentions: [String] = []
        for file in files {
            guard let text = try? String(contentsOf: file, encoding: .utf8),
                  names.contains(where: { text.contains($0) }) else { continue }
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for name in names where line.range(of: #"\b"# + name.replacingOccurrences(of: ".", with: "\\.") + #"\b"#,
                                                  options: .regularExpression) != nil {
                    mentions.append("\(LinkChecker(root: Repository.root).relative(file)):\(index + 1): \(name)")
                }
            }
        }
        #expect(mentions.isEmpty, "\(mentions.joined(separator: "\n"))")
    }
}

/// The checker itself, on a made-up repository, so that the tests above cannot pass by
/// finding nothing wrong with anything.
@Suite struct LinkCheckerTests {
    private func withRepository(_ files: [String: String], _ body: (URL) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("docs-links-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: root) }
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try body(root)
    }

    @Test func reportsMissingFilesAnchorsAndEscapes() throws {
        let readme = """
            # Title
            [ok](docs/a.md) [ok anchor](docs/a.md#second-part) [ok dup](docs/a.md#part-1)
            [missing](docs/b.md) [bad anchor](docs/a.md#nowhere) [outside](../elsewhere.md)
            [web](https://example.org/x.md) [self](#title) [bad self](#untitled)
            ```
            [in a fence](docs/none.md)
            ```
            `[in a code span](docs/none.md)`
            [ref]: docs/gone.md
            """
        let page = "## Part\n\n## Part\n\n### Second *part*\n"
        try withRepository(["README.md": readme, "docs/a.md": page]) { root in
            var checker = LinkChecker(root: root)
            let problems = try checker.problems(inMarkdown: root.appendingPathComponent("README.md"))
            let targets = problems.map { $0.split(separator: " ")[1] }
            #expect(targets == ["docs/b.md:", "docs/a.md#nowhere:", "../elsewhere.md:", "#untitled:", "docs/gone.md:"],
                    "\(problems)")
            #expect(problems.first?.hasPrefix("README.md:3: docs/b.md: no such file") == true, "\(problems)")
        }
    }

    @Test func reportsMissingDocsNamedInCode() throws {
        let source = "/// See docs/a.md#part and docs/missing.md, not mydocs/x.md.\n"
        try withRepository(["docs/a.md": "## Part\n", "Sources/X.swift": source]) { root in
            var checker = LinkChecker(root: root)
            let problems = try checker.problems(inMentions: source, of: root.appendingPathComponent("Sources/X.swift"))
            #expect(problems == ["Sources/X.swift:1: docs/missing.md: no such file docs/missing.md"])
        }
    }

    // Oracle: GitHub's heading-anchor rules as its github-slugger package applies them,
    // worked by hand: markup dropped, case folded, punctuation removed (underscores,
    // hyphens and non-ASCII letters kept), each space a hyphen.
    @Test(arguments: [
        ("A run, end to end", "a-run-end-to-end"),
        ("`spectra.layer_metrics`", "spectralayer_metrics"),
        ("1. The database", "1-the-database"),
        ("The demo's run", "the-demos-run"),
        ("α-ReQ", "α-req"),
        ("Run of 05:17–05:29, after 0013", "run-of-05170529-after-0013"),
        ("See [the guide](README.md)", "see-the-guide"),
    ])
    func slugsFollowGitHub(heading: String, anchor: String) throws {
        #expect(try Markdown.slug(heading) == anchor)
    }

    @Test func duplicateAndSetextHeadingsGetAnchors() throws {
        let text = "# Top #\n\nIntro\n=====\n\n## Top\n\n```\n# not a heading\n```\n"
        #expect(try Markdown.anchors(in: text) == ["top", "intro", "top-1"])
    }
}
