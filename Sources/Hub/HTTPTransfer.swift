import Foundation
import SpectraBase
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// One blocking HTTP exchange through URLSession: a HEAD that reports redirects instead of
/// following them (the Hub puts a file's etag and size on the redirect), or a GET streamed
/// straight into a file so a multi-gigabyte body never sits in memory and a cut transfer
/// leaves its bytes behind for the next Range request.
final class HTTPTransfer: NSObject, URLSessionDataDelegate, Sendable {
    /// What came back: status, headers, and for a GET the bytes written to the file.
    struct Outcome: Sendable {
        var status = 0
        var headers: [String: String] = [:]
        var url: URL?
        /// The transport error (connection reset, timeout), if the exchange did not finish.
        var failure: String?
        /// Bytes appended to the destination (GET 200/206 only).
        var written: Int64 = 0
        /// The first kilobyte of a body that was not written (an error page), for messages.
        var errorBody = ""

        func header(_ name: String) -> String? {
            headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    private struct State: ~Copyable {
        var outcome = Outcome()
        var handle: FileHandle?
    }

    private let destination: URL?
    private let resumeFrom: Int64
    private let followRedirects: Bool
    private let state = Mutex(State())
    private let done = DispatchSemaphore(value: 0)

    private init(destination: URL?, resumeFrom: Int64, followRedirects: Bool) {
        self.destination = destination
        self.resumeFrom = resumeFrom
        self.followRedirects = followRedirects
    }

    /// HEAD `url`, not following redirects.
    static func head(_ url: URL, headers: [String: String], timeout: TimeInterval) -> Outcome {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "HEAD"
        headers.forEach { request.setValue($1, forHTTPHeaderField: $0) }
        return HTTPTransfer(destination: nil, resumeFrom: 0, followRedirects: false).run(request)
    }

    /// GET `url` into `destination`: with `resumeFrom` > 0 it asks for the rest with a Range
    /// header and appends on 206; a 200 (a server without Range support) rewrites the file.
    static func get(_ url: URL, into destination: URL, resumeFrom: Int64, headers: [String: String],
                    timeout: TimeInterval) -> Outcome {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        headers.forEach { request.setValue($1, forHTTPHeaderField: $0) }
        if resumeFrom > 0 { request.setValue("bytes=\(resumeFrom)-", forHTTPHeaderField: "Range") }
        return HTTPTransfer(destination: destination, resumeFrom: resumeFrom, followRedirects: true).run(request)
    }

    private func run(_ request: URLRequest) -> Outcome {
        let session = URLSession(configuration: .ephemeral, delegate: self, delegateQueue: nil)
        session.dataTask(with: request).resume()
        // Delegate callbacks arrive on the session's own queue, so blocking here is safe.
        done.wait()
        session.finishTasksAndInvalidate()
        return state.withLock { $0.outcome }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(followRedirects ? request : nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        let http = response as? HTTPURLResponse
        state.withLock { state in
            state.outcome.status = http?.statusCode ?? 0
            state.outcome.url = response.url
            var headers: [String: String] = [:]
            for case let (key as String, value as String) in http?.allHeaderFields ?? [:] { headers[key] = value }
            state.outcome.headers = headers
            guard let destination, let status = http?.statusCode, status == 200 || status == 206 else { return }
            // A 206 must continue exactly where the partial file ends; anything else would
            // splice two different byte ranges together.
            if status == 206 {
                let range = state.outcome.header("Content-Range") ?? ""
                guard range.hasPrefix("bytes \(resumeFrom)-") else {
                    state.outcome.failure = "server answered Range bytes=\(resumeFrom)- with Content-Range \"\(range)\""
                    return
                }
            }
            do {
                if status == 200 || !FileManager.default.fileExists(atPath: destination.path) {
                    guard FileManager.default.createFile(atPath: destination.path, contents: nil) else {
                        state.outcome.failure = "cannot create \(destination.path)"
                        return
                    }
                }
                let handle = try FileHandle(forWritingTo: destination)
                try handle.seekToEnd()
                state.handle = handle
            } catch {
                state.outcome.failure = "cannot open \(destination.path): \(FileAccess.reason(error))"
            }
        }
        let refused = state.withLock { $0.outcome.failure != nil }
        completionHandler(refused ? .cancel : .allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        state.withLock { state in
            guard state.outcome.failure == nil else { return }
            if let handle = state.handle {
                do {
                    try handle.write(contentsOf: data)
                    state.outcome.written += Int64(data.count)
                } catch {
                    state.outcome.failure = "cannot write \(destination?.path ?? "?"): \(FileAccess.reason(error))"
                    dataTask.cancel()
                }
            } else if state.outcome.errorBody.utf8.count < 1024 {
                state.outcome.errorBody += String(decoding: data.prefix(1024), as: UTF8.self)
            }
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        state.withLock { state in
            try? state.handle?.synchronize()
            try? state.handle?.close()
            state.handle = nil
            if let error, state.outcome.failure == nil { state.outcome.failure = FileAccess.reason(error) }
        }
        done.signal()
    }
}
