import NIOCore
import NIOSSL

/// Drives one probe connection once TCP is up: waits for the TLS handshake (when there is
/// one) and checks the certificate's names, sends `GET /`, and completes `promise` with what
/// came back (status, `Location`, certificate, a digest of the body's first 64 KiB) or a
/// ``ProbeFailure``. The promise may already have been failed by the timeout; completing it
/// again is ignored by NIO.
final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let target: ProbeTarget
    private let stage: ProbeStageBox
    private let timeout: Duration
    private let promise: EventLoopPromise<ProbeResponse>
    private var received: [UInt8] = []
    private var finished = false
    private var certificateChecked = false
    private var certificateSubject: String?
    private var certificateIssuer: String?

    init(target: ProbeTarget, stage: ProbeStageBox, timeout: Duration, promise: EventLoopPromise<ProbeResponse>) {
        self.target = target
        self.timeout = timeout
        self.stage = stage
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        stage.value = target.tls ? .tlsHandshake : .awaitingResponse
        sendRequest(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        if let mismatch = checkCertificateOnce(context: context) {
            finish(context: context, .failure(mismatch))
            return
        }
        let buffer = unwrapInboundIn(data)
        // Head and the compared part of the body; the rest is not read.
        let room = ProbeResponse.comparedBodyBytes + 65536 - received.count
        received.append(contentsOf: buffer.readableBytesView.prefix(max(0, room)))
        switch HTTPStatusLine.parse(received) {
        case .incomplete: break
        case .status:
            if ProbeResponse.isComplete(received) || room <= 0, let response = response() {
                finish(context: context, .success(response))
            }
        case .notHTTP(let reason): finish(context: context, .failure(.noResponse(reason)))
        }
    }

    private func response() -> ProbeResponse? {
        ProbeResponse.parse(received, certificateSubject: certificateSubject, certificateIssuer: certificateIssuer)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // `Connection: close`: the end of the body is the end of the connection.
        if case .status = HTTPStatusLine.parse(received), let response = response() {
            finish(context: context, .success(response))
            context.fireChannelInactive()
            return
        }
        let reason =
            stage.value == .tlsHandshake
            ? ProbeFailure.tlsHandshakeFailed("connection closed during the handshake")
            : ProbeFailure.noResponse("connection closed before a status line")
        finish(context: context, .failure(reason))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(context: context, .failure(ProbeFailure(channelError: error, stage: stage.value, timeout: timeout)))
    }

    /// Writes the request at once. NIOSSL holds application data until the handshake is done,
    /// so the write completing is the moment the handshake finished: the certificate's names
    /// are checked then, before any response is read.
    private func sendRequest(context: ChannelHandlerContext) {
        let request =
            "GET / HTTP/1.1\r\nHost: \(target.hostHeader)\r\nUser-Agent: reconcile-probe\r\n"
            + "Accept: */*\r\nConnection: close\r\n\r\n"
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: request)), promise: written)
        written.futureResult.assumeIsolated().whenSuccess {
            self.stage.value = .awaitingResponse
            if let mismatch = self.checkCertificateOnce(context: context) {
                self.finish(context: context, .failure(mismatch))
            }
        }
    }

    private func checkCertificateOnce(context: ChannelHandlerContext) -> ProbeFailure? {
        guard target.tls, !certificateChecked else { return nil }
        certificateChecked = true
        return certificateMismatch(context: context)
    }

    private func certificateMismatch(context: ChannelHandlerContext) -> ProbeFailure? {
        guard let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self),
            let certificate = tls.peerCertificate
        else {
            return .tlsHandshakeFailed("the server sent no certificate")
        }
        certificateSubject = CertificateTrust.text(certificate.subjectName)
        certificateIssuer = CertificateTrust.text(certificate.issuerName)
        let names = CertificateNames(certificate: certificate)
        return names.covers(target.vhost)
            ? nil : .certificateNameMismatch(name: target.vhost, covers: names.effectiveNames)
    }

    private func finish(context: ChannelHandlerContext, _ result: Result<ProbeResponse, ProbeFailure>) {
        guard !finished else { return }
        finished = true
        switch result {
        case .success(let response): promise.succeed(response)
        case .failure(let failure): promise.fail(failure)
        }
        context.close(promise: nil)
    }
}
