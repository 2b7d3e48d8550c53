import Testing

@testable import Probe

@Suite struct CertificateNamesTests {
    @Test func exactNamesMatchCaseInsensitivelyAndWithTrailingDot() {
        let names = CertificateNames(dnsNames: ["Example.Social"], commonName: nil)
        #expect(names.covers("example.social"))
        #expect(names.covers("EXAMPLE.social."))
        #expect(!names.covers("media.example.social"))
    }

    @Test func wildcardCoversExactlyOneLeftmostLabel() {
        let names = CertificateNames(dnsNames: ["*.example.social"], commonName: nil)
        #expect(names.covers("media.example.social"))
        #expect(!names.covers("example.social"))
        #expect(!names.covers("a.media.example.social"))
        #expect(!CertificateNames(dnsNames: ["*.social"], commonName: nil).covers("example.social"))
    }

    @Test func commonNameCountsOnlyWithoutDNSNames() {
        #expect(CertificateNames(dnsNames: [], commonName: "media.example.social").covers("media.example.social"))
        let both = CertificateNames(dnsNames: ["example.social"], commonName: "media.example.social")
        #expect(!both.covers("media.example.social"))
        #expect(both.effectiveNames == ["example.social"])
    }
}

@Suite struct HTTPStatusLineTests {
    @Test func parsesStatusOnceTheLineIsComplete() {
        #expect(HTTPStatusLine.parse(Array("HTTP/1.1 30".utf8)) == .incomplete)
        #expect(HTTPStatusLine.parse(Array("HTTP/1.1 301 Moved Permanently\r\nLocation: x\r\n".utf8)) == .status(301))
        #expect(HTTPStatusLine.parse(Array("HTTP/1.0 204\n".utf8)) == .status(204))
    }

    @Test func rejectsWhatIsNotHTTP() {
        guard case .notHTTP(let reason) = HTTPStatusLine.parse(Array("SSH-2.0-OpenSSH_9.2\r\n".utf8)) else {
            Issue.record("an SSH banner is not HTTP")
            return
        }
        #expect(reason.contains("SSH-2.0"))
        #expect(HTTPStatusLine.parse(Array("HTTP/1.1 2000 OK\r\n".utf8)) != .status(2000))
        #expect(HTTPStatusLine.parse(Array(repeating: UInt8(ascii: "a"), count: 9000)) != .incomplete)
    }
}

@Suite struct ProbeResultLineTests {
    @Test func linesNameVhostFamilyPortAddressAndVerdict() {
        let v6 = ProbeTarget(
            vhost: "media.example.social", family: .ipv6, address: "2001:db8::10", port: 443, tls: true)
        #expect(
            ProbeResult(target: v6, outcome: .failed(.connectionRefused)).line
                == "media.example.social  ipv6  443  [2001:db8::10]  connection refused")
        let v4 = ProbeTarget(vhost: "example.social", family: .ipv4, address: "203.0.113.10", port: 80, tls: false)
        #expect(
            ProbeResult(target: v4, outcome: .failed(.timedOut(after: .seconds(2), stage: .connecting))).line
                == "example.social  ipv4  80  203.0.113.10  timed out after 2.0s (connecting)")
        #expect(
            ProbeResult(target: v4, outcome: .ok(status: 301, elapsed: .milliseconds(12))).line
                == "example.social  ipv4  80  203.0.113.10  ok (HTTP 301, 12 ms)")
    }

    @Test func tableAlignsColumns() {
        let a = ProbeTarget(vhost: "media.example.social", family: .ipv6, address: "::1", port: 443, tls: true)
        let b = ProbeTarget(vhost: "example.social", family: .ipv4, address: "127.0.0.1", port: 8443, tls: true)
        let lines = ProbeResult.table([
            ProbeResult(target: a, outcome: .failed(.connectionRefused)),
            ProbeResult(target: b, outcome: .ok(status: 200, elapsed: .milliseconds(3))),
        ])
        #expect(
            lines == [
                "media.example.social  ipv6  443   [::1]      connection refused",
                "example.social        ipv4  8443  127.0.0.1  ok (HTTP 200, 3 ms)",
            ])
    }

    @Test func hostHeaderCarriesThePortOnlyWhenItIsNotTheDefault() {
        #expect(
            ProbeTarget(vhost: "a.example", family: .ipv4, address: "127.0.0.1", port: 443, tls: true).hostHeader
                == "a.example")
        #expect(
            ProbeTarget(vhost: "a.example", family: .ipv4, address: "127.0.0.1", port: 443, tls: false).hostHeader
                == "a.example:443")
        #expect(
            ProbeTarget(vhost: "a.example", family: .ipv4, address: "127.0.0.1", port: 80, tls: false).hostHeader
                == "a.example")
    }

    @Test func invalidAddressIsAFailureNotACrash() async {
        let results = await Prober(timeout: .seconds(1)).probe([
            ProbeTarget(vhost: "a.example", family: .ipv4, address: "not-an-ip", port: 80, tls: false)
        ])
        #expect(results.first?.failure == .invalidAddress("not-an-ip"))
    }
}
