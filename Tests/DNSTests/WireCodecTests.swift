import Testing

@testable import DNS

@Suite struct WireCodecTests {
    @Test func roundTripsEveryModelledType() throws {
        let message = WireSample.responseWithEveryType()
        let decoded = try DNSMessage.decode(message.encode())
        #expect(decoded == message)
    }

    @Test func roundTripsTSIGRecordAsLastAdditional() throws {
        var message = WireSample.responseWithEveryType()
        message.tsig = TSIGRecord(
            keyName: WireSample.name("key.example."), algorithm: TSIGAlgorithm.hmacSHA256.name,
            timeSigned: 1_700_000_000, fudge: 300, mac: Array(repeating: 7, count: 32), originalID: 0x1234)
        let bytes = message.encode()
        #expect(bytes[11] == UInt8(message.additional.count + 1))
        let decoded = try DNSMessage.decode(bytes)
        #expect(decoded.tsig == message.tsig)
        #expect(decoded == message)
    }

    @Test func compressesRepeatedNames() throws {
        let message = WireSample.responseWithEveryType()
        let bytes = message.encode()
        // The question name starts at 12; the first answer's owner is the same name, so it
        // must be a pointer to offset 12 right after the question (12 + 18 name + 4).
        let answerStart = 12 + WireSample.name("www.example.test.").wireLength + 4
        #expect(bytes[answerStart] == 0xC0 && bytes[answerStart + 1] == 12)
        let records = message.answers + message.authority + message.additional
        let uncompressed =
            12 + message.questions[0].name.wireLength + 4
            + records.reduce(0) { $0 + UpdateBatch.uncompressedSize($1) }
        #expect(bytes.count < uncompressed - 60)
    }

    @Test func namesCompareCaseInsensitivelyAfterDecoding() throws {
        var message = DNSMessage(header: DNSHeader(id: 1))
        message.questions = [DNSQuestion(name: WireSample.name("WWW.Example.TEST."), type: .a)]
        let decoded = try DNSMessage.decode(message.encode())
        #expect(decoded.questions[0].name == WireSample.name("www.example.test."))
        #expect(decoded.questions[0].name.labels[0] == Array("WWW".utf8))
    }

    @Test func decompressesNamesInsideMXRData() throws {
        // Header, question "a.test. MX IN", answer with owner pointer and MX exchange "mx" + pointer.
        let bytes: [UInt8] =
            [0, 1, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0]
            + [1, 97, 4, 116, 101, 115, 116, 0, 0, 15, 0, 1]
            + [0xC0, 12, 0, 15, 0, 1, 0, 0, 0, 60, 0, 7, 0, 10, 2, 109, 120, 0xC0, 12]
        let message = try DNSMessage.decode(bytes)
        #expect(message.answers[0].data == .opaque([0, 10, 2, 109, 120, 1, 97, 4, 116, 101, 115, 116, 0]))
    }

    @Test func rejectsCompressionLoop() {
        // Question name is a pointer to itself.
        let bytes: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1]
        #expect(throws: DNSWireError.badCompressionPointer(target: 12, offset: 12)) { try DNSMessage.decode(bytes) }
    }

    @Test func rejectsTwoPointerCycle() {
        // Label "a" then pointer to 16, where a pointer jumps back to 12: 12 -> 16 -> 12.
        let bytes: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 97, 0xC0, 16, 0xC0, 12, 0, 1, 0, 1]
        #expect(throws: DNSWireError.self) { try DNSMessage.decode(bytes) }
    }

    @Test func rejectsReservedLabelTypes() {
        let bytes: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 97, 0, 0, 1, 0, 1]
        #expect(throws: DNSWireError.unsupportedLabelType(byte: 0x40, offset: 12)) { try DNSMessage.decode(bytes) }
    }

    @Test func rejectsNamesOver255Bytes() {
        var bytes: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        for _ in 0..<5 { bytes += [63] + Array(repeating: 97, count: 63) }
        bytes += [0, 0, 1, 0, 1]
        #expect(throws: DNSWireError.nameTooLong(offset: 12)) { try DNSMessage.decode(bytes) }
    }

    @Test func rejectsCountsThatLie() {
        // Claims 65535 answers with nothing after the header.
        let bytes: [UInt8] = [0, 1, 0x80, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0]
        #expect(
            throws: DNSWireError.countExceedsMessage(section: "answer/authority/additional", count: 65535, offset: 12)
        ) {
            try DNSMessage.decode(bytes)
        }
    }

    @Test func rejectsTruncatedRData() {
        var bytes = WireSample.responseWithEveryType().encode()
        bytes.removeLast(2)
        #expect(throws: DNSWireError.self) { try DNSMessage.decode(bytes) }
    }

    @Test func rejectsWrongRDataLengthForA() {
        let bytes: [UInt8] =
            [0, 1, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0]
            + [1, 97, 0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 1, 2, 3, 4, 5]
        #expect(throws: DNSWireError.badRDataLength(type: .a, length: 5, offset: 25)) { try DNSMessage.decode(bytes) }
    }

    @Test func rejectsTrailingBytes() {
        let bytes = DNSMessage(header: DNSHeader(id: 9)).encode() + [0]
        #expect(throws: DNSWireError.trailingBytes(count: 1, offset: 12)) { try DNSMessage.decode(bytes) }
    }

    @Test func rejectsTSIGBeforeOtherRecords() throws {
        var message = DNSMessage(header: DNSHeader(id: 3))
        message.tsig = TSIGRecord(
            keyName: WireSample.name("k."), algorithm: TSIGAlgorithm.hmacSHA256.name, timeSigned: 1, fudge: 300,
            mac: [1], originalID: 3)
        var bytes = message.encode()
        // Append an A record after the TSIG and count it.
        bytes += [0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4]
        bytes[11] = 2
        #expect(throws: DNSWireError.misplacedTSIG(offset: 12)) { try DNSMessage.decode(bytes) }
    }

    @Test func acceptsEmptyRDataOnlyForUpdateClasses() throws {
        let any: [UInt8] = [0, 1, 0x28, 0, 0, 0, 0, 0, 0, 1, 0, 0] + [1, 97, 0, 0, 1, 0, 255, 0, 0, 0, 0, 0, 0]
        let decoded = try DNSMessage.decode(any)
        #expect(decoded.authority[0].data == .opaque([]))
        var inClass = any
        inClass[18] = 1
        #expect(throws: DNSWireError.badRDataLength(type: .a, length: 0, offset: 25)) { try DNSMessage.decode(inClass) }
    }

    @Test func errorsNameTheOffset() {
        let error = DNSWireError.badCompressionPointer(target: 40, offset: 12)
        #expect(error.description.contains("byte 12") && error.description.contains("byte 40"))
    }
}
