import NIOCore
import NIOPosix

/// One request/response (or request/response stream) over UDP or TCP with SwiftNIO, on the
/// shared event loop group. Knows nothing about DNS semantics beyond framing and IDs.
struct DNSTransport: Sendable {
    let server: DNSServerAddress
    let timeout: Duration

    /// Sends `request` over UDP and returns the first datagram whose ID matches, or nil when
    /// none came within the timeout.
    func udp(_ request: [UInt8]) async throws -> [UInt8]? {
        let remote = try server.socketAddress()
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(to: remote) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(
                        wrappingChannelSynchronously: channel)
                }
            }
        let timer = IdleTimer(channel: channel.channel, timeout: timeout)
        return try await channel.executeThenClose { inbound, outbound in
            timer.arm()
            defer { timer.disarm() }
            do {
                try await outbound.write(AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: request)))
                for try await envelope in inbound {
                    let bytes = Array(envelope.data.readableBytesView)
                    // Stray or late datagrams of earlier attempts carry other IDs.
                    if bytes.count >= 2 && bytes[0] == request[0] && bytes[1] == request[1] { return bytes }
                }
            } catch  where timer.fired {
                return nil
            }
            return nil
        }
    }

    /// The overall deadline of a TCP exchange passed while messages were still arriving.
    struct DeadlineExpired: Error {}

    /// Sends `request` over TCP and hands each response message to `receive` until it returns
    /// true. Returns false when the timeout (between messages) expired first; throws
    /// ``DeadlineExpired`` when `deadline` (for the whole exchange) passed first.
    func tcp(_ request: [UInt8], deadline: Duration? = nil, receive: ([UInt8]) throws -> Bool) async throws -> Bool {
        guard request.count <= Int(UInt16.max) else { throw DNSError.messageTooLarge(size: request.count) }
        let remote = try server.socketAddress()
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(TimeAmount(timeout))
                .connect(to: remote) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(LengthPrefixedFrameDecoder()))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch ChannelError.connectTimeout {
            return false
        }
        let timer = IdleTimer(channel: channel.channel, timeout: timeout)
        return try await channel.executeThenClose { inbound, outbound in
            timer.arm()
            if let deadline { timer.armDeadline(after: deadline) }
            defer { timer.disarm() }
            do {
                var framed = ByteBuffer()
                framed.writeInteger(UInt16(request.count))
                framed.writeBytes(request)
                try await outbound.write(framed)
                for try await frame in inbound {
                    if timer.deadlineFired { throw DeadlineExpired() }
                    timer.arm()
                    if try receive(Array(frame.readableBytesView)) { return true }
                }
            } catch  where timer.fired {
                if timer.deadlineFired { throw DeadlineExpired() }
                return false
            }
            if timer.deadlineFired { throw DeadlineExpired() }
            if timer.fired { return false }
            throw DNSError.connectionFailed(
                server: server, reason: "the server closed the connection before the response was complete")
        }
    }
}
