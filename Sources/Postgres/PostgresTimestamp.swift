import Foundation

/// Converts between `Date` and PostgreSQL's ISO timestamp text, by hand: Foundation's
/// formatters are slow, locale-sensitive and not microsecond-exact.
enum PostgresTimestamp {
    private static let microsPerDay: Int64 = 86_400_000_000

    /// `2026-11-23 21:11:00.123456+00`, always in UTC, rounded to the microsecond
    /// (timestamptz's resolution).
    static func format(_ date: Date) -> String {
        if date == .distantFuture { return "infinity" }
        if date == .distantPast { return "-infinity" }
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let (days, remainder) = floorDivide(micros, microsPerDay)
        let (year, month, day) = civil(fromDays: days)
        let seconds = remainder / 1_000_000
        let fraction = remainder % 1_000_000
        let bc = year <= 0
        var text = pad(bc ? 1 - year : year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        text += " " + pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2)
        text += "." + pad(fraction, 6) + "+00"
        return bc ? text + " BC" : text
    }

    /// Reads `YYYY-MM-DD[ HH:MM:SS[.ffffff]][±HH[:MM[:SS]]][ BC]` and `±infinity`;
    /// text without an offset (timestamp, date) is taken as UTC.
    static func parse(_ text: String) -> Date? {
        if text == "infinity" { return .distantFuture }
        if text == "-infinity" { return .distantPast }
        var scanner = ByteScanner(Array(text.utf8))
        var bc = false
        if scanner.bytes.count > 3, scanner.bytes.suffix(3) == Array(" BC".utf8)[...] {
            bc = true
            scanner.bytes.removeLast(3)
        }
        guard let year = scanner.number(minDigits: 4), scanner.take("-"),
              let month = scanner.number(exactDigits: 2), scanner.take("-"),
              let day = scanner.number(exactDigits: 2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var micros: Int64 = 0
        if scanner.take(" ") || scanner.take("T") {
            guard let hour = scanner.number(exactDigits: 2), scanner.take(":"),
                  let minute = scanner.number(exactDigits: 2), scanner.take(":"),
                  let second = scanner.number(exactDigits: 2),
                  hour <= 24, minute < 60, second <= 60 else { return nil }
            micros = ((hour * 60 + minute) * 60 + second) * 1_000_000
            if scanner.take(".") {
                var scale: Int64 = 100_000
                var digits = 0
                while let digit = scanner.digit() {
                    // Digits past the microsecond cannot come from PostgreSQL; ignore them.
                    if digits < 6 { micros += digit * scale; scale /= 10 }
                    digits += 1
                }
                if digits == 0 { return nil }
            }
            if scanner.take("Z") {
            } else if let sign = scanner.sign() {
                guard let hours = scanner.number(exactDigits: 2) else { return nil }
                var offset = hours * 3600
                if scanner.take(":") {
                    guard let minutes = scanner.number(exactDigits: 2) else { return nil }
                    offset += minutes * 60
                    if scanner.take(":") {
                        guard let seconds = scanner.number(exactDigits: 2) else { return nil }
                        offset += seconds
                    }
                }
                micros -= sign * offset * 1_000_000
            }
        }
        guard scanner.atEnd else { return nil }
        let astronomicalYear = bc ? 1 - year : year
        let days = days(fromCivil: astronomicalYear, month, day)
        let total = days * microsPerDay + micros
        // Split to keep sub-second precision exact in the Double.
        let (seconds, fraction) = floorDivide(total, 1_000_000)
        return Date(timeIntervalSince1970: Double(seconds) + Double(fraction) / 1_000_000)
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let quotient = a >= 0 ? a / b : (a - b + 1) / b
        return (quotient, a - quotient * b)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// A cursor over ASCII bytes for the small parsers in this module.
struct ByteScanner {
    var bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    mutating func digit() -> Int64? {
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
        defer { index += 1 }
        return Int64(bytes[index] - UInt8(ascii: "0"))
    }

    mutating func sign() -> Int64? {
        if take("+") { return 1 }
        if take("-") { return -1 }
        return nil
    }

    mutating func number(exactDigits count: Int) -> Int64? {
        let start = index
        guard let value = number(minDigits: count), index - start == count else { return nil }
        return value
    }

    mutating func number(minDigits: Int) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        while digits < 18, let next = digit() {
            value = value * 10 + next
            digits += 1
        }
        return digits >= minDigits ? value : nil
    }
}
