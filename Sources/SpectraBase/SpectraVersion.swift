/// The tool version recorded with every run, so each number can be traced to its code.
public enum SpectraVersion {
    public static let current = "0.1.0"
}
