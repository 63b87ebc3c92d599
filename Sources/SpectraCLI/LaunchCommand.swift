import ArgumentParser
import Foundation
import Logging
import Jobs
import Pipeline

/// `spectra launch`: N supervised local workers.
struct Launch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run and supervise N local `spectra work` processes: crashed ones restart with backoff, SIGTERM/SIGINT drain them all.",
        discussion: "Every option after --workers that launch does not know is passed to each `spectra work`, e.g. `spectra launch --workers 8 --kinds weights --drain --grace 20`. Exits 0 when every worker's last exit was clean.")

    @Option(help: "Worker processes to keep running.")
    var workers: Int

    @Option(help: "Base of the workers' names (default host:pid of the launcher); worker i is <name>.w<i>, .r<n> after its n-th restart.")
    var name: String?

    @Argument(parsing: .allUnrecognized, help: "Options for `spectra work`.")
    var workOptions: [String] = []

    func validate() throws {
        try checkRange(workers, OptionLimits.concurrency, "--workers")
        if workOptions.contains("--name") {
            throw ValidationError("--name is given to launch, which names each worker after it")
        }
        // Fail here, once, rather than in N workers that would each be restarted.
        do {
            _ = try Work.parse(workOptions)
        } catch {
            throw ValidationError("work options: \(Work.message(for: error))")
        }
    }

    func run() throws {
        LoggingBootstrap.once(level: .init(rawValue: ProcessInfo.processInfo.environment["SPECTRA_LOG_LEVEL"] ?? "") ?? .info)
        let logger = Logger(label: "spectra.launch")
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            .map(URL.init(fileURLWithPath:)) ?? Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let options = LaunchOptions(executable: executable, workers: workers, workArguments: workOptions,
                                    baseName: name ?? "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)")
        let summary = LocalLauncher(options: options, logger: logger).run()
        print("workers started \(summary.starts) times (\(summary.restarts) restarts); unclean exits \(summary.unclean), given up \(summary.gaveUp)")
        if !summary.succeeded { throw ExitCode(1) }
    }
}
