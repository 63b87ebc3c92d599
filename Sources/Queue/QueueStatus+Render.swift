import SpectraBase
import Foundation

extension QueueStatus {
    /// The status as JSON (sorted keys, ISO 8601 times), for scripts and dashboards.
    public func json() throws -> String {
        String(decoding: try CanonicalJSON.encoder(pretty: true).encode(self), as: UTF8.self)
    }

    /// The status as a table per run, for people.
    public func render() -> String {
        guard !runs.isEmpty else { return "no runs planned yet (spectra plan …)" }
        var lines: [String] = []
        for run in runs {
            var flags: [String] = []
            if run.paused { flags.append("PAUSED") }
            if run.cancelled { flags.append("CANCELLED") }
            lines.append("run \(run.name) (#\(run.id))" + (flags.isEmpty ? "" : "  [\(flags.joined(separator: ", "))]"))
            let header = ["kind", "progress", "available", "waiting", "paused", "running", "completed", "failed", "discarded", "jobs/s", "ETA"]
            var table = [header]
            for kind in run.kinds {
                table.append([kind.kind, Self.bar(done: kind.total - kind.unfinished, total: kind.total), "\(kind.available)", "\(kind.waiting)", "\(kind.paused)", "\(kind.running)",
                              "\(kind.completed)", "\(kind.failed)", "\(kind.discarded)",
                              String(format: "%.2f", kind.throughput), Self.duration(kind.etaSeconds)])
            }
            let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
            for row in table {
                lines.append("  " + row.enumerated().map { column, cell in
                    column == 0 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                                : String(repeating: " ", count: widths[column] - cell.count) + cell
                }.joined(separator: "  "))
            }
            lines.append("  live workers: \(run.workers) process(es), \(run.slots) slot(s) holding leases")
            if !run.failures.isEmpty {
                lines.append("  most common failures:")
                for failure in run.failures {
                    lines.append("    \(failure.count) × \(failure.kind) \(failure.state): \(failure.message)")
                }
            }
            lines.append("")
        }
        lines.append("rates over the last \(Int(windowSeconds)) s; read at \(ISO8601DateFormatter().string(from: readAt))")
        return lines.joined(separator: "\n")
    }

    /// `[########------------]  40%`: finished jobs (completed, failed or discarded) of all.
    static func bar(done: Int, total: Int, width: Int = 20) -> String {
        guard total > 0 else { return "[" + String(repeating: "-", count: width) + "]   0%" }
        let filled = done * width / total
        let percent = String(format: "%3d%%", done * 100 / total)
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] " + percent
    }

    /// `42s`, `7m05s`, `3h12m`; `—` when nothing moves.
    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "—" }
        let s = Int(seconds.rounded(.up))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }
}
