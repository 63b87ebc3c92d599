/// The training step and tokens seen that a Hub branch name carries, read from the naming
/// schemes public training runs use: `step3000` (Pythia), `step-125000`, `step_360`,
/// `step20000-tokens84B` (OLMo), `stage1-step1000-tokens5B` and
/// `stage2-ingredient1-step11931-tokens101B` (OLMo-2), `ckpt_042` (LLM360's Amber; the
/// number is the checkpoint's index, taken as its step).
public struct BranchName: Sendable, Equatable {
    public let step: Int
    /// Tokens seen, when the name says (`tokens84B` = 84·10⁹; units K, M, B, T).
    public let tokens: Int?

    public init(step: Int, tokens: Int?) {
        self.step = step
        self.tokens = tokens
    }

    /// The step and tokens of `name`, or nil when it follows none of the schemes (`main`,
    /// a name with two steps, a number too large for 64 bits).
    public static func parse(_ name: String) -> BranchName? {
        let parts = name.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).map(String.init)
        var step: Int?, tokens: Int?
        var index = 0
        while index < parts.count {
            let part = parts[index]
            // "step", "ckpt" on their own take the next part as their number ("step-125000").
            let (word, digits): (String, String) = {
                if ["step", "ckpt", "tokens"].contains(part), index + 1 < parts.count {
                    index += 1
                    return (part, parts[index])
                }
                let letters = part.prefix { $0.isLetter }
                return (String(letters), String(part.dropFirst(letters.count)))
            }()
            switch word {
            case "step", "ckpt":
                guard step == nil, let value = number(digits) else { return nil }
                step = value
            case "tokens":
                guard tokens == nil, let value = amount(digits) else { return nil }
                tokens = value
            default:
                break
            }
            index += 1
        }
        guard let step else { return nil }
        return BranchName(step: step, tokens: tokens)
    }

    /// Decimal digits only, at most 18 of them (so the value fits in 63 bits).
    private static func number(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 18, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// Digits with an optional unit suffix; nil when the product overflows.
    private static func amount(_ text: String) -> Int? {
        let units: [Character: Int] = ["k": 1_000, "m": 1_000_000, "b": 1_000_000_000, "t": 1_000_000_000_000]
        guard let last = text.last else { return nil }
        guard let unit = units[last] else { return number(text) }
        guard let value = number(String(text.dropLast())) else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: unit)
        return overflow ? nil : product
    }
}
