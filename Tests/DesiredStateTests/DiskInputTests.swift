import DesiredState
import Foundation
import TestSupport
import Testing

/// Bad input that needs a real directory: empty, unreadable, non-UTF-8, huge, hostile.
@Suite struct DiskInputTests {
    func load(_ dir: TemporaryDirectory) -> Result<DesiredState, DesiredStateError> {
        Result { () throws(DesiredStateError) in try DesiredStateLoader().load(directory: dir.path) }
    }

    func messages(_ dir: TemporaryDirectory) -> [String] {
        switch load(dir) {
        case .success: return []
        case .failure(let error):
            return error.problems.map { $0.description.replacingOccurrences(of: dir.path, with: "D") }
        }
    }

    @Test func aFIFOADeviceAndADirectoryLoopEndFast() throws {
        let dir = try TemporaryDirectory()
        try dir.write("base.yaml", baseYAML)
        try dir.write("v.yaml", "vhosts: {}\n")
        #expect(mkfifo(dir.path + "/fifo.yaml", 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/zero.yaml", withDestinationPath: "/dev/zero")
        try FileManager.default.createDirectory(atPath: dir.path + "/sub", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/sub/loop", withDestinationPath: "..")
        #expect(
            messages(dir) == [
                "D/fifo.yaml: cannot read: not a regular file (a FIFO, device or socket is never read)",
                "D/zero.yaml: cannot read: not a regular file (a FIFO, device or socket is never read)",
            ])
    }

    @Test func aFileOverTheSizeLimitIsNotReadToTheEnd() throws {
        let dir = try TemporaryDirectory()
        try dir.write("base.yaml", baseYAML)
        let big = dir.path + "/v.yaml"
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        #expect(truncate(big, 200 << 20) == 0)
        #expect(
            messages(dir) == ["D/v.yaml: cannot read: larger than 67108864 bytes, the limit for one desired-state file"]
        )
    }

    @Test func emptyDirectory() throws {
        let dir = try TemporaryDirectory()
        try dir.write("README.md", "not yaml")
        #expect(messages(dir) == ["D: no *.yaml or *.yml files here (expected at least host, nginx, dns and vhosts)"])
    }

    @Test func missingDirectory() throws {
        let dir = try TemporaryDirectory()
        let result = Result { () throws(DesiredStateError) in
            try DesiredStateLoader().load(directory: dir.path + "/nope")
        }
        guard case .failure(let error) = result else {
            Issue.record("loaded a missing directory")
            return
        }
        #expect(error.problems.map(\.description) == ["\(dir.path)/nope: no such directory"])
    }

    @Test func unreadableFile() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a.yaml", baseYAML)
        // A dangling symlink cannot be read even by root, unlike a chmod 000 file.
        try FileManager.default.createSymbolicLink(
            atPath: dir.path + "/b.yaml", withDestinationPath: dir.path + "/gone")
        #expect(messages(dir) == ["D/b.yaml: cannot read: No such file or directory"])
    }

    @Test func nonUTF8Bytes() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a.yaml", baseYAML)
        try dir.write("b.yaml", Data("vhosts:\n  caf".utf8) + Data([0xE9]) + Data(".example.social: {}\n".utf8))
        #expect(messages(dir) == ["D/b.yaml:2:6: invalid UTF-8 byte 0xE9 (the file must be UTF-8 text)"])
    }

    @Test func emptyFile() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a.yaml", baseYAML)
        try dir.write("b.yml", "")
        #expect(
            messages(dir) == ["D/b.yml:1:1: file is empty (expected a mapping with any of host, nginx, dns, vhosts)"])
    }

    @Test func duplicateVhostAcrossFiles() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a.yaml", baseYAML + "vhosts:\n  media.example.social: {}\n")
        try dir.write("sub/b.yaml", "vhosts:\n  x.example.social: {}\n  Media.Example.Social: {ports: [443]}\n")
        #expect(
            messages(dir) == [
                "D/sub/b.yaml:3:3: vhost \"media.example.social\" is declared twice: here and at D/a.yaml:11:3"
            ])
    }

    @Test func sectionDefinedTwiceAcrossFiles() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a.yaml", baseYAML)
        try dir.write("b.yaml", "nginx:\n  config: /etc/nginx/other.conf\n")
        #expect(messages(dir) == ["D/b.yaml:1:1: nginx is already defined at D/a.yaml:4:1"])
    }

    @Test func everyProblemIsReportedNotJustTheFirst() throws {
        let dir = try TemporaryDirectory()
        try dir.write(
            "a.yaml", "host: {ipv4: [\"2001:db8::1\"], ipv6: [203.0.113.1]}\nvhosts:\n  a;b.example: {ports: [0]}\n")
        try dir.write("b.yaml", "vhosts: {c.example.social: {families: [ipv7]}}\n")
        #expect(
            messages(dir) == [
                "D/a.yaml:1:15: \"2001:db8::1\" is an IPv6 address; host.ipv4 takes IPv4 addresses like 203.0.113.10",
                "D/a.yaml:1:38: \"203.0.113.1\" is an IPv4 address; host.ipv6 takes IPv6 addresses like 2001:db8::10",
                "D/a.yaml:3:3: host name \"a;b.example\" contains \";\", which is not allowed in a host name (letters, digits, \"-\" and \".\" only)",
                "D/b.yaml:1:40: unknown family \"ipv7\" (expected ipv4 or ipv6); did you mean \"ipv4\"?",
                "D: no file defines nginx (expected nginx: {config: /etc/nginx/nginx.conf})",
                "D: no file defines dns (expected dns: {provider: rfc2136, server: \"[::1]:53\", zones: [example.social]})",
            ])
    }

    @Test func aliasBombIsRefusedQuickly() throws {
        let dir = try TemporaryDirectory()
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            yaml += "a\(level): &a\(level) [\(refs)]\n"
        }
        try dir.write("a.yaml", baseYAML)
        try dir.write("bomb.yaml", yaml)
        let clock = ContinuousClock()
        var found: [String] = []
        let elapsed = clock.measure { found = messages(dir) }
        #expect(found == ["D/bomb.yaml:5:45: aliases expand to more than 100000 nodes (an alias bomb?)"])
        // 10^10 nodes if expanded (hours); refused after reading a few hundred bytes. The bound
        // only tells "refused early" from "expanded", with room for a loaded machine.
        #expect(elapsed < .seconds(20))
    }

    @Test func deepNestingIsRefused() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a.yaml", baseYAML)
        try dir.write(
            "deep.yaml", "x: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n")
        #expect(messages(dir) == ["D/deep.yaml:1:67: nesting deeper than 64 levels"])
    }

    @Test func tenMegabyteFileLoads() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a.yaml", baseYAML)
        var yaml = "vhosts:\n"
        var count = 0
        while yaml.utf8.count < 10_000_000 {
            yaml += "  v\(count).example.social: {families: [ipv4, ipv6], ports: [80, 443]}\n"
            count += 1
        }
        try dir.write("big.yaml", yaml)
        let state = try load(dir).get()
        #expect(state.vhosts.count == count)
        #expect(state.vhosts.allSatisfy { $0.families == [.ipv4, .ipv6] && $0.ports == [80, 443] })
    }
}
