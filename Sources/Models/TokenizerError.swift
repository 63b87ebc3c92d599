/// An error loading a tokenizer, with a message that names the file and what is wrong.
public struct TokenizerError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        /// The file or directory does not exist or cannot be read.
        case notFound = "not_found"
        /// The file exists but cannot be read: a directory, no permission, an I/O error.
        case unreadable
        /// The file is not JSON, or a required field is missing or of the wrong type.
        case malformed
        /// A valid tokenizer.json that uses a model, normalizer, pre-tokenizer or option
        /// Spectra does not implement.
        case unsupported
    }

    public let code: Code
    /// The tokenizer.json (or directory) the error is about.
    public let path: String
    public let message: String

    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
