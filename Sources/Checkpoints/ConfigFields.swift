/// Typed field access over a config object, with messages that name the field and file.
struct ConfigFields {
    let root: [String: JSONValue]
    let source: String

    /// A positive integer of at most `limit` (see `ModelLimits`); `fallback` when absent.
    func positiveInt(_ key: String, default fallback: Int? = nil, limit: Int) throws(CheckpointError) -> Int {
        guard let value = root[key], value != .null else {
            if let fallback { return fallback }
            throw CheckpointError(.malformedConfig, "\(source): required field \(key) is missing")
        }
        guard let int = value.intValue, int > 0 else {
            throw CheckpointError(.malformedConfig, "\(source): \(key) is \(value.brief), not a positive integer")
        }
        guard int <= limit else {
            throw CheckpointError(.malformedConfig,
                "\(source): \(key) is \(int), more than Spectra's limit of \(limit) (see docs/limits.md)")
        }
        return int
    }

    /// A positive finite number, or nil when absent or null.
    func positiveDouble(_ key: String) throws(CheckpointError) -> Double? {
        guard let number = try double(key) else { return nil }
        guard number > 0, number.isFinite else {
            throw CheckpointError(.malformedConfig, "\(source): \(key) is \(number), not a positive finite number")
        }
        return number
    }

    func double(_ key: String) throws(CheckpointError) -> Double? {
        guard let value = root[key], value != .null else { return nil }
        guard let number = value.doubleValue else {
            throw CheckpointError(.malformedConfig, "\(source): \(key) is \(value.brief), not a number")
        }
        return number
    }

    func string(_ key: String) throws(CheckpointError) -> String? {
        guard let value = root[key], value != .null else { return nil }
        guard let string = value.stringValue else {
            throw CheckpointError(.malformedConfig, "\(source): \(key) is \(value.brief), not a string")
        }
        return string
    }

    func bool(_ key: String) throws(CheckpointError) -> Bool? {
        guard let value = root[key], value != .null else { return nil }
        guard let bool = value.boolValue else {
            throw CheckpointError(.malformedConfig, "\(source): \(key) is \(value.brief), not true or false")
        }
        return bool
    }
}

extension ConfigFields {
    /// Whether the file names `key` at all (a `null` counts: it differs from leaving the key out).
    func contains(_ key: String) -> Bool { root[key] != nil }

    /// A list of strings, or nil when absent or null.
    func strings(_ key: String) throws(CheckpointError) -> [String]? {
        guard let value = root[key], value != .null else { return nil }
        guard let array = value.arrayValue else {
            throw CheckpointError(.malformedConfig, "\(source): \(key) is \(value.brief), not a list")
        }
        var strings: [String] = []
        for element in array {
            guard let string = element.stringValue else {
                throw CheckpointError(.malformedConfig, "\(source): \(key) holds \(element.brief), not a string")
            }
            strings.append(string)
        }
        return strings
    }
}

extension ConfigFields {
    /// A positive integer, or nil when the value is null (or the key absent).
    func optionalPositiveInt(_ key: String, limit: Int) throws(CheckpointError) -> Int? {
        guard let value = root[key], value != .null else { return nil }
        return try positiveInt(key, limit: limit)
    }

    /// An integer ≥ 0; `fallback` when absent or null.
    func nonNegativeInt(_ key: String, default fallback: Int) throws(CheckpointError) -> Int {
        guard let value = root[key], value != .null else { return fallback }
        guard let int = value.intValue, int >= 0 else {
            throw CheckpointError(.malformedConfig, "\(source): \(key) is \(value.brief), not an integer ≥ 0")
        }
        return int
    }
}
