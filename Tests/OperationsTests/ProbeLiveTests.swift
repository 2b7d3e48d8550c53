import Foundation
import Probe
import TestSupport
import Testing

/// The §1 outage and its cousins, probed live against a real nginx with TLS on 127.0.0.1 and
/// [::1], certificates from a CA made by the test.
@Suite(.serialized)
struct ProbeLiveTests {
    /// example.social is served on both families; media.example.social only on IPv4 on the same
    /// port, so its IPv6 requests land on example.social's block and certificate; legacy is
    /// served on IPv4 only, on a port nothing holds on [::1].
    struct Site {
        let nginx: NginxServer
        /// nginx's prefix: config, pid file, logs.
        let directory: TemporaryDirectory
        let ca: TestCertificateAuthority
        let sharedPort: UInt16
        let legacyPort: UInt16
    }

    static func startSite() throws -> Site {
        let ca = try TestCertificateAuthority()
        let main = try ca.issue(["example.social"])
        let media = try ca.issue(["media.example.social"])
        let legacy = try ca.issue(["legacy.example.social"])
        let shared = LoopbackPort.free()
        var legacyPort = LoopbackPort.free()
        while legacyPort == shared { legacyPort = LoopbackPort.free() }
        let servers = [
            serverBlock(["127.0.0.1:\(shared)", "[::1]:\(shared)"], main, answer: "200 \"example\\n\""),
            serverBlock(["127.0.0.1:\(shared)"], media, answer: "200 \"media\\n\""),
            serverBlock(["127.0.0.1:\(legacyPort)"], legacy, answer: "204"),
        ].joined()
        let directory = try TemporaryDirectory(prefix: "reconcile-nginx")
        let nginx = try NginxServer(http: servers, in: directory)
        return Site(nginx: nginx, directory: directory, ca: ca, sharedPort: shared, legacyPort: legacyPort)
    }

    /// An `ssl` server block for the leaf's first name on `listens`, answering `return answer;`.
    static func serverBlock(_ listens: [String], _ leaf: TestCertificateAuthority.Leaf, answer: String) -> String {
        let listenLines = listens.map { "listen \($0) ssl; " }.joined()
        return """
                server {
                    \(listenLines)
                    server_name \(leaf.names[0]);
                    ssl_certificate \(leaf.certificatePath);
                    ssl_certificate_key \(leaf.keyPath);
                    return \(answer);
                }

            """
    }

    static func target(_ vhost: String, _ family: AddressFamily, _ port: UInt16) -> ProbeTarget {
        ProbeTarget(vhost: vhost, family: family, address: family == .ipv4 ? "127.0.0.1" : "::1", port: port, tls: true)
    }

