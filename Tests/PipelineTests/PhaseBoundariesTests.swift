import Foundation
import Queue
import Postgres
import Testing

/// `spectra.detect_phases` on synthetic RankMe trajectories whose phases are known by
/// construction. Oracle: the piecewise-linear trajectory's own breakpoints; tolerance: one
/// checkpoint, the width the 3-point smoothing may move a kink by (here it moves none).
@Suite("Phase boundaries")
struct PhaseBoundariesTests {
    /// Log-spaced token counts like a Pythia schedule: 20 checkpoints.
    static let tokens: [Int64] = (0..<20).map { Int64(pow(10.0, 6 + Double($0) * 0.4)) }

    /// ln RankMe: straight lines between (index, value) knots.
    static func trajectory(_ knots: [(Int, Double)]) -> [Double] {
        (0..<20).map { i in
            let k = knots.lastIndex { $0.0 <= i }!
            guard k + 1 < knots.count else { return exp(knots[k].1) }
            let (i0, y0) = knots[k], (i1, y1) = knots[k + 1]
            return exp(y0 + (y1 - y0) * Double(i - i0) / Double(i1 - i0))
        }
    }

    func detect(_ values: [Double], url: String) throws -> (Int64?, Int64?, Int64?) {
        let db = try Connection(url: url)
        let row = try #require(try db.query(SQLQuery(
            "select * from spectra.detect_phases(\(Self.tokens)::bigint[], \(values)::float8[])")).first)
        return (try row.decode("collapse_end_tokens", as: Int64?.self),
                try row.decode("entropy_peak_tokens", as: Int64?.self),
                try row.decode("compression_onset_tokens", as: Int64?.self))
    }

    @Test("collapse, entropy-seeking peak and compression onset where the trajectory puts them")
    func threePhases() throws {
        let url = try TestSupport.migratedDatabase()
        // Collapse from ln 5 to ln 3 until checkpoint 4, rise to 6 at 10, decline to 4.5 at 19.
        let values = Self.trajectory([(0, 5), (4, 3), (10, 6), (19, 4.5)])
        let (collapse, peak, onset) = try detect(values, url: url)
        #expect(Self.near(collapse, 4))
        // The rise is steeper than the decline, so smoothing moves the peak by up to one.
        #expect(Self.near(peak, 10))
        // The decline is 1/6 per checkpoint: the first smoothed point ≥ 0.05 below the
        // peak, staying there, is one after the peak.
        #expect(Self.near(onset, 11))
        let (p, o) = (Self.tokens.firstIndex(of: peak ?? -1) ?? -9, Self.tokens.firstIndex(of: onset ?? -1) ?? -9)
        #expect(o == p + 1)
    }

    /// Within one checkpoint of the knot at `index`.
    static func near(_ tokens: Int64?, _ index: Int) -> Bool {
        guard let tokens, let found = Self.tokens.firstIndex(of: tokens) else { return false }
        return abs(found - index) <= 1
    }

    @Test("a random initialization above everything after it still shows the collapse and the later peak")
    func highInitialization() throws {
        let url = try TestSupport.migratedDatabase()
        // ln RankMe 3.3 at init, collapse to 1.8 at checkpoint 7, recover to 3.0 at 15, ease to 2.8.
        let values = Self.trajectory([(0, 3.3), (3, 3.3), (7, 1.8), (15, 3.0), (19, 2.8)])
        let (collapse, peak, onset) = try detect(values, url: url)
        #expect(Self.near(collapse, 7))
        #expect(Self.near(peak, 15))
        #expect(onset != nil && Self.tokens.firstIndex(of: onset!)! > 15)
    }

    @Test("no warmup collapse and no compression: only the peak is claimed")
    func monotoneRise() throws {
        let url = try TestSupport.migratedDatabase()
        let values = Self.trajectory([(0, 2), (19, 6)])
        let (collapse, peak, onset) = try detect(values, url: url)
        #expect(collapse == nil)
        #expect(peak == Self.tokens[19])
        #expect(onset == nil)
    }

    @Test("noise smaller than delta is not read as phases; too few checkpoints claim nothing")
    func noiseAndShortTrajectories() throws {
        let url = try TestSupport.migratedDatabase()
        let flat = (0..<20).map { i in exp(4 + (i % 2 == 0 ? 0.01 : -0.01)) }
        let (collapse, _, onset) = try detect(flat, url: url)
        #expect(collapse == nil && onset == nil)
        let db = try Connection(url: url)
        let row = try #require(try db.query(SQLQuery(
            "select * from spectra.detect_phases(array[1,2,3]::bigint[], array[1,2,3]::float8[])")).first)
        #expect(try row.decode("entropy_peak_tokens", as: Int64?.self) == nil)
    }
}
