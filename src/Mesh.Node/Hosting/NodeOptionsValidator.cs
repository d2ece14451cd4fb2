using System.Net;
using Microsoft.Extensions.Options;

namespace Mesh.Node.Hosting;

/// <summary>
/// Checks <see cref="NodeOptions"/> once, at start-up, and names every bad value by its configuration key
/// (<c>Mesh:Node:…</c>), so a typo stops the ztunnel with one clear line instead of failing later on the data path.
/// </summary>
public sealed class NodeOptionsValidator : IValidateOptions<NodeOptions>
{
    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        void Port(string key, int value, bool optional = false)
        {
            if (optional && value == 0) return;
            if (value is < 1 or > 65535) errors.Add($"{NodeOptions.Section}:{key} = {value}: a port must be 1–65535{(optional ? " (or 0 = off)" : "")}");
        }
        void Positive(string key, TimeSpan value)
        {
            if (value <= TimeSpan.Zero) errors.Add($"{NodeOptions.Section}:{key} = {value}: must be greater than zero");
        }
        void AtLeastOne(string key, int value)
        {
            if (value < 1) errors.Add($"{NodeOptions.Section}:{key} = {value}: must be at least 1");
        }

        Port(nameof(options.OutboundPort), options.OutboundPort);
        Port(nameof(options.InboundPlaintextPort), options.InboundPlaintextPort);
        Port(nameof(options.InboundHbonePort), options.InboundHbonePort);
        Port(nameof(options.DnsPort), options.DnsPort);
        Port(nameof(options.Socks5Port), options.Socks5Port, optional: true);
        var podPorts = new[] { options.OutboundPort, options.InboundPlaintextPort, options.InboundHbonePort, options.DnsPort };
        if (podPorts.Distinct().Count() != podPorts.Length)
            errors.Add($"{NodeOptions.Section}: OutboundPort, InboundPlaintextPort, InboundHbonePort and DnsPort must differ " +
                       $"(got {string.Join(", ", podPorts)}): they share each pod's network namespace");
        if (!IPAddress.TryParse(options.Socks5Bind, out _))
            errors.Add($"{NodeOptions.Section}:{nameof(options.Socks5Bind)} = '{options.Socks5Bind}': not an IP address");
        Positive(nameof(options.ConnectTimeout), options.ConnectTimeout);
        Positive(nameof(options.LookupTimeout), options.LookupTimeout);
        Positive(nameof(options.CertificateTimeout), options.CertificateTimeout);
        Positive(nameof(options.EnrollTimeout), options.EnrollTimeout);
        if (string.IsNullOrWhiteSpace(options.RootNamespace))
            errors.Add($"{NodeOptions.Section}:{nameof(options.RootNamespace)}: must not be empty");

        var hbone = options.Hbone;
        AtLeastOne("Hbone:MaxStreamsPerConnection", hbone.MaxStreamsPerConnection);
        // HTTP/2 (RFC 9113 §6.9.1): windows are 1 … 2^31-1; below the 64 KiB default would starve bulk transfers.
        if (hbone.StreamWindowSize is < 65_535)
            errors.Add($"{NodeOptions.Section}:Hbone:StreamWindowSize = {hbone.StreamWindowSize}: must be at least 65535");
        if (hbone.ConnectionWindowSize is < 65_535)
            errors.Add($"{NodeOptions.Section}:Hbone:ConnectionWindowSize = {hbone.ConnectionWindowSize}: must be at least 65535");
        AtLeastOne("Hbone:MaxHeaderListSize", hbone.MaxHeaderListSize);
        Positive("Hbone:IdleTimeout", hbone.IdleTimeout);
        Positive("Hbone:KeepAliveInterval", hbone.KeepAliveInterval);
        Positive("Hbone:KeepAliveTimeout", hbone.KeepAliveTimeout);
        Positive("Hbone:ConnectTimeout", hbone.ConnectTimeout);
        Positive("Hbone:DrainTimeout", hbone.DrainTimeout);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
