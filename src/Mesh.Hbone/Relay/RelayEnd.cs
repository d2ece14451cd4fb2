using System.Buffers;
using System.Net.Sockets;
using Mesh.Hbone.Http2;

namespace Mesh.Hbone.Relay;

/// <summary>
/// One end of a relayed connection — a TCP socket (<see cref="SocketRelayEnd"/>) or an HTTP/2 stream such as an HBONE
/// tunnel (<see cref="StreamRelayEnd"/>) — as <see cref="RelayPump"/> drives it. An end reads by moving its next burst
/// straight into the other end: a socket receives into a buffer the other end lends (for a stream, the space behind a
/// DATA frame header, so one receive becomes one frame in one TLS write), a stream hands over the segments it already
/// holds. Each end records whether its own I/O failed, so the pump blames the right side without wrapping exceptions.
/// </summary>
public abstract class RelayEnd
{
    /// <summary>A connected socket; the relay owns it from now on.</summary>
    public static RelayEnd Of(Socket socket) => new SocketRelayEnd(socket, ArrayPool<byte>.Shared);

    /// <summary>An open HTTP/2 stream (a CONNECT tunnel after its 200); the relay owns it from now on.</summary>
    public static RelayEnd Of(Http2Stream stream) => new StreamRelayEnd(stream);

    /// <summary>Set when this end's own read, write or close threw: the pump names this side as the one that failed.</summary>
    internal bool Faulted { get; private protected set; }

    /// <summary>
    /// Waits for the next bytes without holding a buffer, then moves one burst into <paramref name="to"/>. Returns the
    /// number of bytes moved, or 0 at end of stream (nothing is written to <paramref name="to"/> then).
    /// </summary>
    internal abstract ValueTask<int> ReadIntoAsync(RelayEnd to, CancellationToken cancellationToken);

    /// <summary>Lends space for up to <paramref name="sizeHint"/> bytes that a socket end receives into (then Commit or Release).</summary>
    internal abstract ValueTask<RelayBuffer> LeaseAsync(int sizeHint, CancellationToken cancellationToken);

    /// <summary>Sends the first <paramref name="count"/> bytes of a lease and gives the lease back.</summary>
    internal abstract ValueTask CommitAsync(RelayBuffer lease, int count, CancellationToken cancellationToken);

    /// <summary>Gives a lease back unused.</summary>
    internal abstract void Release(RelayBuffer lease);

    /// <summary>Sends bytes the other end owns (segments of a stream's receive queue).</summary>
    internal abstract ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Half-close: no more bytes from us (socket shutdown(SHUT_WR), stream END_STREAM); reading goes on.</summary>
    internal abstract ValueTask CompleteWritesAsync(CancellationToken cancellationToken);

    /// <summary>Releases an end that will not be relayed after all (RST / RST_STREAM).</summary>
    public void Abort() => Close(abortive: true);

    /// <summary>Releases the end: gracefully after a clean relay, abortively (RST) after a cut or a failure.</summary>
    internal abstract void Close(bool abortive);

    /// <summary>
    /// Marks this end as the failing one unless <paramref name="error"/> is a cancellation (a cut is nobody's failure).
    /// Returns false, so it serves as an exception filter that never catches.
    /// </summary>
    private protected bool Fault(Exception error)
    {
        if (error is not OperationCanceledException) Faulted = true;
        return false;
    }
}

/// <summary>Space one end lends another for a receive: <see cref="Memory"/> is where the bytes go.</summary>
/// <param name="Array">The pooled array behind it.</param>
/// <param name="Offset">Where the payload starts in <paramref name="Array"/> (a stream keeps a frame header in front).</param>
/// <param name="Length">How many bytes may be received into it.</param>
internal readonly record struct RelayBuffer(byte[] Array, int Offset, int Length)
{
    public Memory<byte> Memory => Array.AsMemory(Offset, Length);
}
