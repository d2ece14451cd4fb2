namespace Mesh.Hbone.Relay;

/// <summary>One end of a relayed connection.</summary>
public enum RelaySide
{
    /// <summary>Neither (nothing happened on either side).</summary>
    None,
    /// <summary>The side that opened the connection (the app, or the peer ztunnel on inbound).</summary>
    Downstream,
    /// <summary>The side the relay connected to.</summary>
    Upstream,
}

/// <summary>How a relay ended.</summary>
public enum RelayOutcome
{
    /// <summary>Both directions reached EOF; both sockets were closed gracefully.</summary>
    Completed,
    /// <summary>The caller's token fired; both sockets were reset.</summary>
    Cancelled,
    /// <summary>A socket failed (e.g. the peer reset); both sockets were reset.</summary>
    Failed,
}

/// <summary>What a <see cref="RelayPump"/> run did. Downstream is the side that opened the connection (the source).</summary>
/// <param name="BytesUp">Bytes copied downstream → upstream.</param>
/// <param name="BytesDown">Bytes copied upstream → downstream.</param>
/// <param name="Duration">Wall time from start to both sockets closed.</param>
/// <param name="FirstClosed">The side that sent EOF first (None if neither did).</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="ErrorSide">The side whose socket failed, when <see cref="RelayOutcome.Failed"/>.</param>
/// <param name="Error">The first failure, when <see cref="RelayOutcome.Failed"/>.</param>
public sealed record RelayResult(
    long BytesUp,
    long BytesDown,
    TimeSpan Duration,
    RelaySide FirstClosed,
    RelayOutcome Outcome,
    RelaySide ErrorSide = RelaySide.None,
    Exception? Error = null);