    @Test
    func reportsEachFamilyOfEachVhost() async throws {
        let site = try Self.startSite()
        defer { site.nginx.stop() }
        let targets = [
            Self.target("example.social", .ipv4, site.sharedPort),
            Self.target("example.social", .ipv6, site.sharedPort),
            Self.target("media.example.social", .ipv4, site.sharedPort),
            Self.target("media.example.social", .ipv6, site.sharedPort),
            Self.target("legacy.example.social", .ipv4, site.legacyPort),
            Self.target("legacy.example.social", .ipv6, site.legacyPort),
        ]
        let prober = Prober(timeout: .seconds(5), concurrency: 4, caFile: site.ca.certificatePath)
        let results = await prober.probe(targets)
        for result in results { print(result.line) }
        #expect(results.map(\.target) == targets)

        #expect(results[0].outcome.status == 200)
        #expect(results[1].outcome.status == 200)
        #expect(results[2].outcome.status == 200)
        #expect(
            results[3].failure
                == .certificateNameMismatch(name: "media.example.social", covers: ["example.social"]))
        #expect(
            results[3].line
                == "media.example.social  ipv6  \(site.sharedPort)  [::1]  certificate does not cover media.example.social (it covers example.social)"
        )
        #expect(results[4].outcome.status == 204)
        #expect(results[5].failure == .connectionRefused)
        #expect(results[5].line == "legacy.example.social  ipv6  \(site.legacyPort)  [::1]  connection refused")
    }

    @Test
    func privateCAIsNotTrustedWithoutCAFile() async throws {
        let site = try Self.startSite()
        defer { site.nginx.stop() }
        let results = await Prober(timeout: .seconds(5)).probe([
            Self.target("media.example.social", .ipv4, site.sharedPort)
        ])
        let failure = try #require(results.first?.failure)
        guard case .tlsHandshakeFailed(let reason) = failure else {
            Issue.record("expected a TLS failure, got \(failure)")
            return
        }
        #expect(reason.contains("not trusted"))
    }

    @Test
    func plainHTTPIsProbedWithTheHostHeader() async throws {
        let port = LoopbackPort.free()
        let directory = try TemporaryDirectory(prefix: "reconcile-nginx")
        let nginx = try NginxServer(
            http: """
                    server { listen 127.0.0.1:\(port); listen [::1]:\(port); server_name _; return 404; }
                    server { listen 127.0.0.1:\(port); listen [::1]:\(port); server_name plain.example.social; return 301 https://plain.example.social/; }
                """, in: directory)
        defer { nginx.stop() }
        let results = await Prober(timeout: .seconds(5)).probe([
            ProbeTarget(vhost: "plain.example.social", family: .ipv4, address: "127.0.0.1", port: port, tls: false),
            ProbeTarget(vhost: "plain.example.social", family: .ipv6, address: "::1", port: port, tls: false),
            ProbeTarget(vhost: "other.example.social", family: .ipv6, address: "::1", port: port, tls: false),
        ])
        #expect(results.map(\.outcome.status) == [301, 301, 404])
    }

    @Test func refusedPortFailsQuickly() async throws {
        let port = LoopbackPort.free()
        let clock = ContinuousClock()
        let started = clock.now
        // A refusal ends the probe at once, not the 30 s timeout (the bound leaves room for a
        // loaded machine).
        let results = await Prober(timeout: .seconds(30)).probe([
            ProbeTarget(vhost: "media.example.social", family: .ipv4, address: "127.0.0.1", port: port, tls: true),
            ProbeTarget(vhost: "media.example.social", family: .ipv6, address: "::1", port: port, tls: true),
        ])
        let elapsed = clock.now - started
        #expect(results.map(\.failure) == [.connectionRefused, .connectionRefused])
        #expect(elapsed < .seconds(10), "refused took \(elapsed)")
    }

    @Test func droppedPacketsTimeOutWithinTheBoundForAllTargetsAtOnce() async throws {
        let listener = try StalledListener(fillBacklog: true)
        let timeout = Duration.milliseconds(1500)
        let targets = (0..<12).map {
            ProbeTarget(
                vhost: "v\($0).example.social", family: .ipv4, address: "127.0.0.1", port: listener.port, tls: true)
        }
        let clock = ContinuousClock()
        let started = clock.now
        let results = await Prober(timeout: timeout, concurrency: 16).probe(targets)
        let elapsed = clock.now - started
        for result in results {
            #expect(result.failure == .timedOut(after: timeout, stage: .connecting), "\(result.line)")
        }
        #expect(results.first?.line.hasSuffix("timed out after 1.5s (connecting)") == true)
        // 12 targets × 1.5 s would be 18 s; concurrently it is one timeout plus scheduling (the
        // bound leaves room for a loaded machine and is far from 12 in sequence).
        #expect(elapsed >= timeout && elapsed < timeout * 4, "took \(elapsed)")
        withExtendedLifetime(listener) {}
    }

    @Test func stuckServerTimesOutInTheStepItIsStuckIn() async throws {
        let listener = try StalledListener(fillBacklog: false)
        let timeout = Duration.milliseconds(800)
        let results = await Prober(timeout: timeout, concurrency: 2).probe([
            ProbeTarget(
                vhost: "media.example.social", family: .ipv4, address: "127.0.0.1", port: listener.port, tls: true),
            ProbeTarget(
                vhost: "media.example.social", family: .ipv4, address: "127.0.0.1", port: listener.port, tls: false),
        ])
        #expect(results[0].failure == .timedOut(after: timeout, stage: .tlsHandshake))
        #expect(results[1].failure == .timedOut(after: timeout, stage: .awaitingResponse))
        withExtendedLifetime(listener) {}
    }

    @Test func concurrencyBoundsHowManyRunAtOnce() async throws {
        let listener = try StalledListener(fillBacklog: true)
        let timeout = Duration.seconds(2)
        let targets = (0..<6).map {
            ProbeTarget(
                vhost: "v\($0).example.social", family: .ipv4, address: "127.0.0.1", port: listener.port, tls: false)
        }
        let clock = ContinuousClock()
        let started = clock.now
        _ = await Prober(timeout: timeout, concurrency: 3).probe(targets)
        let elapsed = clock.now - started
        // Two waves of three: unbounded would take one timeout, one at a time six.
        #expect(elapsed >= timeout * 2 && elapsed < timeout * 4, "took \(elapsed)")
        withExtendedLifetime(listener) {}
    }

    @Test func unusableCAFileIsReportedPerTarget() async throws {
        let results = await Prober(timeout: .seconds(1), caFile: "/nonexistent/ca.pem").probe([
            ProbeTarget(vhost: "a.example.social", family: .ipv4, address: "127.0.0.1", port: 1, tls: true)
        ])
        guard case .trustStoreUnusable(let path, _)? = results.first?.failure else {
            Issue.record("expected trustStoreUnusable, got \(String(describing: results.first?.line))")
            return
        }
        #expect(path == "/nonexistent/ca.pem")
    }
}

extension ProbeResult.Outcome {
    var status: Int? {
        if case .ok(let status, _) = self { return status }
        return nil
    }
}
