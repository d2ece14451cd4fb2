namespace Mesh.Node.Telemetry.AccessLog;

/// <summary>What is queued per finished connection: a struct, so queueing allocates nothing; formatted by the writer.</summary>
public readonly record struct AccessLogEntry(
    ConnectionRecord Connection, long BytesSent, long BytesReceived, TimeSpan Duration, ConnectionFailure? Failure, DateTimeOffset End)
{
    /// <summary>
    /// Istio's access log fields in ztunnel's order; absent values are left out (as ztunnel does). Identities are
    /// shown only for mutual TLS connections; bytes are from this ztunnel's side towards the peer it reports for:
    /// outbound <c>bytes_sent</c> is what the source sent, inbound <c>bytes_sent</c> is what went back to the client.
    /// </summary>
    public IEnumerable<(string Key, string Value, bool Number)> Fields()
    {
        var c = Connection;
        var mtls = c.SecurityPolicy == ConnectionSecurityPolicy.MutualTls;
        yield return ("src.addr", c.SourceAddress.ToString(), false);
        if (c.SourceWorkload is { } src)
        {
            yield return ("src.workload", src.Name, false);
            yield return ("src.namespace", src.Namespace, false);
        }
        if (mtls && c.EffectiveSourceIdentity is { } srcId) yield return ("src.identity", srcId.ToString(), false);
        yield return ("dst.addr", c.DestinationAddress.ToString(), false);
        if (c.DestinationHboneAddress is { } hbone) yield return ("dst.hbone_addr", hbone.ToString(), false);
        if (c.DestinationService is { } service) yield return ("dst.service", service.Hostname, false);
        if (c.DestinationWorkload is { } dst)
        {
            yield return ("dst.workload", dst.Name, false);
            yield return ("dst.namespace", dst.Namespace, false);
        }
        if (mtls && c.EffectiveDestinationIdentity is { } dstId) yield return ("dst.identity", dstId.ToString(), false);
        yield return ("direction", TelemetryValues.Direction(c.Direction), false);
        var outbound = c.Direction == ConnectionDirection.Outbound;
        yield return ("bytes_sent", (outbound ? BytesSent : BytesReceived).ToString(System.Globalization.CultureInfo.InvariantCulture), true);
        yield return ("bytes_recv", (outbound ? BytesReceived : BytesSent).ToString(System.Globalization.CultureInfo.InvariantCulture), true);
        yield return ("duration", $"{(long)Duration.TotalMilliseconds}ms", false);
        if (Failure is { } failure) yield return ("error", failure.Message, false);
    }
}
