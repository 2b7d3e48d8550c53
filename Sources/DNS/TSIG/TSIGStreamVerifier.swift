/// Verifies the messages of one signed response stream (a single response or the many
/// messages of an AXFR, RFC 8945 §5.3.1): the first must be signed and chains to the request
/// MAC; later ones chain to the previous MAC and may leave up to 99 messages unsigned in
/// between, which the next signature then covers.
public struct TSIGStreamVerifier: Sendable {
    let signer: TSIGSigner
    let server: DNSServerAddress
    private var previousMAC: [UInt8]
    private var isFirst = true
    private var unsignedBytes: [UInt8] = []
    private var unsignedCount = 0

    /// RFC 8945 §5.3.1: a client must accept up to 99 unsigned messages in a row.
    static let maxUnsignedRun = 99

    public init(signer: TSIGSigner, requestMAC: [UInt8], server: DNSServerAddress) {
        self.signer = signer
        self.previousMAC = requestMAC
        self.server = server
    }

    /// Verifies the next message and returns it decoded.
    public mutating func verify(_ bytes: [UInt8], now: UInt64 = TSIGSigner.now()) throws(DNSError) -> DNSMessage {
        let key = signer.key
        let decoded: (message: DNSMessage, tsigOffset: Int?)
        do {
            decoded = try DNSMessage.decodeLocatingTSIG(bytes)
        } catch {
            throw .malformedResponse(server: server, error)
        }
        let message = decoded.message
        guard let tsig = message.tsig, let tsigOffset = decoded.tsigOffset else {
            if isFirst {
                // A server that failed before it could sign (e.g. REFUSED) answers unsigned;
                // such a response is only ever turned into an error.
                if message.header.rcode != .noError { return message }
                throw .responseSignatureInvalid(server: server, key: key.name, reason: "the response is not signed")
            }
            unsignedCount += 1
            guard unsignedCount <= Self.maxUnsignedRun else {
                throw .responseSignatureInvalid(
                    server: server, key: key.name, reason: "more than \(Self.maxUnsignedRun) unsigned messages in a row"
                )
            }
            unsignedBytes += bytes
            return message
        }
        switch tsig.error {
        case .noError: break
        case .badSig: throw .badSignature(server: server, key: key.name)
        case .badKey: throw .badKey(server: server, key: key.name)
        case .badTime: throw .badTime(server: server, key: key.name)
        default:
            throw .responseSignatureInvalid(
                server: server, key: key.name, reason: "server reported TSIG error \(tsig.error)")
        }
        guard tsig.keyName == key.name, tsig.algorithm == key.algorithm.name else {
            throw .responseSignatureInvalid(
                server: server, key: key.name, reason: "signed with key \(tsig.keyName) (\(tsig.algorithm))")
        }
        guard tsig.mac.count == key.algorithm.macLength else {
            throw .responseSignatureInvalid(
                server: server, key: key.name,
                reason: "MAC of \(tsig.mac.count) bytes, expected \(key.algorithm.macLength)")
        }
        let body = TSIGSigner.unsignedPart(of: bytes, tsigOffset: tsigOffset, originalID: tsig.originalID)
        var input = TSIGSigner.lengthPrefixed(previousMAC)
        input += unsignedBytes
        input += body
        input += isFirst ? tsig.digestVariables : tsig.timers
        let expected = key.algorithm.mac(input, secret: key.secret)
        guard Self.constantTimeEqual(expected, tsig.mac) else {
            throw .responseSignatureInvalid(
                server: server, key: key.name, reason: "the MAC does not match (wrong secret?)")
        }
        let skew = now > tsig.timeSigned ? now - tsig.timeSigned : tsig.timeSigned - now
        guard skew <= UInt64(tsig.fudge) else {
            throw .responseSignatureInvalid(
                server: server, key: key.name, reason: "signed \(skew)s away from our clock (fudge \(tsig.fudge)s)")
        }
        previousMAC = tsig.mac
        unsignedBytes = []
        unsignedCount = 0
        isFirst = false
        return message
    }

    /// Throws when the stream ended on unsigned messages (the last one must be signed).
    public func finish() throws(DNSError) {
        guard unsignedCount == 0 else {
            throw .responseSignatureInvalid(
                server: server, key: signer.key.name, reason: "the last \(unsignedCount) messages are not signed")
        }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
