/// One published training revision of a model: the branch name on the Hub, the optimizer
/// step it was saved at and the tokens seen by then.
public struct RevisionInfo: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The Hub branch ("step3000", "step20000-tokens84B", "stage1-step1000-tokens5B").
    public let name: String
    public let step: Int
    /// Tokens seen at this revision, the axis model families are compared on.
    public let tokens: Int
    /// The Hugging Face repository holding the revision ("EleutherAI/pythia-160m").
    public let repo: String

    public init(name: String, step: Int, tokens: Int, repo: String) {
        self.name = name
        self.step = step
        self.tokens = tokens
        self.repo = repo
    }

    public var description: String { "\(repo)@\(name)" }
}

/// A run of published steps: `first`, `first + stride`, …, `last`.
struct StepRun: Sendable {
    let first: Int, last: Int, stride: Int

    init(_ first: Int, _ last: Int, _ stride: Int) {
        self.first = first
        self.last = last
        self.stride = stride
    }

    var steps: [Int] { Array(Swift.stride(from: first, through: last, by: max(1, stride))) }
}
