using Mesh.Hbone;

namespace Mesh.Node.Hosting;

/// <summary>ztunnel settings, bound from the "Mesh:Node" configuration section. Ports are Istio's.</summary>
public sealed class NodeOptions
{
    public const string Section = "Mesh:Node";

    /// <summary>The node agent's ZDS socket; without it the ztunnel captures nothing (no pods are handed over).</summary>
    public string? ZdsSocket { get; set; }

    /// <summary>
    /// File where the node's last known state is kept, so a restarted ztunnel serves at once (optional;
    /// local mode sets it in the state directory).
    /// </summary>
    public string? StateCache { get; set; }

    /// <summary>Directory keeping this node's SVIDs and keys (0600) across restarts; off when unset.</summary>
    public string? CertificateCache { get; set; }

    /// <summary>SOCKS5 port on <see cref="Socks5Bind"/> (Istio uses 15080); 0 = off.</summary>
    public int Socks5Port { get; set; }

    public string Socks5Bind { get; set; } = "127.0.0.1";

    public int OutboundPort { get; set; } = 15001;
    public int InboundPlaintextPort { get; set; } = 15006;
    public int InboundHbonePort { get; set; } = 15008;
    public int DnsPort { get; set; } = 15053;

    /// <summary>How long a connection to a destination may take before the client is closed.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an outbound connection waits for a remote address lookup through the control plane.</summary>
    public TimeSpan LookupTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long ZDS waits for one pod's enrolment (listeners, rules) before asking again (3 attempts, then an error ack).</summary>
    public TimeSpan EnrollTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an HBONE handshake waits for a workload's first certificate from the CA.</summary>
    public TimeSpan CertificateTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The mesh's root namespace: its AuthorizationPolicies without a selector apply mesh-wide. Must equal the control
    /// plane's <c>Mesh:Control:RootNamespace</c> (both default to Istio's <c>istio-system</c>).
    /// </summary>
    public string RootNamespace { get; set; } = "istio-system";

    /// <summary>HBONE client pool and server tunables (<c>Mesh:Node:Hbone:*</c>).</summary>
    public HboneOptions Hbone { get; set; } = new();
}
