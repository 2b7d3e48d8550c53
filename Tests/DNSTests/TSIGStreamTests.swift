import Testing

@testable import DNS

/// Multi-message verification (RFC 8945 §5.3.1) with unsigned messages in between, which
/// named does not produce by itself.
@Suite struct TSIGStreamTests {
    let key = TSIGKey(name: WireSample.name("xfr.example."), algorithm: .hmacSHA256, secret: Array(100..<132))
    let requestMAC: [UInt8] = Array(repeating: 0xAB, count: 32)

    func page(_ i: Int) -> DNSMessage {
        DNSMessage(
            header: DNSHeader(id: 42, isResponse: true),
            answers: [
                ResourceRecord(
                    name: WireSample.name("h\(i).example.test."), type: .a, ttl: 60,
                    data: .a(WireSample.v4("10.0.0.\(i)")))
            ])
    }

    /// Signs as a server does: the first message over request MAC + message + all variables,
    /// later ones over previous MAC + unsigned messages since + message + timers.
    func serverStream(signed: [Bool], now: UInt64) -> [[UInt8]] {
        var previous = requestMAC
        var pending: [UInt8] = []
        var out: [[UInt8]] = []
        for (i, sign) in signed.enumerated() {
            var message = page(i)
            let body = message.encode()
            guard sign else {
                pending += body
                out.append(body)
                continue
            }
            var tsig = TSIGRecord(
                keyName: key.name, algorithm: key.algorithm.name, timeSigned: now, fudge: 300, mac: [], originalID: 42)
            let tail = i == 0 ? tsig.digestVariables : tsig.timers
            tsig.mac = key.algorithm.mac(
                TSIGSigner.lengthPrefixed(previous) + pending + body + tail, secret: key.secret)
            previous = tsig.mac
            pending = []
            message.tsig = tsig
            out.append(message.encode())
        }
        return out
    }

    @Test func acceptsUnsignedMessagesCoveredByTheNextSignature() throws {
        let now = TSIGSigner.now()
        var verifier = TSIGStreamVerifier(
            signer: TSIGSigner(key: key), requestMAC: requestMAC, server: try DNSServerAddress(host: "::1"))
        let stream = serverStream(signed: [true, false, false, true, true], now: now)
        for (i, bytes) in stream.enumerated() {
            #expect(try verifier.verify(bytes, now: now).answers == page(i).answers)
        }
        try verifier.finish()
    }

    @Test func rejectsAStreamEndingUnsigned() throws {
        let now = TSIGSigner.now()
        var verifier = TSIGStreamVerifier(
            signer: TSIGSigner(key: key), requestMAC: requestMAC, server: try DNSServerAddress(host: "::1"))
        for bytes in serverStream(signed: [true, false], now: now) { _ = try verifier.verify(bytes, now: now) }
        #expect(throws: DNSError.self) { try verifier.finish() }
    }

    @Test func rejectsATamperedUnsignedMessage() throws {
        let now = TSIGSigner.now()
        var verifier = TSIGStreamVerifier(
            signer: TSIGSigner(key: key), requestMAC: requestMAC, server: try DNSServerAddress(host: "::1"))
        var stream = serverStream(signed: [true, false, true], now: now)
        stream[1][stream[1].count - 1] ^= 0x01  // last address byte of the unsigned page
        _ = try verifier.verify(stream[0], now: now)
        _ = try verifier.verify(stream[1], now: now)
        #expect(throws: DNSError.self) { _ = try verifier.verify(stream[2], now: now) }
    }

    @Test func rejectsAnUnsignedFirstMessageThatClaimsSuccess() throws {
        var verifier = TSIGStreamVerifier(
            signer: TSIGSigner(key: key), requestMAC: requestMAC, server: try DNSServerAddress(host: "::1"))
        #expect(throws: DNSError.self) { _ = try verifier.verify(page(0).encode()) }
    }
}
