using k8s.Models;
using Mesh.Protocol.Model;

namespace Mesh.Control.Ambient;

/// <summary>Service port conversion: numeric/named target ports and Istio's protocol inference.</summary>
internal static class ServicePorts
{
    // Istio's protocol names keyed by the lower-case spelling users write in appProtocol or a port name prefix.
    private static readonly Dictionary<string, string> Protocols = new(StringComparer.Ordinal)
    {
        ["http"] = "HTTP", ["http2"] = "HTTP2", ["https"] = "HTTPS", ["grpc"] = "GRPC", ["grpc-web"] = "GRPC-Web",
        ["tcp"] = "TCP", ["tls"] = "TLS", ["udp"] = "UDP", ["mongo"] = "Mongo", ["redis"] = "Redis", ["mysql"] = "MySQL",
        ["kubernetes.io/h2c"] = "HTTP2", ["kubernetes.io/ws"] = "HTTP", ["kubernetes.io/wss"] = "HTTPS",
    };

    public static ServicePort Convert(V1ServicePort port) =>
        new(port.Port, NumericTarget(port) ?? 0, port.Name ?? "", AppProtocol(port.AppProtocol, port.Name));

    /// <summary>The numeric target port; unset means "same as port"; null when it names a container port.</summary>
    public static int? NumericTarget(V1ServicePort port)
    {
        var value = port.TargetPort?.Value;
        if (string.IsNullOrEmpty(value)) return port.Port;
        return int.TryParse(value, out var number) ? number : null;
    }

    /// <summary>Named target port, resolved per pod against its containers' ports.</summary>
    public static string? NamedTarget(V1ServicePort port) =>
        port.TargetPort?.Value is { Length: > 0 } value && !int.TryParse(value, out _) ? value : null;

    /// <summary>
    /// appProtocol wins; otherwise the port name: "http", "http-web" and "grpc-web-x" are recognised by their
    /// prefix as Istio does ("grpc-web" is checked before "grpc"). Unknown → "" (plain TCP to the ztunnel).
    /// </summary>
    public static string AppProtocol(string? appProtocol, string? portName)
    {
        if (!string.IsNullOrEmpty(appProtocol))
            return Protocols.TryGetValue(appProtocol.ToLowerInvariant(), out var known) ? known : appProtocol;
        if (string.IsNullOrEmpty(portName)) return "";
        var name = portName.ToLowerInvariant();
        if (name == "grpc-web" || name.StartsWith("grpc-web-", StringComparison.Ordinal)) return Protocols["grpc-web"];
        var dash = name.IndexOf('-');
        var prefix = dash < 0 ? name : name[..dash];
        return Protocols.TryGetValue(prefix, out var protocol) ? protocol : "";
    }

    /// <summary>servicePort → targetPort for one pod; named ports the pod does not expose are left out (Istio).</summary>
    public static ValueList<PortMapping> ForPod(V1Service service, V1Pod pod)
    {
        var result = new List<PortMapping>();
        foreach (var port in service.Spec?.Ports ?? [])
        {
            if (NamedTarget(port) is { } name)
            {
                var container = pod.Spec?.Containers?
                    .SelectMany(c => c.Ports ?? [])
                    .FirstOrDefault(p => p.Name == name);
                if (container is not null) result.Add(new(port.Port, container.ContainerPort));
                continue;
            }
            result.Add(new(port.Port, NumericTarget(port) ?? port.Port));
        }
        return result.ToValueList();
    }
}
