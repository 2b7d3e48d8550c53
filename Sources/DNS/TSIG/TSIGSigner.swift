import Foundation

/// Signs requests and verifies responses with one key (RFC 8945 §5).
public struct TSIGSigner: Sendable {
    public let key: TSIGKey
    /// Allowed clock difference in seconds; 300 as RFC 8945 §10 recommends.
    public var fudge: UInt16

    public init(key: TSIGKey, fudge: UInt16 = 300) {
        self.key = key
        self.fudge = fudge
    }

    /// A signed request: its bytes and the MAC a response's signature must chain to.
    public struct SignedRequest: Sendable {
        public let bytes: [UInt8]
        public let mac: [UInt8]
    }

    /// Seconds since the epoch, as TSIG times are written.
    public static func now() -> UInt64 { UInt64(max(0, Date().timeIntervalSince1970)) }

    /// Encodes `message` and appends a TSIG record over it (any `tsig` already set is replaced).
    public func sign(_ message: DNSMessage, time: UInt64 = TSIGSigner.now()) -> SignedRequest {
        var unsigned = message
        unsigned.tsig = nil
        var bytes = unsigned.encode()
        var record = TSIGRecord(
            keyName: key.name, algorithm: key.algorithm.name, timeSigned: time, fudge: fudge, mac: [],
            originalID: message.header.id)
        record.mac = key.algorithm.mac(bytes + record.digestVariables, secret: key.secret)
        record.appendRecord(to: &bytes)
        Self.adjustAdditionalCount(&bytes, by: 1)
        return SignedRequest(bytes: bytes, mac: record.mac)
    }

    /// Verifies a single response to a request whose MAC was `requestMAC`. Returns the decoded
    /// message. An unsigned response is accepted only when it reports an error, which the
    /// caller then turns into a ``DNSError`` anyway.
    public func verifyResponse(
        _ bytes: [UInt8], requestMAC: [UInt8], server: DNSServerAddress, now: UInt64 = TSIGSigner.now()
    ) throws(DNSError) -> DNSMessage {
        var verifier = TSIGStreamVerifier(signer: self, requestMAC: requestMAC, server: server)
        return try verifier.verify(bytes, now: now)
    }

    /// The digest input of a signed message: its bytes up to the TSIG record, with the
    /// original ID restored and the TSIG record no longer counted.
    static func unsignedPart(of bytes: [UInt8], tsigOffset: Int, originalID: UInt16) -> [UInt8] {
        var part = Array(bytes[0..<tsigOffset])
        part[0] = UInt8(originalID >> 8)
        part[1] = UInt8(originalID & 0xFF)
        adjustAdditionalCount(&part, by: -1)
        return part
    }

    static func adjustAdditionalCount(_ bytes: inout [UInt8], by delta: Int) {
        let count = Int(UInt16(bytes[10]) << 8 | UInt16(bytes[11])) + delta
        bytes[10] = UInt8((count >> 8) & 0xFF)
        bytes[11] = UInt8(count & 0xFF)
    }

    /// MAC length prefix + MAC, the way a prior MAC enters the next digest.
    static func lengthPrefixed(_ mac: [UInt8]) -> [UInt8] {
        [UInt8((mac.count >> 8) & 0xFF), UInt8(mac.count & 0xFF)] + mac
    }
}
