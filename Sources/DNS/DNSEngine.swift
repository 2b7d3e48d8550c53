/// The DNS engine: wire codec, TSIG, transport, AXFR, UPDATE, zone files (DESIGN §5).
public enum DNSEngine {}
