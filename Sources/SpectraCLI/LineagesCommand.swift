import ArgumentParser
import Pipeline

/// `spectra lineages`: the built-in post-training lineages.
struct Lineages: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the built-in post-training lineages (base → SFT → DPO → RLVR) that spectra plan --lineage NAME plans.")

    func run() throws {
        print(LineageSource.listing())
    }
}
