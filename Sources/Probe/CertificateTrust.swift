import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Why a certificate the handshake refused is not trusted, told from the certificate itself:
/// the prober fetches it once more without verification (only after a failed verification) to
/// say "expired", "self-signed" or "issued by an unknown CA" instead of BoringSSL's code.
enum CertificateTrust {
    /// `CN=example.social, O=Example`: the names an operator recognises, in order.
    static func text(_ names: [SSLCertificateName]) -> String {
        let shown = names.compactMap { name -> String? in
            switch name.type {
            case .commonName: "CN=\(name.value)"
            case .organization: "O=\(name.value)"
            default: nil
            }
        }
        return shown.isEmpty ? "no subject name" : shown.joined(separator: ", ")
    }

    /// The operator's reason, from the leaf certificate the server sent.
    static func reason(_ certificate: NIOSSLCertificate, now: Date = Date()) -> String {
        let subject = text(certificate.subjectName)
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        let notAfter = Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter))
        let notBefore = Date(timeIntervalSince1970: TimeInterval(certificate.notValidBefore))
        if notAfter < now { return "certificate expired on \(day.string(from: notAfter)) (\(subject))" }
        if notBefore > now { return "certificate not valid before \(day.string(from: notBefore)) (\(subject))" }
        if certificate.subjectName == certificate.issuerName {
            return "certificate is self-signed (\(subject)) and not trusted; a private CA is given with --ca-file"
        }
        return
            "certificate issued by \(text(certificate.issuerName)), which is not trusted (\(subject)); a private CA is given with --ca-file"
    }

    /// The server's leaf certificate for `serverName` at `address`, without verifying it; nil
    /// when no handshake completes within `timeout`.
    static func fetch(address: SocketAddress, serverName: String, timeout: TimeAmount) async -> NIOSSLCertificate? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        guard let context = try? NIOSSLContext(configuration: configuration) else { return nil }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = loop.makePromise(of: NIOSSLCertificate?.self)
        let timer = loop.scheduleTask(in: timeout) { promise.succeed(nil) }
        let connect = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        NIOSSLClientHandler(context: context, serverHostname: serverName))
                    try channel.pipeline.syncOperations.addHandler(Grabber(promise: promise, serverName: serverName))
                }
            }
            .connect(to: address)
        connect.whenFailure { _ in promise.succeed(nil) }
        promise.futureResult.whenComplete { _ in
            timer.cancel()
            connect.whenSuccess { $0.close(promise: nil) }
        }
        return try? await promise.futureResult.get()
    }

    /// Completes with the peer certificate once the handshake is done: NIOSSL holds written
    /// data until then, so the write completing is that moment (as in ``RequestHandler``).
    final class Grabber: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let promise: EventLoopPromise<NIOSSLCertificate?>
        let serverName: String

        init(promise: EventLoopPromise<NIOSSLCertificate?>, serverName: String) {
            self.promise = promise
            self.serverName = serverName
        }

        func channelActive(context: ChannelHandlerContext) {
            let request = "HEAD / HTTP/1.1\r\nHost: \(serverName)\r\nConnection: close\r\n\r\n"
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: request)), promise: written)
            written.futureResult.assumeIsolated().whenComplete { _ in
                let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
                self.promise.succeed(tls?.peerCertificate)
            }
            context.fireChannelActive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) { promise.succeed(nil) }
        func channelInactive(context: ChannelHandlerContext) { promise.succeed(nil) }
    }
}
