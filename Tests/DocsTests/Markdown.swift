import Foundation

/// A link target written in a Markdown file, and the 1-based line it is on.
struct MarkdownLink: Equatable, Sendable {
    var target: String
    var line: Int
}

/// The parts of GitHub-flavoured Markdown that link checking needs: link targets written
/// outside code, and the anchors GitHub gives headings. Not a full parser: it reads
/// inline links and images, reference definitions, `href`/`src` attributes, ATX and
/// setext headings, fenced code blocks and code spans.
enum Markdown {
    /// Every link target outside fenced code blocks and code spans, in order.
    static func links(in text: String) throws -> [MarkdownLink] {
        let definition = try Regex(#"^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?"#)
        let attribute = try Regex(#"(?:href|src)\s*=\s*"([^"]*)""#)
        var found: [MarkdownLink] = []
        for (number, line) in proseLines(text) {
            let prose = withoutCodeSpans(line)
            for target in inlineTargets(prose) {
                found.append(MarkdownLink(target: target, line: number))
            }
            if let match = try definition.firstMatch(in: prose), let target = match.output[1].substring {
                found.append(MarkdownLink(target: String(target), line: number))
            }
            for match in prose.matches(of: attribute) {
                if let target = match.output[1].substring {
                    found.append(MarkdownLink(target: String(target), line: number))
                }
            }
        }
        return found
    }

    /// The anchors GitHub generates for the headings (duplicates numbered -1, -2, …),
    /// plus explicit `id`/`name` attributes.
    static func anchors(in text: String) throws -> Set<String> {
        let explicit = try Regex(#"<a\s+(?:id|name)\s*=\s*"([^"]+)""#)
        var counts: [String: Int] = [:]
        var anchors = Set<String>()
        var previous: String?
        for (_, line) in proseLines(text) {
            var heading = atxHeading(line)
            if heading == nil, let above = previous, isSetextUnderline(line) {
                heading = above
            }
            if let heading {
                let base = try slug(heading)
                let seen = counts[base, default: 0]
                anchors.insert(seen == 0 ? base : "\(base)-\(seen)")
                counts[base] = seen + 1
                previous = nil
            } else {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                previous = trimmed.isEmpty || trimmed.hasPrefix("|") ? nil : trimmed
            }
            for match in line.matches(of: explicit) {
                if let id = match.output[1].substring { anchors.insert(String(id)) }
            }
        }
        return anchors
    }

    /// GitHub's anchor for a heading's text: markup dropped (link text and code kept),
    /// lower-cased, only letters, digits, spaces, hyphens and underscores kept, each
    /// space turned into a hyphen.
    static func slug(_ heading: String) throws -> String {
        var text = heading.replacing(try Regex(#"!?\[([^\]]*)\]\([^)]*\)"#)) { match in
            match.output[1].substring ?? ""
        }
        text = text.replacing(try Regex(#"<[^>]+>"#), with: "")
        let kept = text.trimmingCharacters(in: .whitespaces).lowercased().filter {
            $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" || $0 == "_"
        }
        return String(kept.map { $0 == " " ? "-" : $0 })
    }

    /// Lines outside fenced code blocks, with their 1-based numbers.
    static func proseLines(_ text: String) -> [(Int, String)] {
        var lines: [(Int, String)] = []
        var fence: (mark: Character, length: Int)?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            let trimmed = line.drop { $0 == " " }
            let indent = line.count - trimmed.count
            if indent <= 3, let mark = trimmed.first, mark == "`" || mark == "~" {
                let run = trimmed.prefix { $0 == mark }.count
                if let open = fence {
                    if mark == open.mark, run >= open.length,
                       trimmed.dropFirst(run).allSatisfy(\.isWhitespace) {
                        fence = nil
                    }
                    continue
                }
                if run >= 3 {
                    fence = (mark, run)
                    continue
                }
            }
            if fence == nil { lines.append((index + 1, line)) }
        }
        return lines
    }

    /// The line with each code span (a run of backticks up to the next run of the same
    /// length) removed; an unmatched run stays as it is.
    static func withoutCodeSpans(_ line: String) -> String {
        let characters = Array(line)
        var result = ""
        var i = 0
        while i < characters.count {
            guard characters[i] == "`" else {
                result.append(characters[i])
                i += 1
                continue
            }
            var run = 0
            while i + run < characters.count, characters[i + run] == "`" { run += 1 }
            var j = i + run
            var closed: Int?
            while j < characters.count {
                if characters[j] == "`" {
                    var other = 0
                    while j + other < characters.count, characters[j + other] == "`" { other += 1 }
                    if other == run { closed = j + other; break }
                    j += other
                } else {
                    j += 1
                }
            }
            if let end = closed {
                result.append(" ")
                i = end
            } else {
                result.append(contentsOf: String(repeating: "`", count: run))
                i += run
            }
        }
        return result
    }

    /// Targets of `[text](target "title")` and `![alt](target)` on one line.
    static func inlineTargets(_ line: String) -> [String] {
        let characters = Array(line)
        var targets: [String] = []
        var i = 0
        while i + 1 < characters.count {
            guard characters[i] == "]", characters[i + 1] == "(" else { i += 1; continue }
            var j = i + 2
            while j < characters.count, characters[j] == " " { j += 1 }
            var target = ""
            if j < characters.count, characters[j] == "<" {
                j += 1
                while j < characters.count, characters[j] != ">" { target.append(characters[j]); j += 1 }
            } else {
                var depth = 0
                while j < characters.count, !characters[j].isWhitespace {
                    let c = characters[j]
                    if c == "(" { depth += 1 }
                    if c == ")" { if depth == 0 { break }; depth -= 1 }
                    target.append(c)
                    j += 1
                }
            }
            targets.append(target)
            i = j
        }
        return targets
    }

    static func atxHeading(_ line: String) -> String? {
        let trimmed = line.drop { $0 == " " }
        guard line.count - trimmed.count <= 3 else { return nil }
        let hashes = trimmed.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes) else { return nil }
        let rest = trimmed.dropFirst(hashes)
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        var content = rest.trimmingCharacters(in: .whitespaces)
        // A closing sequence of #s, preceded by a space, is not part of the heading.
        let closing = content.reversed().prefix { $0 == "#" }.count
        if closing > 0 {
            let body = content.dropLast(closing)
            if body.isEmpty || body.last == " " { content = body.trimmingCharacters(in: .whitespaces) }
        }
        return content
    }

    static func isSetextUnderline(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard let first = trimmed.first, first == "=" || first == "-" else { return false }
        return trimmed.allSatisfy { $0 == first }
    }
}
