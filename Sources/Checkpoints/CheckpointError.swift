import SpectraBase
/// An error reading a checkpoint, its config or a revision catalog, with a code a caller
/// can switch on and a message that names the file (and the tensor or entry) at fault.
public struct CheckpointError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What went wrong, stable across message wording changes.
    public enum Code: String, Sendable, CaseIterable {
        /// A file or directory that should exist does not, or cannot be opened.
        case fileNotFound = "file_not_found"
        /// Reading, mapping or writing a file failed at the operating-system level.
        case ioFailure = "io_failure"
        /// A safetensors file shorter than its own 8-byte length prefix.
        case truncatedFile = "truncated_file"
        /// The header length prefix points past the end of the file.
        case headerOutOfBounds = "header_out_of_bounds"
        /// The header is not a JSON object, or an entry lacks a required field.
        case malformedHeader = "malformed_header"
        /// A dtype string that safetensors does not define.
        case unknownDType = "unknown_dtype"
        /// A dtype that is valid but that Spectra cannot convert to Float32 (FP8, integers).
        case unsupportedDType = "unsupported_dtype"
        /// A tensor's shape × dtype size disagrees with its byte range.
        case sizeMismatch = "size_mismatch"
        /// A tensor's byte range ends past the data area, or begins after it ends.
        case rangeOutOfBounds = "range_out_of_bounds"
        /// Two tensors' byte ranges share bytes.
        case overlappingRanges = "overlapping_ranges"
        /// A tensor name that the file (or the shard index) does not hold.
        case tensorNotFound = "tensor_not_found"
        /// A tensor asked for as a matrix that is not 2-D.
        case notAMatrix = "not_a_matrix"
        /// A checkpoint directory without config.json.
        case missingConfig = "missing_config"
        /// config.json that is not JSON, lacks a field, or has an impossible value.
        case malformedConfig = "malformed_config"
        /// config.json names a model class Spectra does not know.
        case unsupportedArchitecture = "unsupported_architecture"
        /// A directory with neither model.safetensors nor model.safetensors.index.json.
        case missingWeights = "missing_weights"
        /// model.safetensors.index.json that is not JSON or lacks a string→string weight_map.
        case malformedIndex = "malformed_index"
        /// A shard named in the index that is not on disk.
        case missingShard = "missing_shard"
        /// catalog.json missing, not JSON, or with an invalid entry.
        case malformedCatalog = "malformed_catalog"
        /// A catalog entry whose directory is missing or holds no checkpoint.
        case missingRevision = "missing_revision"
        /// Two catalog entries with the same name.
        case duplicateRevision = "duplicate_revision"
        /// A model or revision that is not in the local Hugging Face hub cache.
        case notInCache = "not_in_cache"
        /// Values that cannot be written as the requested safetensors tensor.
        case invalidTensor = "invalid_tensor"
        /// A model name that no built-in catalog knows.
        case unknownModel = "unknown_model"
        /// A `--steps` specification that does not parse, or selects nothing.
        case invalidStepSelection = "invalid_step_selection"
        /// An HTTP transfer that failed, was refused, or returned something unusable.
        case downloadFailed = "download_failed"
        /// A PyTorch checkpoint that is not a ZIP archive, or whose entries or directory are broken.
        case malformedArchive = "malformed_archive"
        /// A PyTorch checkpoint in a form Spectra does not read: the pre-1.6 format, compressed entries, big-endian.
        case unsupportedFormat = "unsupported_format"
        /// A PyTorch checkpoint's data.pkl that is not a state-dict pickle Spectra can follow.
        case malformedPickle = "malformed_pickle"
        /// A pickle naming a global outside the state-dict allow list (never executed).
        case forbiddenGlobal = "forbidden_global"
        /// Downloaded bytes whose size or sha256 disagree with what the server promised.
        case checksumMismatch = "checksum_mismatch"
        /// A setting (an environment variable, an option) that names nothing usable.
        case invalidSetting = "invalid_setting"
    }

    public let code: Code
    public let message: String

    /// A file that cannot be opened or read, in FileAccess's words ("not found", "is a
    /// directory", "permission denied"), after `context` (the file's path by default).
    public init(_ error: FileAccessError, context: String? = nil) {
        self.init(error.kind == .notFound ? .fileNotFound : .ioFailure,
                  context.map { "\($0): \(error.reason)" } ?? error.description)
    }

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
