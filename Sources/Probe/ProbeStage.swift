/// How far a probe got: a timeout says which step never finished.
public enum ProbeStage: String, Sendable, Hashable {
    case connecting = "connecting"
    case tlsHandshake = "TLS handshake"
    case awaitingResponse = "waiting for the HTTP response"
}
