using System.Globalization;
using Mesh.Cli.Local;
using Mesh.Cli.Output;

namespace Mesh.Cli.Commands.Local;

/// <summary>Table rendering of <see cref="LocalStatus"/> (members, pods, services).</summary>
internal static class LocalStatusView
{
    public static void Render(TextWriter output, LocalStatus status)
    {
        output.WriteLine($"Local mesh ({status.Mode}), state {status.StateDir}, manifests {status.Manifests}, control {status.ControlEndpoint}");
        output.WriteLine();
        var members = new TableWriter().Row("MEMBER", "ROLE", "PID", "CLUSTER", "RESTARTS", "PORTS");
        foreach (var m in status.Members)
            members.Row(m.Name, m.Role, m.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-", m.Cluster, Number(m.Restarts),
                $"command {Number(m.AdminPort)}" + (m.Ztunnel is { } z ? $", {z}" : ""));
        members.WriteTo(output);
        output.WriteLine();

        if (status.Pods.Count == 0) output.WriteLine("No pods.");
        else
        {
            var pods = new TableWriter().Row("NAMESPACE", "NAME", "IP", "NODE", "AMBIENT", "READY", "STATUS");
            foreach (var p in status.Pods)
                pods.Row(p.Namespace, p.Name, p.Ip, p.Node, p.Ambient ? "yes" : "no", p.Ready ? "yes" : p.Failed ? "FAILED" : "no", p.Message);
            pods.WriteTo(output);
        }
        output.WriteLine();

        if (status.Services.Count == 0) output.WriteLine("No services.");
        else
        {
            var services = new TableWriter().Row("NAMESPACE", "NAME", "VIP", "PORTS", "ENDPOINTS");
            foreach (var s in status.Services)
                services.Row(s.Namespace, s.Name, s.Vip, string.Join(',', s.Ports.Select(Number)), s.Endpoints.Count == 0 ? "<none>" : string.Join(',', s.Endpoints));
            services.WriteTo(output);
        }
    }

    /// <summary>What <c>up</c> prints once the mesh is ready.</summary>
    public static void Summary(TextWriter output, LocalStatus status)
    {
        Render(output, status);
        output.WriteLine();
        if (status.ManifestErrors > 0)
            output.WriteLine($"{Number(status.ManifestErrors)} manifest error(s): see 'meshctl local status' (the last good state is in force)");
        if (TryLine(status) is { } hint) output.WriteLine(hint);
    }

    /// <summary>A command to try against this mesh's own pods and services (not the quickstart's names).</summary>
    internal static string? TryLine(LocalStatus status)
    {
        var service = status.Services.FirstOrDefault(s => s.Endpoints.Count > 0 && s.Ports.Count > 0);
        if (service is null) return null;
        var port = Number(service.Ports[0]);
        if (status.Mode != LocalStatus.NetnsMode)
            return status.SocksEndpoint is { } socks
                ? $"try: curl -s --socks5-hostname {socks} http://{service.Name}.{service.Namespace}:{port}/   (loopback mode: no capture without root; the ztunnel's SOCKS5)"
                : $"try: curl -s http://{service.Endpoints[0]}:{port}/   (loopback mode: pods are reached by IP; no capture without root)";
        var client = status.Pods
            .Where(p => p.Ready && !service.Endpoints.Contains(p.Ip))
            .OrderByDescending(p => p.Namespace == service.Namespace)
            .FirstOrDefault();
        if (client is null) return null;
        return $"try: meshctl local exec -n {client.Namespace} {client.Name} -- curl -s http://{service.Name}.{service.Namespace}:{port}/";
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
