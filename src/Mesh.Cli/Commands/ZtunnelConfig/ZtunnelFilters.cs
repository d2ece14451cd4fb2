using System.CommandLine;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Model;

namespace Mesh.Cli.Commands.ZtunnelConfig;

/// <summary>
/// istioctl's <c>zc</c> filters: <c>--node</c> (workloads on that node; services with an endpoint there; connections
/// only when the queried ztunnel is that node), <c>--workload-namespace</c> (the workload's, service's, policy's or
/// connection's namespace) and <c>--address</c> (a workload address, a service VIP, or either end of a connection).
/// Empty filters match everything. In local mode <c>--node</c> also picks which node's ztunnel is asked
/// (<see cref="ZtunnelTargetOptions"/>), as istioctl's <c>--node</c> picks the ztunnel pod on that node.
/// </summary>
public sealed record ZtunnelFilters(string? Node, string? Namespace, string? Address)
{
    public IReadOnlyList<Workload> Workloads(NodeStateView state) => state.Slice.Workloads
        .Where(w => (Node is null || w.Node == Node) && (Namespace is null || w.Namespace == Namespace)
                    && (Address is null || w.Addresses.Contains(Address)))
        .OrderBy(w => w.Namespace, StringComparer.Ordinal).ThenBy(w => w.Name, StringComparer.Ordinal).ToList();

    public IReadOnlyList<Service> Services(NodeStateView state) => state.Slice.Services
        .Where(s => (Namespace is null || s.Namespace == Namespace) && (Address is null || s.Addresses.Contains(Address))
                    && (Node is null || state.Slice.Workloads.Any(w => w.Node == Node && w.Services.Any(b => b.ServiceKey == s.Key))))
        .OrderBy(s => s.Namespace, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();

    public IReadOnlyList<Authorization> Policies(NodeStateView state) => state.Slice.Policies
        .Where(p => Namespace is null || p.Namespace == Namespace)
        .OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();

    public IReadOnlyList<ConnectionView> Connections(IEnumerable<ConnectionView> connections, string? queriedNode) => connections
        .Where(c => (Node is null || Node == queriedNode) && (Namespace is null || c.Namespace == Namespace)
                    && (Address is null || Host(c.Local) == Address || Host(c.Remote) == Address || Host(c.RemoteTarget) == Address))
        .ToList();

    /// <summary>The IP of "ip:port" or "[v6]:port".</summary>
    private static string Host(string endpoint) =>
        System.Net.IPEndPoint.TryParse(endpoint, out var parsed) ? parsed.Address.ToString() : endpoint;
}

/// <summary>The filter options, added once to the <c>zc</c> command (recursive, so every view accepts them).</summary>
public sealed class ZtunnelFilterOptions
{
    public Option<string?> Node { get; } = new("--node")
    {
        Description = "Local mesh: ask only this node's ztunnel. With HOST:PORT: only workloads on this node (services with an " +
                      "endpoint there; connections only if the endpoint is this node's ztunnel)",
        HelpName = "NODE",
        Recursive = true,
    };

    public Option<string?> Namespace { get; } = new("--workload-namespace")
    {
        Description = "Only this namespace", HelpName = "NAMESPACE", Recursive = true,
    };

    public Option<string?> Address { get; } = new("--address")
    {
        Description = "Only entries with this IP address", HelpName = "IP", Recursive = true,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Node);
        command.Options.Add(Namespace);
        command.Options.Add(Address);
    }

    public ZtunnelFilters Read(ParseResult parse) =>
        new(Blank(parse.GetValue(Node)), Blank(parse.GetValue(Namespace)), Blank(parse.GetValue(Address)));

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
