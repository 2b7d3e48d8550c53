/// Reachability probes over each address family (DESIGN §8).
public enum ProbeEngine {}
