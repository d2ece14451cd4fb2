using System.Globalization;
using System.Net;

namespace Mesh.Echo;

/// <summary>Everything the echo workload needs; <see cref="FromEnvironment"/> reads it like a Kubernetes container would.</summary>
public sealed record EchoOptions
{
    public const int DefaultHttpPort = 8080;

    /// <summary>Where both listeners bind. The supervisor sets the pod's IP (or pod loopback IP in non-root local mode).</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>HTTP/1.1 + h2c port; 0 lets the OS choose (tests).</summary>
    public int HttpPort { get; init; } = DefaultHttpPort;

    /// <summary>Raw TCP echo port; null means no TCP listener at all.</summary>
    public int? TcpPort { get; init; }

    public string Namespace { get; init; } = "";
    public string Ingress { get; init; } = "";
    public string Service { get; init; } = "";
    public string Pod { get; init; } = "";

    /// <summary>Per-request/connection log lines; null writes to stdout.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>How long in-flight requests get to finish on stop (Kubernetes gives 30 s before SIGKILL).</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// HTTP port precedence: HTTP_PORT, then --port, then 8080 (the local supervisor sets HTTP_PORT to the first containerPort).
    /// Throws <see cref="FormatException"/> with a user-facing message on bad values.
    /// </summary>
    public static EchoOptions FromEnvironment(IReadOnlyList<string> args, Func<string, string?> getEnv)
    {
        string? Env(string name) => getEnv(name) is { Length: > 0 } value ? value : null;

        var httpPort = Env("HTTP_PORT") is { } fromEnv
            ? ParsePort(fromEnv, "HTTP_PORT")
            : PortArgument(args) is { } fromArg ? ParsePort(fromArg, "--port") : DefaultHttpPort;

        return new EchoOptions
        {
            BindAddress = Env("BIND_ADDRESS") is { } bind ? ParseAddress(bind) : IPAddress.Any,
            HttpPort = httpPort,
            TcpPort = Env("TCP_PORT") is { } tcp ? ParsePort(tcp, "TCP_PORT") : null,
            Namespace = Env("NAMESPACE") ?? "",
            Ingress = Env("INGRESS_NAME") ?? "",
            Service = Env("SERVICE_NAME") ?? "",
            Pod = Env("POD_NAME") ?? "",
        };
    }

    private static string? PortArgument(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--port")
            {
                return i + 1 < args.Count ? args[i + 1] : throw new FormatException("--port needs a value");
            }

            if (args[i].StartsWith("--port=", StringComparison.Ordinal))
            {
                return args[i]["--port=".Length..];
            }
        }

        return null;
    }

    private static int ParsePort(string value, string source) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535
            ? port
            : throw new FormatException($"{source}: '{value}' is not a port number (0-65535)");

    private static IPAddress ParseAddress(string value) =>
        value == "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(value.Trim('[', ']'), out var address) ? address
        : throw new FormatException($"BIND_ADDRESS: '{value}' is not an IP address");
}
