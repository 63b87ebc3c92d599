/// Helpers for libpq connection strings, in both the URI form
/// (`postgresql://user:pw@host/db?sslmode=require`) and the keyword form
/// (`host=/sock dbname=db password=pw`).
public enum ConnectionString {
    /// Whether `string` is a URI rather than keyword/value pairs.
    public static func isURI(_ string: String) -> Bool {
        string.hasPrefix("postgresql://") || string.hasPrefix("postgres://")
    }

    /// The string with any password replaced by `***`, safe for logs and errors.
    public static func masked(_ string: String) -> String {
        isURI(string) ? maskedURI(string) : maskedKeywords(string)
    }

    /// The string pointing at database `name` on the same server, with the same options.
    public static func replacingDatabase(in string: String, with name: String) -> String {
        guard isURI(string) else {
            // libpq keeps the last value of a repeated keyword.
            let quoted = name.replacingEvery("\\", with: "\\\\").replacingEvery("'", with: "\\'")
            return string + " dbname='\(quoted)'"
        }
        let schemeEnd = string.range(of: "://")!.upperBound
        let rest = string[schemeEnd...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let queryStart = rest[authorityEnd...].firstIndex(of: "?") ?? rest.endIndex
        var query = String(rest[queryStart...])
        // A dbname query parameter would override the path; drop it.
        if !query.isEmpty {
            let kept = query.dropFirst().split(separator: "&").filter { !$0.hasPrefix("dbname=") }
            query = kept.isEmpty ? "" : "?" + kept.joined(separator: "&")
        }
        return String(string[..<authorityEnd]) + "/" + percentEncoded(name) + query
    }

    /// Percent-encodes everything except unreserved characters and `/`, for URI parts.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if scalar.properties.isASCIIHexDigit || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || "-._~/".unicodeScalars.contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    private static func maskedURI(_ string: String) -> String {
        let schemeEnd = string.range(of: "://")!.upperBound
        let rest = string[schemeEnd...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = String(rest[..<authorityEnd])
        if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
            authority.replaceSubrange(authority.index(after: colon)..<at, with: "***")
        }
        var tail = String(rest[authorityEnd...])
        if let question = tail.firstIndex(of: "?") {
            let params = tail[tail.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false)
                .map { $0.hasPrefix("password=") ? "password=***" : String($0) }
            tail = String(tail[...question]) + params.joined(separator: "&")
        }
        return String(string[..<schemeEnd]) + authority + tail
    }

    /// Rewrites `password=value` (bare or single-quoted with backslash escapes) as
    /// `password=***`, leaving everything else byte for byte.
    private static func maskedKeywords(_ string: String) -> String {
        let chars = Array(string)
        var out = ""
        var index = 0
        while index < chars.count {
            while index < chars.count, chars[index].isWhitespace { out.append(chars[index]); index += 1 }
            var key = ""
            while index < chars.count, chars[index] != "=", !chars[index].isWhitespace {
                key.append(chars[index]); index += 1
            }
            out += key
            while index < chars.count, chars[index].isWhitespace { out.append(chars[index]); index += 1 }
            guard index < chars.count, chars[index] == "=" else { continue }
            out.append("="); index += 1
            while index < chars.count, chars[index].isWhitespace { out.append(chars[index]); index += 1 }
            var value = ""
            if index < chars.count, chars[index] == "'" {
                value.append("'"); index += 1
                while index < chars.count, chars[index] != "'" {
                    if chars[index] == "\\", index + 1 < chars.count { value.append(chars[index]); index += 1 }
                    value.append(chars[index]); index += 1
                }
                if index < chars.count { value.append("'"); index += 1 }
            } else {
                while index < chars.count, !chars[index].isWhitespace { value.append(chars[index]); index += 1 }
            }
            out += key == "password" ? "***" : value
        }
        return out
    }
}

extension String {
    fileprivate func replacingEvery(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
