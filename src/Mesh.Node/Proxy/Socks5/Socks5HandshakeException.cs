namespace Mesh.Node.Proxy.Socks5;

/// <summary>
/// The client broke the SOCKS5 handshake (bad bytes, truncation, deadline, unsupported method/command/address).
/// Any reply the protocol allows has already been written; the caller only logs <see cref="Exception.Message"/>
/// and closes the connection.
/// </summary>
public sealed class Socks5HandshakeException(string reason, bool replySent = false, Exception? inner = null)
    : Exception(reason, inner)
{
    /// <summary>True if an error reply (method 0xFF or a REP code) was written before giving up.</summary>
    public bool ReplySent { get; } = replySent;
}
