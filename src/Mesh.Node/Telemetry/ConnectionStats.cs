namespace Mesh.Node.Telemetry;

/// <summary>
/// Per-pod (and per SOCKS5 server) counters of connections, read by the admin view (<c>/v1/node/pods</c>). Updated only
/// by <see cref="ConnectionTelemetry"/> from each <see cref="ConnectionRecord"/> that names them, so every connection is
/// counted once, at open and at close. Inbound is split by protocol (15006 plaintext, 15008 HBONE); outbound connections
/// carried over HBONE are also counted in <see cref="OutboundHbone"/>. Bytes are from the pod's point of view
/// (sent = pod → peer). Lock-free.
/// </summary>
public sealed class ConnectionStats
{
    private long _outboundOpened, _outboundClosed, _outboundHbone;
    private long _inboundPlaintextOpened, _inboundPlaintextClosed, _inboundHboneOpened, _inboundHboneClosed;
    private long _bytesSent, _bytesReceived, _failed;

    public long OutboundOpened => Interlocked.Read(ref _outboundOpened);
    public long OutboundClosed => Interlocked.Read(ref _outboundClosed);
    /// <summary>Closed outbound connections that went over HBONE.</summary>
    public long OutboundHbone => Interlocked.Read(ref _outboundHbone);
    public long InboundPlaintextOpened => Interlocked.Read(ref _inboundPlaintextOpened);
    public long InboundPlaintextClosed => Interlocked.Read(ref _inboundPlaintextClosed);
    public long InboundHboneOpened => Interlocked.Read(ref _inboundHboneOpened);
    public long InboundHboneClosed => Interlocked.Read(ref _inboundHboneClosed);
    /// <summary>All inbound connections, plaintext and HBONE.</summary>
    public long InboundOpened => InboundPlaintextOpened + InboundHboneOpened;
    public long InboundClosed => InboundPlaintextClosed + InboundHboneClosed;
    public long BytesSent => Interlocked.Read(ref _bytesSent);
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);
    public long Failed => Interlocked.Read(ref _failed);

    internal void Opened(ConnectionDirection direction, ConnectionProtocol protocol) =>
        Interlocked.Increment(ref direction == ConnectionDirection.Outbound ? ref _outboundOpened
            : ref protocol == ConnectionProtocol.Hbone ? ref _inboundHboneOpened : ref _inboundPlaintextOpened);

    /// <summary><paramref name="podSent"/> / <paramref name="podReceived"/>: from the pod's point of view.</summary>
    internal void Closed(ConnectionDirection direction, ConnectionProtocol protocol, long podSent, long podReceived, bool failed)
    {
        if (direction == ConnectionDirection.Outbound)
        {
            Interlocked.Increment(ref _outboundClosed);
            if (protocol == ConnectionProtocol.Hbone) Interlocked.Increment(ref _outboundHbone);
        }
        else
        {
            Interlocked.Increment(ref protocol == ConnectionProtocol.Hbone ? ref _inboundHboneClosed : ref _inboundPlaintextClosed);
        }
        Interlocked.Add(ref _bytesSent, podSent);
        Interlocked.Add(ref _bytesReceived, podReceived);
        if (failed) Interlocked.Increment(ref _failed);
    }
}
