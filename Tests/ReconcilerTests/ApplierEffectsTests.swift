import DNS
import Foundation
import Nginx
import Synchronization
import TestSupport
import Testing

@testable import Reconciler

/// The applier driven in-process through the recording twin of the host (``RecordingHost``):
/// the bundled example with media.example.social's AAAA taken out of the zone, so the plan
/// serves IPv6 (a listen) and then advertises it (the AAAA). No nginx runs; the zone file is
/// the real provider's, in a temporary directory.
@Suite struct ApplierEffectsTests {
    struct Lab {
        let directory: TemporaryDirectory
        let result: Reconciliation.Result
        var state: StateDirectory { StateDirectory(path: directory.path + "/state") }
        var media: String { directory.path + "/example/nginx/sites-enabled/media.conf" }
        var zoneFile: String { directory.path + "/example/zones/example.social.zone" }

        /// `prepare` changes the copied example (paths relative to the lab) before the plan.
        init(prepare: (String) throws -> Void = { _ in }) async throws {
            directory = try TemporaryDirectory(prefix: "applier-effects")
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().path
            for folder in ["desired-state", "example"] {
                try FileManager.default.copyItem(atPath: root + "/" + folder, toPath: directory.path + "/" + folder)
            }
            let zone = try String(
                contentsOfFile: directory.path + "/example/zones/example.social.zone", encoding: .utf8)
            try zone.replacingOccurrences(of: "media   IN AAAA 2001:db8::10\n", with: "")
                .write(toFile: directory.path + "/example/zones/example.social.zone", atomically: true, encoding: .utf8)
            try prepare(directory.path)
            var settings = Reconciliation.Settings(
                desiredDirectory: directory.path + "/desired-state", stateDirectory: directory.path + "/state",
                displayBase: directory.path)
            settings.checkInterfaces = false
            result = try await Reconciliation(settings: settings).run()
        }

        /// Runs the plan (or `plan`) through `host`; the DNS writes fail with `dnsFailure` when given.
        func apply(_ host: RecordingHost, plan: Plan? = nil, dnsFailure: ReconcileError? = nil)
            async throws(Applier.Failure)
        {
            var applier = Applier(
                desired: result.desired,
                dns: RecordingDNSProvider(wrapping: result.provider, host: host, failure: dnsFailure), state: state)
            applier.effects = host
            try await applier.apply(plan ?? result.plan, observation: result.observation)
        }

        var originalMedia: [UInt8] { [UInt8](FileManager.default.contents(atPath: media) ?? Data()) }
    }

    /// A recorded host whose commands fail when `fails` says so.
    static func host(failing fails: @escaping @Sendable ([String]) -> Bool = { _ in false }) -> RecordingHost {
        RecordingHost(answer: { argv in
            fails(argv)
                ? CommandRunner.Result(status: 1, output: "emerg: refused by the test") : .init(status: 0, output: "")
        })
    }

    @Test func thePlanServesThenAdvertises() async throws {
        let lab = try await Lab()
        #expect(lab.result.plan.actions.map(\.phase) == [.serve, .advertise])
    }

