/// A batch laid out without padding: every sequence's tokens one after another, each
/// with its position counted from the sequence's first token. Padding then cannot change
/// a result, since there is none; left- or right-padded HF batches with position ids
/// from the attention mask give the same states.
struct PackedBatch {
    let tokens: [Int32]
    let positions: [Int32]
    /// The rows of each sequence.
    let sequences: [Range<Int>]
    let longest: Int

    init(_ batch: [[Int32]]) {
        var tokens: [Int32] = [], positions: [Int32] = [], sequences: [Range<Int>] = []
        for sequence in batch {
            sequences.append(tokens.count..<(tokens.count + sequence.count))
            tokens += sequence
            positions += (0..<Int32(sequence.count))
        }
        self.tokens = tokens
        self.positions = positions
        self.sequences = sequences
        longest = batch.map(\.count).max() ?? 0
    }

    var tokenCount: Int { tokens.count }
}
