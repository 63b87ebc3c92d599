import ArgumentParser
import Jobs
import LinearAlgebra
import Models

// The CLI's enumerated options parse straight into the types the library uses, so an
// unknown value is refused by ArgumentParser with the list of valid ones.
extension JobKind: ExpressibleByArgument {}
extension SpectrumMethod: ExpressibleByArgument {}
extension Pooling: ExpressibleByArgument {}
