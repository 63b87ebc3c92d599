import ArgumentParser

@main
struct Spectra: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spectra",
        abstract: "Trace how the spectral geometry of language models changes over training.",
        discussion: "DATABASE_URL (a libpq connection string) overrides the embedded server everywhere.",
        subcommands: [DB.self, Plan.self, Work.self, Launch.self, Status.self, Jobs.self, Aggregate.self,
                      SpectrumCommand.self, Tokenize.self, Activations.self, ReportCommand.self, Demo.self,
                      Fetch.self, Lineages.self])
}
