import NIOSSL

extension CertificateNames {
    /// The names of a certificate received in a handshake.
    init(certificate: NIOSSLCertificate) {
        let dnsNames = certificate._subjectAlternativeNames()
            .filter { $0.nameType == .dnsName }
            .map { String(decoding: $0.contents, as: UTF8.self) }
        let commonName = certificate.subjectName.first { $0.type == .commonName }?.value
        self.init(dnsNames: dnsNames, commonName: commonName)
    }
}
