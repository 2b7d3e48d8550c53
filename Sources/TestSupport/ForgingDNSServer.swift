import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A DNS server that misbehaves on purpose, for the no-downgrade tests: what an attacker on
/// the path to the real server would answer. A real process on 127.0.0.1 (UDP and TCP on one
/// high port), written for the test. It answers every zone transfer with an unsigned REFUSED
/// (as PowerDNS does for a wrong key, and as anyone can forge), every UPDATE with an unsigned
/// REFUSED, and every query with a forged, unsigned, authoritative answer: the SOA, and
/// `forgedA` for any A question, no AAAA at all. It logs each request's opcode and type.
public final class ForgingDNSServer: @unchecked Sendable {
    public let port: UInt16
    let server: ServerProcess
    let directory: TemporaryDirectory

    static let script = #"""
        import socket, struct, sys, threading
        port, log_path, forged_a = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        log = open(log_path, "a", buffering=1)
        def question(msg):
            off = 12
            while msg[off] != 0:
                off += msg[off] + 1
            off += 1
            return msg[12:off + 4], struct.unpack(">H", msg[off:off + 2])[0]
        def header(req, rcode, aa, answers):
            opcode = (struct.unpack(">H", req[2:4])[0] >> 11) & 0xF
            flags = 0x8000 | (opcode << 11) | (0x0400 if aa else 0) | rcode
            return req[0:2] + struct.pack(">HHHHH", flags, 1, answers, 0, 0)
        def answer(req, tcp):
            q, qtype = question(req)
            opcode = (struct.unpack(">H", req[2:4])[0] >> 11) & 0xF
            log.write("%s opcode %d type %d\n" % ("tcp" if tcp else "udp", opcode, qtype))
            if opcode != 0 or qtype == 252:
                return header(req, 5, False, 0) + q
            records = []
            if qtype == 6:
                rdata = b"\x03ns1\xc0\x0c\x0ahostmaster\xc0\x0c" + struct.pack(">IIIII", 2026120199, 3600, 900, 1209600, 300)
                records.append(b"\xc0\x0c" + struct.pack(">HHIH", 6, 1, 300, len(rdata)) + rdata)
            elif qtype == 1:
                records.append(b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 300, 4) + socket.inet_aton(forged_a))
            return header(req, 0, True, len(records)) + q + b"".join(records)
        def serve_udp(sock):
            while True:
                data, peer = sock.recvfrom(65535)
                try:
                    sock.sendto(answer(data, False), peer)
                except Exception as error:
                    log.write("udp error %r\n" % (error,))
        def serve_tcp_client(conn):
            with conn:
                while True:
                    head = conn.recv(2)
                    if len(head) < 2:
                        return
                    length = struct.unpack(">H", head)[0]
                    data = b""
                    while len(data) < length:
                        chunk = conn.recv(length - len(data))
                        if not chunk:
                            return
                        data += chunk
                    reply = answer(data, True)
                    conn.sendall(struct.pack(">H", len(reply)) + reply)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", port))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind(("127.0.0.1", port))
        tcp.listen(16)
        threading.Thread(target=serve_udp, args=(udp,), daemon=True).start()
        log.write("ready\n")
        while True:
            conn, _ = tcp.accept()
            threading.Thread(target=serve_tcp_client, args=(conn,), daemon=True).start()
        """#

    /// Starts the forger on a free loopback port; returns once it listens.
    public init(forgedA: String = "127.0.0.1") throws {
        directory = try TemporaryDirectory(prefix: "reconcile-forger")
        let script = try directory.write("forger.py", Self.script)
        let python = try ServerBinary.require("python3")
        let log = directory.path + "/requests.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        port = LoopbackPort.free()
        server = try ServerProcess(
            executable: python, arguments: [script.path, String(port), log, forgedA],
            logPath: directory.path + "/stderr.log")
        let requests = directory.path + "/requests.log"
        guard server.waitUntil(timeout: 10, { Self.read(requests).contains("ready") }) else {
            server.stop()
            throw ServerStartFailure(server: "the forging DNS server", log: server.log)
        }
    }

    /// One line per request: `tcp opcode 0 type 252` (an AXFR), `udp opcode 5 ...` (an UPDATE).
    public var requests: String { Self.read(directory.path + "/requests.log") }

    static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    public func stop() { server.stop(grace: 2) }
}
