import Foundation
import Testing
import SpectraBase

/// SHA-256 against the FIPS 180-4 example vectors (exact), and streaming against one-shot.
@Suite struct SHA256Tests {
    @Test func fipsVectors() {
        #expect(SHA256.hexDigest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hexDigest(Array(("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                                        + "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu").utf8))
                == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        #expect(SHA256.hexDigest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func streamingInOddChunksMatchesOneShot() {
        var generator = SystemRandomNumberGenerator()
        let message = (0..<10_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let expected = SHA256.hash(message)
        for chunk in [1, 3, 55, 63, 64, 65, 1000] {
            var hasher = SHA256()
            var offset = 0
            while offset < message.count {
                hasher.update(Array(message[offset..<min(offset + chunk, message.count)]))
                offset += chunk
            }
            #expect(hasher.finalize() == expected, "chunk \(chunk)")
        }
        var hasher = SHA256()
        hasher.update("héllo")
        #expect(hasher.hexDigest() == SHA256.hexDigest(Array("héllo".utf8)))
    }

    @Test func paddingBoundaries() throws {
        // Lengths around the 55/56/64-byte padding edges, against the server-independent
        // oracle /usr/bin/sha256sum.
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum") else { return }
        for length in [55, 56, 57, 63, 64, 65, 119, 120] {
            let data = [UInt8](repeating: 0x61, count: length)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)")
            try Data(data).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
            process.arguments = [file.path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(output.hasPrefix(SHA256.hexDigest(data)), "length \(length)")
        }
    }
}
