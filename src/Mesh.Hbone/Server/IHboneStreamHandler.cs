namespace Mesh.Hbone.Server;

/// <summary>
/// What a proxy plugs into <see cref="HboneServer"/>: it gets every well-formed CONNECT stream, decides, answers it
/// (<see cref="HboneInboundStream.RejectAsync"/> or <see cref="HboneInboundStream.AcceptAsync"/>), relays and records,
/// all in one call, so a proxy's inbound path reads top to bottom in its handler (the ztunnel's: its inbound pipeline).
/// </summary>
public interface IHboneStreamHandler
{
    /// <summary>
    /// Serves one CONNECT. Called on the thread pool; must not throw for ordinary failures (the server answers 503 and logs
    /// when it does, and resets the stream if it was already accepted).
    /// </summary>
    Task ServeAsync(HboneInboundStream stream);
}
