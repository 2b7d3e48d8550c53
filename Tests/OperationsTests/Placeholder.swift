import Testing

// Replaced by the operations tests.
@Test func placeholder() { #expect(Bool(true)) }
