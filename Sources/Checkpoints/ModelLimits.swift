/// The largest model dimensions Spectra accepts from a config.json, a tokenizer.json or a
/// flag, checked before anything is computed or allocated from them.
///
/// Each bound is well above every released model (Llama 3.1 405B: hidden 16,384,
/// 126 layers, 128 heads, vocabulary 128,256; the largest vocabularies are about
/// 262,144), and low enough that products of them (hidden × vocabulary, layers ×
/// hidden, heads × head_dim) fit comfortably in 64 bits. A file that exceeds one is
/// corrupt or hostile, and is refused with the field and the bound named.
public enum ModelLimits {
    /// `hidden_size`: 2^17.
    public static let hiddenSize = 1 << 17
    /// `intermediate_size`: 2^20.
    public static let intermediateSize = 1 << 20
    /// `num_attention_heads` and `num_key_value_heads`: 2^12.
    public static let headCount = 1 << 12
    /// `head_dim`: 2^13.
    public static let headDimension = 1 << 13
    /// `num_hidden_layers` (and so every layer or hidden-state index): 2^12.
    public static let layerCount = 1 << 12
    /// `vocab_size`, and one more than the largest token id of a tokenizer: 2^22.
    public static let vocabularySize = 1 << 22
    /// `max_position_embeddings`, `sliding_window`, `original_max_position_embeddings`
    /// and tokens per sequence: 2^24.
    public static let positions = 1 << 24
}
