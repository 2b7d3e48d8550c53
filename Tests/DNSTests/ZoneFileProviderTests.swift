import Foundation
import TestSupport
import Testing

@testable import DNS

@Suite struct ZoneFileProviderTests {
    let origin = try! DNSName("example.social.")

    /// A copy of the outage zone in a fresh directory, with mode 0640.
    func copyOfTheOutageZone(in directory: TemporaryDirectory) throws -> String {
        let file = try directory.write("example.social.zone", Data(try ZoneFileFixtures.bytes("example.social.zone")))
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file.path)
        return file.path
    }

    @Test
    func appliesAChangeAtomicallyKeepingTheModeAndReloads() throws {
        let directory = try TemporaryDirectory()
        let path = try copyOfTheOutageZone(in: directory)
        let marker = directory.url.appendingPathComponent("reloaded").path
        let provider = ZoneFileProvider(
            path: path, origin: origin, reloadCommand: ["/bin/sh", "-c", "echo reloaded > \"$0\"", marker])
        let before = try provider.load()
        let gone = try ResourceRecord(presentation: "media.example.social. 300 IN AAAA 2001:db8::10")
        let written = try provider.apply(
            adding: [], deleting: [gone], now: ZoneFileFixtures.now, expectedDigest: before.digest)

        #expect(!written.records.contains(gone))
        #expect(try provider.load().bytes == written.bytes)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o640)
        #expect(FileManager.default.fileExists(atPath: marker))
        // No temporary file is left next to the zone.
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(left == ["example.social.zone", "reloaded"])
        #expect(try ZoneFileFixtures.checkzone(file: path, origin: origin).succeeded)
    }

    @Test
    func aFailedReloadPutsTheOldFileBackAndTriesTheReloadAgain() throws {
        let directory = try TemporaryDirectory()
        let path = try copyOfTheOutageZone(in: directory)
        let runs = directory.url.appendingPathComponent("runs").path
        // Counts its runs, and fails.
        let provider = ZoneFileProvider(
            path: path, origin: origin, reloadCommand: ["/bin/sh", "-c", "echo run >> \"$0\"; exit 3", runs])
        let before = try #require(FileManager.default.contents(atPath: path))
        let gone = try ResourceRecord(presentation: "media.example.social. 300 IN AAAA 2001:db8::10")
        let error = try #require(throws: ZoneFileError.self) {
            try provider.apply(adding: [], deleting: [gone], now: ZoneFileFixtures.now)
        }
        guard case .reloadFailedRestored(let reason) = error.reason else {
            Issue.record("expected a restored file, got \(error)")
            return
        }
        #expect(reason.contains("exited with status 3"))
        #expect("\(error)".contains("the zone file was put back byte for byte"))
        #expect(FileManager.default.contents(atPath: path) == before)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o640)
        #expect(try String(contentsOfFile: runs, encoding: .utf8) == "run\nrun\n")
    }

    @Test func refusesToWriteWhenTheFileChangedSinceThePlan() throws {
        let directory = try TemporaryDirectory()
        let path = try copyOfTheOutageZone(in: directory)
        let provider = ZoneFileProvider(path: path, origin: origin)
        let planned = try provider.load()
        let changed = try planned.edited(adding: [], deleting: [], now: ZoneFileFixtures.now)
        try provider.write(changed)
        let gone = try ResourceRecord(presentation: "legacy.example.social. 300 IN A 203.0.113.10")
        #expect(throws: ZoneFileError(path: path, reason: .changedSinceRead)) {
            try provider.apply(adding: [], deleting: [gone], expectedDigest: planned.digest)
        }
        #expect(try provider.load().bytes == changed)
        #expect(planned.digest.count == 64)
        #expect(planned.digest != (try provider.load().digest))
    }

    @Test func digestIsTheFilesSHA256() throws {
        let zone = try ZoneFileFixtures.zone("nasty.example.zone")
        let sum = try ChildProcess.check(["sha256sum", ZoneFileFixtures.path("nasty.example.zone")]).stdout
        #expect(sum.hasPrefix(zone.digest + " "))
    }

    @Test func writesThroughASymlinkToItsTarget() throws {
        let directory = try TemporaryDirectory()
        let path = try copyOfTheOutageZone(in: directory)
        let link = directory.url.appendingPathComponent("link.zone").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        try ZoneFileProvider(path: link, origin: origin).write(Array("new\n".utf8))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("new\n".utf8))
    }

    @Test func reportsAFailingReloadWithItsOutput() throws {
        let provider = ZoneFileProvider(
            path: "z.zone", origin: origin, reloadCommand: ["/bin/sh", "-c", "echo zone not loaded >&2; exit 3"])
        let error = try #require(throws: ZoneFileError.self) { try provider.reload() }
        #expect(
            error.description
                == "z.zone: reload command `/bin/sh -c echo zone not loaded >&2; exit 3` exited with status 3; output: zone not loaded"
        )
    }

    @Test func boundsTheReloadOutput() throws {
        let provider = ZoneFileProvider(
            path: "z.zone", origin: origin, reloadCommand: ["/bin/sh", "-c", "yes | head -c 100000"],
            reloadOutputLimit: 10)
        #expect(try provider.reload() == "y\ny\ny\ny\ny [output truncated]")
    }

    @Test func killsAReloadThatHangs() throws {
        let provider = ZoneFileProvider(
            path: "z.zone", origin: origin, reloadCommand: ["/bin/sleep", "30"], reloadTimeout: 0.5)
        let start = Date()
        #expect(throws: ZoneFileError(path: "z.zone", reason: .reloadTimedOut(command: "/bin/sleep 30", seconds: 0.5)))
        {
            try provider.reload()
        }
        // Killed at its 0.5 s timeout, long before its 30 s.
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func doesNotWaitForABackgroundChildOfTheReload() throws {
        // A reload script that leaves a daemon holding its output pipe still counts as done.
        let provider = ZoneFileProvider(
            path: "z.zone", origin: origin, reloadCommand: ["/bin/sh", "-c", "sleep 30 & echo reloaded"],
            reloadTimeout: 60)
        let start = Date()
        #expect(try provider.reload() == "reloaded")
        // Done when the script exits, not when its background child (30 s) closes the pipe.
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func reportsAReloadCommandThatCannotStart() throws {
        let provider = ZoneFileProvider(path: "z.zone", origin: origin, reloadCommand: ["/nonexistent/rndc", "reload"])
        let error = try #require(throws: ZoneFileError.self) { try provider.reload() }
        guard case .reloadNotStarted(let command, _) = error.reason else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(command == "/nonexistent/rndc reload")
    }

    @Test func reportsAMissingFile() throws {
        let provider = ZoneFileProvider(path: "/nonexistent/zone", origin: origin)
        #expect(throws: ZoneFileError(path: "/nonexistent/zone", reason: .readFailed("no such file"))) {
            try provider.load()
        }
    }
}
