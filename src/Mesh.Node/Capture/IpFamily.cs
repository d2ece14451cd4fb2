namespace Mesh.Node.Capture;

/// <summary>The per-family tool names and addresses <see cref="InPodRules"/> needs.</summary>
internal sealed record IpFamily(bool IsV6, string Save, string Restore, string Iptables, string IpFlag, string Loopback, string AnyLocal, string NftFamily)
{
    public static readonly IpFamily V4 = new(false, "iptables-save", "iptables-restore", "iptables", "-4", "127.0.0.1/32", "0.0.0.0/0", "ip");
    public static readonly IpFamily V6 = new(true, "ip6tables-save", "ip6tables-restore", "ip6tables", "-6", "::1/128", "::/0", "ip6");
}
