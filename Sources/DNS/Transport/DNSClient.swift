import Foundation
import NIOCore

/// Talks to one DNS server: queries (UDP, TCP on truncation), zone transfers (AXFR over TCP)
/// and dynamic updates (RFC 2136), signed with TSIG when a key is given.
public struct DNSClient: Sendable {
    public var server: DNSServerAddress
    /// Per attempt for UDP, and the longest silence allowed on TCP (connect, between messages).
    public var timeout: Duration
    /// Further UDP attempts after the first for queries. Updates are never retried: a lost
    /// response would make the retry fail its own prerequisites.
    public var retries: Int
    /// Bounds on each zone transfer besides the idle ``timeout``.
    public var transferLimits: ZoneTransferLimits

    public init(
        server: DNSServerAddress, timeout: Duration = .seconds(2), retries: Int = 2,
        transferLimits: ZoneTransferLimits = ZoneTransferLimits()
    ) {
        self.server = server
        self.timeout = timeout
        self.retries = max(0, retries)
        self.transferLimits = transferLimits
    }

    var transport: DNSTransport { DNSTransport(server: server, timeout: timeout) }

    // MARK: Queries

    /// The UDP payload size advertised with EDNS(0): the size DNS flag day 2020 settled on,
    /// which avoids IP fragmentation on every common path.
    public static let ednsPayloadSize: UInt16 = 1232

    /// Asks for `type` records of `name`, with EDNS(0) (``ednsPayloadSize``). By default
    /// recursion is not desired: we ask authoritative servers; `recursionDesired` is for a
    /// resolver. With `key` the query is signed and the response must verify (an unsigned
    /// answer to a signed query is accepted only as an error, which is thrown).
    /// NXDOMAIN and NODATA are results; SERVFAIL, REFUSED and timeouts are thrown.
    public func query(_ name: DNSName, _ type: RecordType, key: TSIGKey? = nil, recursionDesired: Bool = false)
        async throws(DNSError) -> QueryResult
    {
        let opt = ResourceRecord(
            name: .root, type: .opt, rclass: RecordClass(rawValue: Self.ednsPayloadSize), ttl: 0, data: .opaque([]))
        let request = DNSMessage(
            header: DNSHeader(id: UInt16.random(in: .min ... .max), recursionDesired: recursionDesired),
            questions: [DNSQuestion(name: name, type: type)], additional: [opt])
        let (response, usedTCP) = try await exchange(request, key: key, retries: retries)
        let what = "the query for \(name) \(type)"
        switch response.header.rcode {
        case .noError, .nxDomain:
            return QueryResult(
                rcode: response.header.rcode, answers: response.answers, authority: response.authority,
                authoritative: response.header.authoritative, usedTCP: usedTCP)
        default:
            throw rcodeError(response.header.rcode, request: what, zone: name)
        }
    }

    /// Sends any message and returns the verified response and whether TCP was used. UDP
    /// first when the request fits 512 bytes, TCP when it is larger or the answer truncated.
    public func exchange(_ request: DNSMessage, key: TSIGKey?, retries: Int = 0) async throws(DNSError)
        -> (DNSMessage, usedTCP: Bool)
    {
        let signed = sign(request, key: key)
        let clock = ContinuousClock()
        let start = clock.now
        if signed.bytes.count <= 512 {
            var attempts = 0
            var truncated = false
            while !truncated && attempts <= retries {
                attempts += 1
                let reply: [UInt8]?
                do {
                    reply = try await transport.udp(signed.bytes)
                } catch {
                    throw mapTransportError(error)
                }
                guard let reply else { continue }
                let response = try verify(reply, request: request, key: key, requestMAC: signed.mac)
                guard response.header.truncated else { return (response, false) }
                truncated = true
            }
            if !truncated {
                throw .timeout(server: server, elapsed: clock.now - start, attempts: attempts)
            }
        }
        guard signed.bytes.count <= 65535 else { throw .messageTooLarge(size: signed.bytes.count) }
        var response: DNSMessage?
        let complete: Bool
        do {
            complete = try await transport.tcp(signed.bytes) { bytes in
                response = try verify(bytes, request: request, key: key, requestMAC: signed.mac)
                return true
            }
        } catch {
            throw mapTransportError(error)
        }
        guard complete, let response else {
            throw .timeout(server: server, elapsed: clock.now - start, attempts: 1)
        }
        return (response, true)
    }

    // MARK: Zone transfer

