@testable import Queue
import Testing

@Suite("Status rendering")
struct StatusRenderTests {
    @Test("the progress bar counts finished jobs of all, and ETAs read as durations")
    func bar() {
        #expect(QueueStatus.bar(done: 0, total: 0) == "[--------------------]   0%")
        #expect(QueueStatus.bar(done: 8, total: 20) == "[########------------]  40%")
        #expect(QueueStatus.bar(done: 20, total: 20) == "[####################] 100%")
        #expect(QueueStatus.duration(42) == "42s")
        #expect(QueueStatus.duration(425) == "7m05s")
        #expect(QueueStatus.duration(nil) == "—")
    }
}
