import ArgumentParser

@main
struct Spectra: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spectra",
        abstract: "Trace how the spectral geometry of language models changes over training.")
}
