using System.Globalization;
using System.Net;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Identity;
using Mesh.Protocol.Model;

namespace Mesh.Cli.Commands.Authz;

/// <summary>
/// Turns <c>--from</c>/<c>--to</c> text into the connection(s) to check, against one mesh state. Every problem is a
/// <see cref="UsageException"/> that names the flag and what was wrong.
/// </summary>
internal sealed class ConnectionResolver(ConfigStateView state)
{
    private const string FromForms = "expected ns/pod, SPIFFE-ID@IP (spiffe://cluster.local/ns/NS/sa/SA@10.0.0.1) or an IP (plaintext)";
    private const string ToForms = "expected ns/pod (with --port), svc.ns:PORT, a service hostname:PORT or IP:PORT";

    /// <summary>ns/pod (its identity if enrolled, else plaintext), SPIFFE-ID@IP, or a bare IP (plaintext).</summary>
    public CheckSource Source(string text)
    {
        text = text.Trim();
        if (text.Length == 0) throw new UsageException($"--from is empty; {FromForms}");
        var at = text.LastIndexOf('@');
        if (at >= 0)
        {
            if (!SpiffeId.TryParse(text[..at], out var id, out var error))
                throw new UsageException($"--from '{text}': {error}");
            if (!TryIp(text[(at + 1)..], out var ip))
                throw new UsageException($"--from '{text}': '{text[(at + 1)..]}' is not an IP address");
            return new CheckSource(id, ip, $"{id} @ {ip}", null);
        }
        if (text.StartsWith(SpiffeId.Scheme, StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--from '{text}': a SPIFFE id needs the source address too, e.g. {text}@10.0.0.1");
        if (TryIp(text, out var plainIp))
        {
            var owner = WorkloadAt(plainIp);
            return new CheckSource(null, plainIp, $"plaintext @ {plainIp}", owner is null ? null
                : $"{plainIp} is pod {owner.Namespace}/{owner.Name}; a bare IP is checked as plaintext (give ns/pod for its identity)");
        }
        if (text.Count(c => c == '/') == 1)
        {
            var pod = FindPod(text, "--from");
            var ip = FirstAddress(pod, "--from");
            return pod.TunnelProtocol == TunnelProtocol.Hbone
                ? new CheckSource(pod.Identity, ip, $"{pod.Namespace}/{pod.Name} ({pod.Identity} @ {ip})", null)
                : new CheckSource(null, ip, $"{pod.Namespace}/{pod.Name} (plaintext @ {ip})",
                    "the source pod is not in the ambient mesh, so its connections arrive as plaintext");
        }
        throw new UsageException($"--from '{text}': {FromForms}");
    }

    /// <summary>The destination workload(s): one for a pod or pod IP, every endpoint for a service.</summary>
    public IReadOnlyList<CheckTarget> Targets(string text, int? portOption)
    {
        text = text.Trim();
        if (text.Length == 0) throw new UsageException($"--to is empty; {ToForms}");
        var (host, inlinePort) = SplitHostPort(text);
        if (inlinePort is { } a && portOption is { } b && a != b)
            throw new UsageException($"--to '{text}' says port {a} but --port says {b}; give one");
        var port = inlinePort ?? portOption
                   ?? throw new UsageException($"--to '{text}': destination port missing; add :PORT or --port N");

        if (TryIp(host, out var ip))
        {
            if (WorkloadAt(ip) is { } pod) return [new CheckTarget(pod, ip, port, $"pod {pod.Namespace}/{pod.Name}")];
            if (state.Services.FirstOrDefault(s => s.Addresses.Any(a => SameIp(a, ip))) is { } vip) return ServiceTargets(vip, port);
            throw new UsageException($"--to '{text}': no pod or service in the mesh state has address {ip}");
        }
        if (host.Contains('/'))
        {
            var pod = FindPod(host, "--to");
            return [new CheckTarget(pod, FirstAddress(pod, "--to"), port, $"pod {pod.Namespace}/{pod.Name}")];
        }
        if (host.Contains('.')) return ServiceTargets(FindService(host), port);
        throw new UsageException($"--to '{text}': {ToForms}");
    }

    private List<CheckTarget> ServiceTargets(Service service, int port)
    {
        var servicePort = service.Ports.FirstOrDefault(p => p.Port == port)
            ?? throw new UsageException($"--to: service {service.Namespace}/{service.Name} has no port {port} " +
                                        $"(ports: {string.Join(", ", service.Ports.Select(p => p.Port))})");
        var targets = new List<CheckTarget>();
        foreach (var workload in state.Workloads)
        {
            var binding = workload.Services.FirstOrDefault(b => b.ServiceKey == service.Key);
            if (binding is null || workload.Addresses.Count == 0) continue;
            var targetPort = binding.Ports.FirstOrDefault(m => m.ServicePort == port)?.TargetPort
                             ?? (servicePort.TargetPort != 0 ? servicePort.TargetPort : port);
            targets.Add(new CheckTarget(workload, IPAddress.Parse(workload.Addresses[0]), targetPort,
                $"service {service.Hostname}:{port} -> pod {workload.Namespace}/{workload.Name}:{targetPort}"));
        }
        if (targets.Count == 0)
            throw new UsageException($"--to: service {service.Namespace}/{service.Name} has no endpoints, so no workload would receive the connection");
        return targets;
    }

    private Service FindService(string host)
    {
        var service = state.Services.FirstOrDefault(s =>
            s.Hostname == host || $"{s.Name}.{s.Namespace}" == host || $"{s.Name}.{s.Namespace}.svc" == host);
        return service ?? throw new UsageException($"--to: no service '{host}' in the mesh state (write svc.ns or the full hostname)");
    }

    private Workload FindPod(string text, string flag)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            throw new UsageException($"{flag} '{text}': a pod is written ns/name");
        var pod = state.Workloads.FirstOrDefault(w => w.Namespace == parts[0] && w.Name == parts[1]);
        if (pod is not null) return pod;
        var inNamespace = state.Workloads.Where(w => w.Namespace == parts[0]).Select(w => w.Name).Order(StringComparer.Ordinal).ToList();
        throw new UsageException(inNamespace.Count == 0
            ? $"{flag}: no pod '{text}' in the mesh state (namespace '{parts[0]}' has no pods)"
            : $"{flag}: no pod '{text}' in the mesh state (pods in {parts[0]}: {string.Join(", ", inNamespace)})");
    }

    private static IPAddress FirstAddress(Workload pod, string flag) =>
        pod.Addresses.Count > 0 && IPAddress.TryParse(pod.Addresses[0], out var ip)
            ? ip
            : throw new UsageException($"{flag}: pod {pod.Namespace}/{pod.Name} has no address yet");

    private Workload? WorkloadAt(IPAddress ip) => state.Workloads.FirstOrDefault(w => w.Addresses.Any(a => SameIp(a, ip)));

    private static bool SameIp(string text, IPAddress ip) => IPAddress.TryParse(text, out var other) && other.Equals(ip);

    private static bool TryIp(string text, out IPAddress ip)
    {
        // IPAddress.TryParse takes "10" or "1.2" as IPv4 shorthand; an address must be written in full here.
        ip = IPAddress.None;
        if (!IPAddress.TryParse(text, out var parsed)) return false;
        if (parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && text.Count(c => c == '.') != 3) return false;
        ip = parsed;
        return true;
    }

    /// <summary>"host:port", "[v6]:port", "v6" (no port), or "host".</summary>
    private static (string Host, int? Port) SplitHostPort(string text)
    {
        string host, portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0) throw new UsageException($"--to '{text}': missing ']' after the IPv6 address");
            host = text[1..close];
            if (close == text.Length - 1) return (host, null);
            if (text[close + 1] != ':') throw new UsageException($"--to '{text}': expected ':PORT' after ']'");
            portText = text[(close + 2)..];
        }
        else
        {
            var colons = text.Count(c => c == ':');
            if (colons != 1) return (text, null); // no port, or a bare IPv6 address
            var colon = text.IndexOf(':');
            host = text[..colon];
            portText = text[(colon + 1)..];
        }
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new UsageException($"--to '{text}': '{portText}' is not a port (1-65535)");
        return (host, port);
    }
}
