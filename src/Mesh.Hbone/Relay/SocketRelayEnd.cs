using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Mesh.Hbone.Sockets;

namespace Mesh.Hbone.Relay;

/// <summary>
/// A TCP socket as a relay end. Idle, it waits with a zero-byte receive and holds no buffer; with bytes queued it
/// receives into space the other end lends. As a destination it lends buffers rented from the pool and sends them whole.
/// </summary>
internal sealed class SocketRelayEnd(Socket socket, ArrayPool<byte> pool, int chunkSize = SocketRelayEnd.ChunkSize) : RelayEnd
{
    /// <summary>Bytes per receive (and per lent buffer); ztunnel also copies in large chunks.</summary>
    public const int ChunkSize = 64 * 1024;

    private bool _maybeMore;

    public Socket Socket => socket;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal override async ValueTask<int> ReadIntoAsync(RelayEnd to, CancellationToken cancellationToken)
    {
        try
        {
            // After a full receive more is likely queued: skip the wait. Otherwise wait before borrowing a buffer, so a
            // burst's end never parks one in a receive that may not complete for minutes.
            if (!_maybeMore || socket.Available == 0)
                await SocketReadiness.WaitReadableAsync(socket, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Fault(e)) { throw; }

        var lease = await to.LeaseAsync(chunkSize, cancellationToken).ConfigureAwait(false);
        int read;
        try
        {
            read = await socket.ReceiveAsync(lease.Memory, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Fault(e);
            to.Release(lease);
            throw;
        }
        _maybeMore = read == lease.Length;
        if (read == 0)
        {
            to.Release(lease);
            return 0;
        }
        await to.CommitAsync(lease, read, cancellationToken).ConfigureAwait(false);
        return read;
    }

    internal override ValueTask<RelayBuffer> LeaseAsync(int sizeHint, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new RelayBuffer(pool.Rent(sizeHint), 0, sizeHint));

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal override async ValueTask CommitAsync(RelayBuffer lease, int count, CancellationToken cancellationToken)
    {
        try
        {
            await SendAllAsync(lease.Array.AsMemory(lease.Offset, count), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            pool.Return(lease.Array);
        }
    }

    internal override void Release(RelayBuffer lease) => pool.Return(lease.Array);

    internal override ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        SendAllAsync(data, cancellationToken);

    internal override ValueTask CompleteWritesAsync(CancellationToken cancellationToken)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (Fault(e)) { throw; }
        return ValueTask.CompletedTask;
    }

    internal override void Close(bool abortive) => SocketClosing.Close(socket, abortive);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            while (!data.IsEmpty)
                data = data[await socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false)..];
        }
        catch (Exception e) when (Fault(e)) { throw; }
    }
}
