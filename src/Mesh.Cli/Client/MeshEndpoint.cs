using System.Globalization;

namespace Mesh.Cli.Client;

/// <summary>A command endpoint address in pbm's <c>HOST:PORT</c> form (IPv6 hosts in brackets: <c>[::1]:9110</c>).</summary>
public sealed record MeshEndpoint(string Host, int Port)
{
    public const string EnvironmentVariable = "MESHCTL_ENDPOINT";
    public static readonly MeshEndpoint Default = new("127.0.0.1", Mesh.Protocol.Admin.AdminRoutes.DefaultPort);

    public Uri BaseUri => new($"http://{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public override string ToString() => Host.Contains(':')
        ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}"
        : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses <c>HOST:PORT</c>; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string? text, out MeshEndpoint endpoint, out string error)
    {
        endpoint = Default;
        error = $"'{text}' is not a valid endpoint: expected HOST:PORT, e.g. 127.0.0.1:{Default.Port}";
        if (string.IsNullOrWhiteSpace(text)) return false;

        string host, port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0) return false;
            host = text[1..close];
            port = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            // A bare IPv6 address without brackets is ambiguous (where does the port start?), so refuse it.
            if (colon <= 0 || text.IndexOf(':') != colon) return false;
            host = text[..colon];
            port = text[(colon + 1)..];
        }

        if (host.Length == 0 || host.Any(char.IsWhiteSpace) || host.Contains('/')) return false;
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            error = $"'{text}' is not a valid endpoint: port must be a number from 1 to 65535";
            return false;
        }

        endpoint = new MeshEndpoint(host, number);
        error = "";
        return true;
    }
}