    /// Serve before advertise: the listen is written, tested, reloaded and its socket checked
    /// before the AAAA is sent; the zone file then holds it.
    @Test func servesBeforeAdvertising() async throws {
        let lab = try await Lab()
        let host = Self.host()
        try await lab.apply(host)
        let events = host.events.map(\.description)
        let test = lab.result.desired.nginx.test
        let reload = lab.result.desired.nginx.reload
        let order = [
            "write media.conf", RecordingHost.Event.run(test).description, RecordingHost.Event.run(reload).description,
            "connect 2001:db8::10 443", "dns example.social. 1",
        ]
        let positions = order.map { step in events.firstIndex(of: step) }
        #expect(positions.allSatisfy { $0 != nil }, "\(events)")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "\(events)")
        let media = String(decoding: try #require(host.bytes(of: lab.media)), as: UTF8.self)
        #expect(media.contains("listen [::]:443 ssl; # managed by reconcile"))
        let zone = try String(contentsOfFile: lab.zoneFile, encoding: .utf8)
        #expect(zone.contains("2001:db8::10"))
        #expect(lab.state.pendingReload() == nil)
    }

    /// A failed configuration test puts every byte back and sends nothing to DNS.
    @Test func aFailedTestRestoresAndLeavesDNSAlone() async throws {
        let lab = try await Lab()
        let test = lab.result.desired.nginx.test
        let host = Self.host(failing: { $0 == test })
        let zoneBefore = FileManager.default.contents(atPath: lab.zoneFile)
        await #expect {
            try await lab.apply(host)
        } throws: { error in
            guard let failure = error as? Applier.Failure, case .applyFailed(_, _, let restored) = failure.error else {
                return false
            }
            return restored && failure.stepsDone == 0
        }
        #expect(host.events.contains(.restore(lab.media)))
        #expect(!host.events.contains { if case .dns = $0 { true } else { false } })
        #expect(host.bytes(of: lab.media) == lab.originalMedia)
        #expect(FileManager.default.contents(atPath: lab.zoneFile) == zoneBefore)
        #expect(lab.state.pendingReload() == nil)
    }

    /// A failed reload restores the files and reloads again (so nginx runs the old ones), and
    /// sends nothing to DNS.
    @Test func aFailedReloadRestoresAndReloadsAgain() async throws {
        let lab = try await Lab()
        let reload = lab.result.desired.nginx.reload
        let failedOnce = Mutex(false)
        let host = Self.host(failing: { argv in
            guard argv == reload else { return false }
            return failedOnce.withLock { failed in
                defer { failed = true }
                return !failed
            }
        })
        await #expect(throws: Applier.Failure.self) { try await lab.apply(host) }
        let events = host.events
        let restore = try #require(events.firstIndex(of: .restore(lab.media)))
        #expect(events[restore...].contains(.run(reload)), "\(events)")
        #expect(events.filter { $0 == .run(reload) }.count == 2)
        #expect(!events.contains { if case .dns = $0 { true } else { false } })
        #expect(host.bytes(of: lab.media) == lab.originalMedia)
    }

    /// A new socket that does not answer is a failure like a failed test: restored, reloaded,
    /// not advertised.
    @Test func aSocketThatDoesNotAnswerIsRestored() async throws {
        let lab = try await Lab()
        let host = RecordingHost(answers: { address, _ in address != "2001:db8::10" })
        await #expect(throws: Applier.Failure.self) { try await lab.apply(host) }
        #expect(host.events.contains(.restore(lab.media)))
        #expect(!host.events.contains { if case .dns = $0 { true } else { false } })
        #expect(host.bytes(of: lab.media) == lab.originalMedia)
    }

