import Foundation
import TestSupport
import Testing

@testable import Nginx

/// Hostile or broken input ends with an error naming the input and the limit, never a crash,
/// a hang or unbounded memory (DESIGN §12).
@Suite struct BoundsTests {
    static func nested(_ depth: Int) -> [UInt8] {
        Array((String(repeating: "a {\n", count: depth) + String(repeating: "}\n", count: depth)).utf8)
    }

    @Test func thousandLevelsParse() throws {
        let file = try NginxConfigFile.parse(Self.nested(1_000), path: "deep.conf")
        #expect(file.directives.count == 1_000)
        #expect(file.render() == Self.nested(1_000))
        let reader = InMemoryNginxFileReader(files: ["/n/nginx.conf": Self.nested(1_000)])
        #expect(try NginxConfigTree.load(mainConfig: "/n/nginx.conf", reader: reader).files.count == 1)
    }

    @Test func oneLevelMoreIsAnErrorAtItsBrace() {
        #expect(
            throws: NginxError.nestingTooDeep(
                limit: 1_000, at: NginxSourceLocation(file: "deep.conf", line: 1_001, column: 3))
        ) {
            try NginxConfigFile.parse(Self.nested(1_001), path: "deep.conf")
        }
    }

    @Test func tenThousandLevelsEndWithAnError() {
        let error = #expect(throws: NginxError.self) {
            try NginxConfigFile.parse(Self.nested(10_000), path: "deep.conf")
        }
        #expect(
            error?.description
                == "deep.conf:1001:3: blocks and includes nested more than 1000 levels deep (the limit is nginx.limits.depth in the desired state)"
        )
    }

    @Test func depthCountsAcrossIncludes() {
        // 600 levels in the main file, then an include of a file with 600 more.
        let outer =
            String(repeating: "a {\n", count: 600) + "include inner.conf;\n" + String(repeating: "}\n", count: 600)
        let reader = InMemoryNginxFileReader(textFiles: [
            "/n/nginx.conf": outer, "/n/inner.conf": String(decoding: Self.nested(600), as: UTF8.self),
        ])
        #expect(
            throws: NginxError.nestingTooDeep(
                limit: 1_000, at: NginxSourceLocation(file: "/n/inner.conf", line: 400, column: 1))
        ) {
            try NginxConfigTree.load(mainConfig: "/n/nginx.conf", reader: reader)
        }
    }

    @Test func aLongChainOfIncludesIsBounded() {
        var files: [String: String] = ["/n/nginx.conf": "include f0.conf;\n"]
        for index in 0..<5_000 { files["/n/f\(index).conf"] = "include f\(index + 1).conf;\n" }
        files["/n/f5000.conf"] = "\n"
        let error = #expect(throws: NginxError.self) {
            try NginxConfigTree.load(mainConfig: "/n/nginx.conf", reader: InMemoryNginxFileReader(textFiles: files))
        }
        guard case .nestingTooDeep(1_000, let at) = error else {
            Issue.record("expected nestingTooDeep, got \(String(describing: error))")
            return
        }
        #expect(at.line == 1 && at.column == 1)
    }

    @Test func includeOfADeviceNamesTheIncludingLine() throws {
        let directory = try TemporaryDirectory(prefix: "nginx-bounds")
        let main = try directory.write("nginx.conf", "events {}\nhttp {\n    include /dev/zero;\n}\n")
        #expect(
            throws: NginxError.fileNotReadable(
                path: "/dev/zero",
                reason: "it is a character device, not a regular file (include reads only regular files)",
                includedAt: NginxSourceLocation(file: main.path, line: 3, column: 5))
        ) {
            try NginxConfigTree.load(mainConfig: main.path, reader: DiskNginxFileReader())
        }
    }

    @Test func aFIFOMatchedByAGlobIsRefusedWithoutBlocking() throws {
        let directory = try TemporaryDirectory(prefix: "nginx-bounds")
        try directory.write("conf.d/a.conf", "server { listen 80; }\n")
        #expect(mkfifo(directory.path + "/conf.d/b.conf", 0o600) == 0)
        let main = try directory.write("nginx.conf", "http {\n  include conf.d/*.conf;\n}\n")
        #expect(
            throws: NginxError.fileNotReadable(
                path: directory.path + "/conf.d/b.conf",
                reason: "it is a FIFO, not a regular file (include reads only regular files)",
                includedAt: NginxSourceLocation(file: main.path, line: 2, column: 3))
        ) {
            try NginxConfigTree.load(mainConfig: main.path, reader: DiskNginxFileReader())
        }
    }

    @Test func filesOfProcAreRefused() throws {
        let directory = try TemporaryDirectory(prefix: "nginx-bounds")
        let main = try directory.write("nginx.conf", "include /proc/self/status;\n")
        #expect(
            throws: NginxError.fileNotReadable(
                path: "/proc/self/status",
                reason: "it is a file of /proc, not a regular file (include reads only regular files)",
                includedAt: NginxSourceLocation(file: main.path, line: 1, column: 1))
        ) {
            try NginxConfigTree.load(mainConfig: main.path, reader: DiskNginxFileReader())
        }
    }

    @Test func aFileOverTheLimitIsRefusedBeforeItIsRead() throws {
        let directory = try TemporaryDirectory(prefix: "nginx-bounds")
        let big = directory.path + "/big.conf"
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        #expect(truncate(big, 200 << 20) == 0)  // sparse: 200 MB without writing them
        let main = try directory.write("nginx.conf", "http {\n include big.conf;\n}\n")
        let error = #expect(
            throws: NginxError.fileTooLarge(
                path: big, limit: 64 << 20, includedAt: NginxSourceLocation(file: main.path, line: 2, column: 2))
        ) {
            try NginxConfigTree.load(mainConfig: main.path, reader: DiskNginxFileReader())
        }
        #expect(error?.description.hasSuffix("(nginx.limits.file-bytes in the desired state)") == true)
        #expect(throws: NginxError.fileTooLarge(path: main.path, limit: 10, includedAt: nil)) {
            try NginxConfigTree.load(
                mainConfig: main.path, reader: DiskNginxFileReader(), limits: NginxLimits(maxFileBytes: 10))
        }
    }

    @Test func theWholeTreeIsBounded() {
        var files: [String: String] = ["/n/nginx.conf": "http { include s/*.conf; }\n"]
        for index in 0..<10 { files["/n/s/\(index).conf"] = "server { server_name s\(index); }\n" }  // 30 bytes each
        let reader = InMemoryNginxFileReader(textFiles: files)
        #expect(
            throws: NginxError.treeTooLarge(
                path: "/n/s/6.conf", limit: 200,
                includedAt: NginxSourceLocation(file: "/n/nginx.conf", line: 1, column: 8))
        ) {
            try NginxConfigTree.load(
                mainConfig: "/n/nginx.conf", reader: reader, limits: NginxLimits(maxTreeBytes: 200))
        }
        #expect((try? NginxConfigTree.load(mainConfig: "/n/nginx.conf", reader: reader))?.serverBlocks.count == 10)
    }

    /// Debian's layout: sites-enabled holds symlinks into sites-available; nginx follows them.
    @Test func symlinkedSitesEnabledIsRead() throws {
        let directory = try TemporaryDirectory(prefix: "nginx-bounds")
        try directory.write(
            "sites-available/default", "server {\n    listen 80 default_server;\n    server_name _;\n}\n")
        try directory.write("sites-available/unused", "server { server_name unused; }\n")
        try FileManager.default.createDirectory(
            atPath: directory.path + "/sites-enabled", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: directory.path + "/sites-enabled/default", withDestinationPath: "../sites-available/default")
        let main = try directory.write("nginx.conf", "events {}\nhttp {\n    include sites-enabled/*;\n}\n")
        let tree = try NginxConfigTree.load(mainConfig: main.path, reader: DiskNginxFileReader())
        #expect(tree.serverBlocks.map { $0.serverNames.map(\.name) } == [["_"]])
        #expect(tree.files.map(\.path) == [main.path, directory.path + "/sites-enabled/default"])
        #expect(tree.serverBlocks[0].listens.map(\.port) == [80])
    }
}
