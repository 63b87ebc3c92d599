import Foundation
import SpectraBase
import Models

/// `spectra tokenize`: the token ids of each line of a text, as text.
public struct TokenizeRequest: Sendable {
    /// A tokenizer.json, or a checkpoint directory that contains one.
    public var tokenizer: String
    /// The text file, one text per line; nil reads standard input.
    public var input: String?
    /// One JSON array per line instead of space-separated ids.
    public var json: Bool

    public init(tokenizer: String, input: String?, json: Bool) {
        self.tokenizer = tokenizer
        self.input = input
        self.json = json
    }

    /// Encodes every line and hands the output to `emit` in chunks of whole lines.
    ///
    /// Lines end at "\n" only; everything else, "\r" included, is text to encode, so the
    /// ids equal `tokenizers`' for `text.split("\n")`. Empty input emits nothing; an empty
    /// line gives an empty line (`[]` with `json`).
    public func run(emit: (String) -> Void) throws {
        let tokenizer: Tokenizer
        do {
            tokenizer = try Tokenizer.load(self.tokenizer)
        } catch let error as TokenizerError {
            throw PipelineError(error.code == .notFound ? .notFound : .badInput, error.description)
        }
        let name = input ?? "standard input"
        let data: Data
        if let input {
            do {
                data = try FileAccess.read(input)
            } catch {
                throw PipelineError(error.kind == .notFound ? .notFound : .badInput, error.description)
            }
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }

        var encoder = tokenizer.makeEncoder()
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        for (index, line) in lines.enumerated() {
            guard let text = String(validating: line, as: UTF8.self) else {
                throw PipelineError(.badInput, "\(name) line \(index + 1): not valid UTF-8")
            }
            Self.append(encoder.encode(text), json: json, to: &out)
            if out.count >= 1 << 20 {
                emit(String(decoding: out, as: UTF8.self))
                out.removeAll(keepingCapacity: true)
            }
        }
        if !out.isEmpty { emit(String(decoding: out, as: UTF8.self)) }
    }

    /// Writes the ids as ASCII digits directly: formatting millions of ids through
    /// `String(Int)` and joining would cost more than encoding them.
    static func append(_ ids: [Int32], json: Bool, to out: inout [UInt8]) {
        if json { out.append(UInt8(ascii: "[")) }
        for (i, id) in ids.enumerated() {
            if i > 0 { out.append(json ? UInt8(ascii: ",") : UInt8(ascii: " ")) }
            var value = UInt32(bitPattern: id)
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            withUnsafeMutableBytes(of: &digits) { buffer in
                repeat {
                    buffer[count] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                    count += 1
                } while value > 0
                for k in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[k]) }
            }
        }
        if json { out.append(UInt8(ascii: "]")) }
        out.append(UInt8(ascii: "\n"))
    }
}
