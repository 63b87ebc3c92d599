import ArgumentParser
import Jobs
import LinearAlgebra
import Models

// The CLI's enumerated options parse straight into the types the library uses, so an
// unknown value is refused by ArgumentParser with the list of valid ones.
extension JobKind: ExpressibleByArgument {}
extension SpectrumMethod: ExpressibleByArgument {}
extension Pooling: ExpressibleByArgument {}

/// Range-checks a numeric option in `validate()`: a usage error naming the option, the
/// value and the range (OptionLimits), before the value reaches any arithmetic.
func checkRange<T: Comparable>(_ value: T, _ range: ClosedRange<T>, _ option: String) throws {
    do { try OptionLimits.check(value, in: range, option: option) } catch { throw ValidationError(error.message) }
}
