import ArgumentParser
import SpectraBase

@main
struct Spectra: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spectra",
        abstract: "Trace how the spectral geometry of language models changes over training.",
        discussion: "DATABASE_URL (a libpq connection string) overrides the embedded server everywhere.",
        subcommands: [DB.self, Plan.self, Work.self, Launch.self, Status.self, Jobs.self, Aggregate.self,
                      SpectrumCommand.self, Tokenize.self, Activations.self, ReportCommand.self, Demo.self,
                      Fetch.self, Lineages.self])

    /// ArgumentParser's `main`, except that an error Foundation threw about a file is
    /// printed as "PATH: not found" (FileAccess) instead of "NSCocoaErrorDomain error 260".
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard let message = FileAccess.foundationMessage(error) else { exit(withError: error) }
            exit(withError: FileMessage(text: message))
        }
    }
}

/// A Foundation file error reworded for `exit(withError:)`, which prints its description.
private struct FileMessage: Error, CustomStringConvertible {
    let text: String
    var description: String { text }
}