    /// A DNS failure after the nginx change leaves that change (serving more than is
    /// advertised is harmless) and says so.
    @Test func aDNSFailureAfterTheNginxChangeKeepsIt() async throws {
        let lab = try await Lab()
        let host = Self.host()
        await #expect {
            try await lab.apply(host, dnsFailure: .other("the server refused the update"))
        } throws: { error in
            guard let failure = error as? Applier.Failure else { return false }
            return failure.error.description.contains("the nginx changes stay in place") && failure.stepsDone == 1
        }
        #expect(!host.events.contains { if case .restore = $0 { true } else { false } })
        #expect(host.bytes(of: lab.media) != lab.originalMedia)
    }

    /// At every point where a crash would stop apply, the state directory already holds the
    /// markers the next apply needs: the apply in progress, and from the first write until the
    /// reload is confirmed, the reload it owes.
    @Test func theMarkersAtEachStepAreThereBeforeTheStep() async throws {
        let lab = try await Lab()
        let state = lab.state
        let seen = Mutex<[FaultPoint: (inProgress: Bool, pendingReload: Bool)]>([:])
        let host = RecordingHost(onReach: { point in
            let markers = (
                FileManager.default.fileExists(atPath: state.applyInProgressPath), state.pendingReload() != nil
            )
            seen.withLock { $0[point] = markers }
        })
        try await lab.apply(host)
        let markers = seen.withLock { $0 }
        #expect(Set(markers.keys) == [.afterBackup, .midWrite, .afterTest, .afterReload, .betweenDNSMessages])
        // Backed up, nothing written yet: no reload is owed.
        #expect(markers[.afterBackup]?.inProgress == true)
        #expect(markers[.afterBackup]?.pendingReload == false)
        for point in [FaultPoint.midWrite, .afterTest, .afterReload] {
            #expect(markers[point]?.inProgress == true, "\(point)")
            #expect(markers[point]?.pendingReload == true, "\(point)")
        }
        #expect(markers[.betweenDNSMessages]?.inProgress == true)
        #expect(markers[.betweenDNSMessages]?.pendingReload == false)
        #expect(!FileManager.default.fileExists(atPath: state.applyInProgressPath))
    }

    /// The plan is the value apply executes: media.example.social goes IPv6-only, so one file
    /// gets a listen added (serve) and one removed (unserve), the AAAA is added and nothing is
    /// withdrawn. The plan saved as JSON and read back runs, and gives exactly the bytes its
    /// edits say; one edit changed makes the saved plan stale.
    @Test func aSavedPlanRunsItsEditsOfBothKinds() async throws {
        let lab = try await Lab { root in
            let vhosts = root + "/desired-state/vhosts.yaml"
            try String(contentsOfFile: vhosts, encoding: .utf8)
                .replacingOccurrences(
                    of: "media.example.social: {families: [ipv4, ipv6]", with: "media.example.social: {families: [ipv6]"
                )
                .write(toFile: vhosts, atomically: true, encoding: .utf8)
            let zone = root + "/example/zones/example.social.zone"
            try String(contentsOfFile: zone, encoding: .utf8).replacingOccurrences(
                of: "media   IN A    203.0.113.10\n", with: ""
            ).write(toFile: zone, atomically: true, encoding: .utf8)
            let media = root + "/example/nginx/sites-enabled/media.conf"
            try String(contentsOfFile: media, encoding: .utf8).replacingOccurrences(
                of: "    listen 443 ssl;\n", with: "    listen 443 ssl;\n    listen 8080;\n"
            ).write(toFile: media, atomically: true, encoding: .utf8)
        }
        let plan = lab.result.plan
        #expect(plan.actions.map(\.kind) == [.nginxAddListen, .dnsAdd, .nginxRemoveListen])
        let saved = try Plan.decode(try plan.jsonData())
        #expect(saved.actions == plan.actions)
        #expect(ApplyChecks.staleness(saved: saved, fresh: plan).isEmpty)
        var tampered = saved
        if case .nginx(let edit) = tampered.actions[0].change {
            tampered.actions[0].change = .nginx(
                NginxListenEdit(
                    path: edit.path, offset: edit.offset + 1, removing: edit.removing, inserting: edit.inserting,
                    line: edit.line, directive: edit.directive))
        }
        #expect(
            ApplyChecks.staleness(saved: tampered, fresh: plan) == [
                "the actions computed now differ from the saved ones"
            ])
        let zoneBefore = try String(contentsOfFile: lab.zoneFile, encoding: .utf8)
        let host = Self.host()
        try await lab.apply(host, plan: saved)
        let media = String(decoding: try #require(host.bytes(of: lab.media)), as: UTF8.self)
        #expect(
            media.contains(
                "server {\n    listen 8080;\n    listen [::]:443 ssl; # managed by reconcile\n    server_name media.example.social;\n"
            ), "\(media)")
        // Two nginx phases, each written, tested and reloaded; the AAAA in between.
        let events = host.events.map(\.description)
        #expect(events.filter { $0 == "write media.conf" }.count == 2, "\(events)")
        let zone = try String(contentsOfFile: lab.zoneFile, encoding: .utf8)
        #expect(
            zone.components(separatedBy: "2001:db8::10").count == zoneBefore.components(separatedBy: "2001:db8::10")
                .count + 1)
    }
}
