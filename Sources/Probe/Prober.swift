import BoundedTasks
import NIOCore
import NIOPosix
import NIOSSL

/// Probes vhosts the way a client would (DESIGN §8): TCP connect, on TLS ports a handshake with
/// SNI and a check that the certificate is trusted and covers the name, then `GET /` with the
/// `Host` header. Any HTTP status but `400 Bad Request` counts as reachable.
///
/// `timeout` bounds each target's whole exchange, and up to `concurrency` targets are in flight
/// at once, so a run takes at most `ceil(targets / concurrency) × timeout`: with the default
/// concurrency every realistic host finishes within one timeout, however many vhosts are down.
public struct Prober: Sendable {
    /// Bound on one target's whole exchange: connect, handshake, request and status line.
    public var timeout: Duration
    /// How many targets are probed at once (at least 1).
    public var concurrency: Int
    /// PEM file of the CAs to trust instead of the system store (a private CA); nil: system.
    public var caFile: String?

    /// A prober; nothing is opened until ``probe(_:)``.
    public init(timeout: Duration = .seconds(5), concurrency: Int = 64, caFile: String? = nil) {
        self.timeout = timeout
        self.concurrency = max(1, concurrency)
        self.caFile = caFile
    }

    /// Probes every target; the results are in the order of `targets`.
    public func probe(_ targets: [ProbeTarget]) async -> [ProbeResult] {
        guard !targets.isEmpty else { return [] }
        let tls = targets.contains(where: \.tls) ? makeTLSContext() : nil
        return await BoundedTasks.map(targets, concurrency: concurrency) { target in
            await probeOne(target, tls: tls)
        }
    }

    /// Why `path` cannot serve as a trust store, or nil when it holds PEM certificates. A file
    /// that is not PEM would otherwise fail every TLS probe with BoringSSL's bare error codes.
    public static func unusableCAFile(_ path: String) -> String? {
        guard let certificates = try? NIOSSLCertificate.fromPEMFile(path), !certificates.isEmpty else {
            return
                "the CA file \(path) given with --ca-file holds no PEM certificate (-----BEGIN CERTIFICATE-----); convert a DER file with `openssl x509 -inform der -in \(path) -out ca.pem`"
        }
        return nil
    }

    /// One TLS context for the whole run; chain verification is BoringSSL's, the host name
    /// check is ours so a mismatch can say which names the certificate does cover.
    func makeTLSContext() -> Result<NIOSSLContext, ProbeFailure> {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .noHostnameVerification
        if let caFile { configuration.trustRoots = .file(caFile) }
        do {
            return .success(try NIOSSLContext(configuration: configuration))
        } catch {
            return .failure(.trustStoreUnusable(path: caFile ?? "(system store)", reason: "\(error)"))
        }
    }

    func probeOne(_ target: ProbeTarget, tls: Result<NIOSSLContext, ProbeFailure>?) async -> ProbeResult {
        let clock = ContinuousClock()
        let started = clock.now
        let context: NIOSSLContext?
        switch (target.tls, tls) {
        case (true, .success(let made)): context = made
        case (true, .failure(let failure)): return ProbeResult(target: target, outcome: .failed(failure))
        default: context = nil
        }
        guard let address = try? SocketAddress(ipAddress: target.address, port: Int(target.port)) else {
            return ProbeResult(target: target, outcome: .failed(.invalidAddress(target.address)))
        }
        do {
            let response = try await exchange(target, address: address, tls: context).get()
            // A 400 to a plain, well-formed GET is no site for any client (DESIGN §8).
            if response.status == 400 {
                return ProbeResult(target: target, outcome: .failed(.badRequest(overTLS: target.tls)))
            }
            var result = ProbeResult(
                target: target, outcome: .ok(status: response.status, elapsed: clock.now - started))
            result.response = response
            return result
        } catch let failure as ProbeFailure {
            return ProbeResult(
                target: target, outcome: .failed(await refined(failure, target: target, address: address)))
        } catch {
            return ProbeResult(
                target: target,
                outcome: .failed(ProbeFailure(channelError: error, stage: .connecting, timeout: timeout)))
        }
    }

    /// An untrusted chain said the operator's way: the certificate is fetched again without
    /// verification to tell expired, self-signed and unknown issuer apart.
    func refined(_ failure: ProbeFailure, target: ProbeTarget, address: SocketAddress) async -> ProbeFailure {
        guard case .tlsHandshakeFailed(let reason) = failure, reason.hasPrefix("certificate not trusted"),
            let certificate = await CertificateTrust.fetch(
                address: address, serverName: target.vhost, timeout: .seconds(Int64(max(1, timeout.components.seconds)))
            )
        else { return failure }
        return .tlsHandshakeFailed(CertificateTrust.reason(certificate))
    }

    /// Connects and runs ``RequestHandler``; the future fails with a ``ProbeFailure``.
    func exchange(_ target: ProbeTarget, address: SocketAddress, tls: NIOSSLContext?) -> EventLoopFuture<ProbeResponse>
    {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = loop.makePromise(of: ProbeResponse.self)
        let stage = ProbeStageBox()
        let timeout = self.timeout
        let limit = TimeAmount.nanoseconds(
            timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        let timer = loop.scheduleTask(in: limit) {
            promise.fail(ProbeFailure.timedOut(after: timeout, stage: stage.value))
        }
        let connect = ClientBootstrap(group: loop)
            .connectTimeout(limit)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let handler = try NIOSSLClientHandler(context: tls, serverHostname: target.vhost)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        RequestHandler(target: target, stage: stage, timeout: timeout, promise: promise))
                }
            }
            .connect(to: address)
        connect.whenFailure { error in
            promise.fail(ProbeFailure(channelError: error, stage: stage.value, timeout: timeout))
        }
        promise.futureResult.whenComplete { _ in
            timer.cancel()
            // A connect still pending when the timer fired is closed as soon as it completes.
            connect.whenSuccess { $0.close(promise: nil) }
        }
        return promise.futureResult
    }
}
