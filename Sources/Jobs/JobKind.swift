/// The kinds of job a run is made of, as `spectra.jobs.kind` stores them.
public enum JobKind: String, Sendable, CaseIterable, Codable, Comparable {
    /// A forward pass over the probe set: one pooled activation matrix per hidden state.
    case extract
    /// The covariance spectrum and representation metrics of one pooled matrix.
    case spectrum
    /// The ESD and heavy-tail metrics of one block's weight matrices.
    case weights

    public static func < (a: JobKind, b: JobKind) -> Bool { a.rawValue < b.rawValue }

    /// "extract, spectrum, weights": how messages list the kinds.
    public static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
