namespace Mesh.Hbone.Relay;

/// <summary>
/// Bytes a relay has moved so far, readable while it runs (telemetry samples them periodically, so a long-lived
/// connection shows its bytes before it closes). Up = downstream → upstream, down = upstream → downstream. Each field
/// has one writer (its direction's pump), so a volatile write per chunk is all it costs.
/// </summary>
public sealed class RelayCounters
{
    private long _up, _down;

    public long Up => Volatile.Read(ref _up);

    public long Down => Volatile.Read(ref _down);

    internal void Add(RelaySide from, int bytes)
    {
        if (from == RelaySide.Downstream) Volatile.Write(ref _up, _up + bytes);
        else Volatile.Write(ref _down, _down + bytes);
    }
}