    /// Reads the whole zone by AXFR over TCP, verifying every signed message when `key` is
    /// given. REFUSED and NOTAUTH are thrown as ``DNSError/refused(server:request:)`` and
    /// ``DNSError/notAuth(server:zone:)`` so a caller can fall back to queries.
    public func transferZone(_ zone: DNSName, key: TSIGKey?) async throws(DNSError) -> ZoneTransfer {
        let request = DNSMessage(
            header: DNSHeader(id: UInt16.random(in: .min ... .max)), questions: [DNSQuestion(name: zone, type: .axfr)])
        let signed = sign(request, key: key)
        var verifier = key.map {
            TSIGStreamVerifier(signer: TSIGSigner(key: $0), requestMAC: signed.mac, server: server)
        }
        var collector = ZoneTransferCollector(zone: zone, server: server, limits: transferLimits)
        let clock = ContinuousClock()
        let start = clock.now
        let complete: Bool
        do {
            complete = try await transport.tcp(signed.bytes, deadline: transferLimits.deadline) { bytes in
                try collector.count(bytes: bytes.count)
                let message: DNSMessage
                if var active = verifier {
                    message = try active.verify(bytes)
                    verifier = active
                } else {
                    message = try decode(bytes)
                }
                try checkMatches(message, request: request)
                guard message.header.rcode == .noError else {
                    throw rcodeError(message.header.rcode, request: "the zone transfer of \(zone)", zone: zone)
                }
                return try collector.add(message)
            }
            try verifier?.finish()
        } catch is DNSTransport.DeadlineExpired {
            throw .transferLimitExceeded(
                server: server, zone: zone,
                limit: "its deadline of \(transferLimits.deadline.components.seconds) s (dns.limits.transfer-seconds)")
        } catch {
            throw mapTransportError(error)
        }
        guard complete else { throw .timeout(server: server, elapsed: clock.now - start, attempts: 1) }
        return try collector.result()
    }

    // MARK: Update

    /// Applies `changes` to `zone` by RFC 2136 UPDATE, packed into as few messages as fit
    /// (each with the prerequisites of its own changes), sent in order; stops at the first
    /// failure. Returns the number of messages sent. `beforeEach` is called with the index of
    /// each message just before it is sent.
    ///
    /// A message that gets no answer (timeout, connection broken) throws
    /// ``DNSError/updateUnanswered(server:zone:message:total:cause:)``: the server may have
    /// applied it and died before answering, so only a fresh read of the zone can tell.
    @discardableResult
    public func update(
        zone: DNSName, changes: [UpdateChange], key: TSIGKey?, beforeEach: (Int) -> Void = { _ in }
    ) async throws(DNSError) -> Int {
        let messages = try UpdateBatch.messages(zone: zone, changes: changes)
        for (index, var message) in messages.enumerated() {
            message.header.id = UInt16.random(in: .min ... .max)
            beforeEach(index)
            let response: DNSMessage
            do {
                (response, _) = try await exchange(message, key: key)
            } catch {
                switch error {
                case .timeout, .connectionFailed:
                    throw .updateUnanswered(
                        server: server, zone: zone, message: index + 1, total: messages.count, cause: error.description)
                default:
                    throw error
                }
            }
            switch response.header.rcode {
            case .noError: continue
            case .yxDomain, .yxRRset, .nxRRset, .nxDomain:
                throw .prerequisiteFailed(
                    server: server, zone: zone, rcode: response.header.rcode, applied: index, total: messages.count)
            default:
                throw rcodeError(response.header.rcode, request: "the update of zone \(zone)", zone: zone)
            }
        }
        return messages.count
    }

    // MARK: Helpers

    private func sign(_ request: DNSMessage, key: TSIGKey?) -> TSIGSigner.SignedRequest {
        if let key { return TSIGSigner(key: key).sign(request) }
        return TSIGSigner.SignedRequest(bytes: request.encode(), mac: [])
    }

    private func verify(_ bytes: [UInt8], request: DNSMessage, key: TSIGKey?, requestMAC: [UInt8]) throws(DNSError)
        -> DNSMessage
    {
        let response: DNSMessage
        if let key {
            response = try TSIGSigner(key: key).verifyResponse(bytes, requestMAC: requestMAC, server: server)
        } else {
            response = try decode(bytes)
        }
        try checkMatches(response, request: request)
        return response
    }

    private func decode(_ bytes: [UInt8]) throws(DNSError) -> DNSMessage {
        do {
            return try DNSMessage.decode(bytes)
        } catch {
            throw .malformedResponse(server: server, error)
        }
    }

    private func checkMatches(_ response: DNSMessage, request: DNSMessage) throws(DNSError) {
        guard response.header.isResponse else { throw .mismatchedResponse(server: server, reason: "QR bit not set") }
        guard response.header.id == request.header.id else {
            throw .mismatchedResponse(server: server, reason: "ID \(response.header.id), expected \(request.header.id)")
        }
        guard response.header.opcode == request.header.opcode else {
            throw .mismatchedResponse(server: server, reason: "opcode \(response.header.opcode)")
        }
        // Later AXFR messages may omit the question.
        if let asked = request.questions.first, let answered = response.questions.first,
            asked.name != answered.name || asked.type != answered.type
        {
            throw .mismatchedResponse(
                server: server, reason: "answers \(answered.name) \(answered.type), asked \(asked.name) \(asked.type)")
        }
    }

    private func rcodeError(_ rcode: DNSResponseCode, request: String, zone: DNSName) -> DNSError {
        switch rcode {
        case .refused: .refused(server: server, request: request)
        case .notAuth: .notAuth(server: server, zone: zone)
        case .servFail: .serverFailure(server: server, request: request)
        default: .unexpectedResponseCode(server: server, rcode: rcode, request: request)
        }
    }

    private func mapTransportError(_ error: any Error) -> DNSError {
        if let dns = error as? DNSError { return dns }
        return .connectionFailed(server: server, reason: Self.reason(error))
    }

    /// The system's words for a socket error (`Connection refused`), not NIO's wrapping of them.
    static func reason(_ error: any Error) -> String {
        if let io = error as? IOError {
            return String(cString: strerror(io.errnoCode)).lowercased() + " (is a DNS server listening there?)"
        }
        return "\(error)"
    }
}
