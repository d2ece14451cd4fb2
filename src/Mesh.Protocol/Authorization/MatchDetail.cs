using System.Globalization;
using Mesh.Protocol.Model;

namespace Mesh.Protocol.Authz;

/// <summary>Human-readable reasons for a failed <see cref="MatchField"/> (explain mode only; allocates freely).</summary>
internal static class MatchDetail
{
    public static string Describe(Match m, MatchField field, in AuthorizationRequest r) => field switch
    {
        MatchField.Empty => "alternative has no constraints and never matches",
        MatchField.DestinationIps => $"destination {r.DestinationIp} not in destinationIps {Ips(m.DestinationIps)}",
        MatchField.NotDestinationIps => $"destination {r.DestinationIp} is in notDestinationIps {Ips(m.NotDestinationIps)}",
        MatchField.SourceIps => $"source {r.SourceIp} not in sourceIps {Ips(m.SourceIps)}",
        MatchField.NotSourceIps => $"source {r.SourceIp} is in notSourceIps {Ips(m.NotSourceIps)}",
        MatchField.DestinationPorts => $"port {Port(r)} not in destinationPorts {Ports(m.DestinationPorts)}",
        MatchField.NotDestinationPorts => $"port {Port(r)} is in notDestinationPorts {Ports(m.NotDestinationPorts)}",
        MatchField.ServiceAccounts => r.Source is { } id
            ? $"service account {id.Namespace}/{id.ServiceAccount} not in serviceAccounts {Accounts(m.ServiceAccounts)}"
            : $"plaintext source has no service account (serviceAccounts {Accounts(m.ServiceAccounts)})",
        MatchField.NotServiceAccounts => $"service account {r.Source?.Namespace}/{r.Source?.ServiceAccount} is in notServiceAccounts {Accounts(m.NotServiceAccounts)}",
        MatchField.Principals => r.Principal is { } p
            ? $"principal {p} not in principals {Strings(m.Principals)}"
            : $"plaintext source has no principal (principals {Strings(m.Principals)})",
        MatchField.NotPrincipals => $"principal {r.Principal} matches notPrincipals {Strings(m.NotPrincipals)}",
        MatchField.Namespaces => r.SourceNamespace is { } ns
            ? $"source namespace {ns} not in namespaces {Strings(m.Namespaces)}"
            : $"plaintext source has no namespace (namespaces {Strings(m.Namespaces)})",
        MatchField.NotNamespaces => $"source namespace {r.SourceNamespace} matches notNamespaces {Strings(m.NotNamespaces)}",
        _ => "matched",
    };

    private static string Port(in AuthorizationRequest r) => r.DestinationPort.ToString(CultureInfo.InvariantCulture);
    private static string Ips(ValueList<IpBlock> blocks) => List(blocks.Select(b => b.ToString()));
    private static string Ports(ValueList<int> ports) => List(ports.Select(p => p.ToString(CultureInfo.InvariantCulture)));
    private static string Strings(ValueList<StringMatch> patterns) => List(patterns.Select(p => p.ToString()));
    private static string Accounts(ValueList<ServiceAccountMatch> accounts) => List(accounts.Select(a => $"{a.Namespace}/{a.ServiceAccount}"));
    private static string List(IEnumerable<string> items) => "[" + string.Join(", ", items) + "]";
}
