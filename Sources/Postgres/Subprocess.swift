import Foundation
import SpectraBase

/// Runs the PostgreSQL server programs (initdb, pg_ctl) and finds them on disk.
enum Subprocess {
    struct Outcome {
        let status: Int32
        let output: String
    }

    /// Runs `executable` and returns its exit status and combined output. Output goes to a
    /// temporary file rather than a pipe: a server started by pg_ctl must not inherit a
    /// pipe whose reader waits for end-of-file.
    /// Without `keepStandardError`, the output is standard output alone (standard error
    /// goes to /dev/null); a failure's status still says what went wrong.
    static func run(_ executable: String, _ arguments: [String], as user: String? = nil,
                    timeout: Duration, keepStandardError: Bool = true) throws(PostgresError) -> Outcome {
        var command = [executable] + arguments
        if let user {
            guard let runuser = findRunuser() else {
                throw PostgresError(.serverControl, "runuser is needed to run \(executable) as \(user) but was not found")
            }
            command = [runuser, "-u", user, "--"] + command
        }
        let outputURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("spectra-subprocess-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil),
              let output = FileHandle(forWritingAtPath: outputURL.path) else {
            throw PostgresError(.serverControl, "cannot create \(outputURL.path) for the output of \(executable)")
        }
        defer {
            try? output.close()
            try? FileManager.default.removeItem(at: outputURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = keepStandardError ? output : FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw PostgresError(.serverControl, "cannot run \(command.joined(separator: " ")): \(FileAccess.reason(error))")
        }
        let status = try reap(process, timeout: timeout, name: URL(fileURLWithPath: executable).lastPathComponent)
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        return Outcome(status: status, output: keepStandardError ? text.trimmingCharacters(in: .whitespacesAndNewlines) : text)
    }

    /// Waits for `process` by polling waitpid. Foundation learns that a child exited when
    /// a socket the child inherited closes, but a server started by pg_ctl inherits that
    /// socket too, so `waitUntilExit` would wait for the server to stop.
    private static func reap(_ process: Process, timeout: Duration, name: String) throws(PostgresError) -> Int32 {
        let pid = process.processIdentifier
        let deadline = ContinuousClock.now + timeout
        while true {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            if result == -1, errno == ECHILD {
                // Foundation reaped it first and recorded the status.
                while process.isRunning { Thread.sleep(forTimeInterval: 0.001) }
                return process.terminationStatus
            }
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw PostgresError(.timeout, "\(name) did not finish within \(timeout)")
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
    }

    /// A PostgreSQL program from PATH, else from the newest /usr/lib/postgresql/*/bin.
    static func findPostgresProgram(_ name: String) throws(PostgresError) -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let candidate = "/usr/lib/postgresql/\(version)/bin/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw PostgresError(.serverControl,
            "\(name) was not found on PATH or in /usr/lib/postgresql/*/bin; install the PostgreSQL server "
            + "(Debian: apt-get install postgresql) or set DATABASE_URL to use an existing server")
    }

    static func findRunuser() -> String? {
        ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The last `count` lines of a text file, or nil when it cannot be read.
    static func tail(of url: URL, lines count: Int) -> String? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(count).joined(separator: "\n")
    }

    /// Single-quotes `text` for /bin/sh, which pg_ctl uses to start the server.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
