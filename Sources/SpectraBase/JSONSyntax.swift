import Foundation

/// Where a JSON document stops being JSON, in the parser's words ("Unexpected character
/// 'x' around character 17."), for config.json, tokenizer.json and every other JSON file.
public enum JSONSyntax {
    /// The position-bearing description of why `data` is not JSON. `error` is what the
    /// caller's parser threw; when it says nothing useful (JSONDecoder's "The given data
    /// was not valid JSON"), the data is parsed again with JSONSerialization, which says where.
    public static func describe(_ data: Data, _ error: any Error) -> String {
        if let detail = debugDescription(error) { return detail }
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            if let detail = debugDescription(error) { return detail }
        }
        if case DecodingError.dataCorrupted(let context) = error { return context.debugDescription }
        return "\(error)"
    }

    private static func debugDescription(_ error: any Error) -> String? {
        guard !(error is DecodingError) else { return nil }
        return (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
    }
}
