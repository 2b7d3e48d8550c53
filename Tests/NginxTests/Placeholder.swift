import Testing
@testable import Nginx

// Replaced by the Nginx engine's real tests.
@Test func placeholder() { #expect(Bool(true)) }
