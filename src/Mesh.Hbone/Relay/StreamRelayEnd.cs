using System.Runtime.CompilerServices;
using Mesh.Hbone.Http2;

namespace Mesh.Hbone.Relay;

/// <summary>
/// An HTTP/2 stream (an HBONE tunnel) as a relay end. Reading hands the other end the segments already queued by the
/// connection's reader and credits the stream window as they are taken. As a destination it lends space behind a DATA
/// frame header, sized by the flow-control credit it holds, so the other end's receive becomes one frame.
/// </summary>
internal sealed class StreamRelayEnd(Http2Stream stream) : RelayEnd
{
    public Http2Stream Stream => stream;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal override async ValueTask<int> ReadIntoAsync(RelayEnd to, CancellationToken cancellationToken)
    {
        var reader = stream.InboundReader;
        System.IO.Pipelines.ReadResult result;
        try
        {
            result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Fault(e)) { throw; }

        var buffer = result.Buffer;
        if (buffer.IsEmpty && result.IsCompleted)
        {
            reader.AdvanceTo(buffer.End);
            return 0;
        }
        var length = (int)buffer.Length;
        try
        {
            foreach (var segment in buffer)
                await to.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            reader.AdvanceTo(buffer.End);
        }
        stream.Consumed(length);
        return length;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal override async ValueTask<RelayBuffer> LeaseAsync(int sizeHint, CancellationToken cancellationToken)
    {
        var connection = stream.Connection;
        int credit;
        try
        {
            credit = await connection.AcquireSendCreditAsync(stream, Math.Min(sizeHint, connection.SendChunkSize), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (Fault(e)) { throw; }
        return new RelayBuffer(System.Buffers.ArrayPool<byte>.Shared.Rent(Http2FrameHeader.Size + credit), Http2FrameHeader.Size, credit);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal override async ValueTask CommitAsync(RelayBuffer lease, int count, CancellationToken cancellationToken)
    {
        try
        {
            stream.Connection.ReturnSendCredit(stream, lease.Length - count);
            // From here the frame write owns the credit of `count` (it gives it back itself if it fails).
            await stream.Connection.WriteDataAsync(stream, lease.Array, count, endStream: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Fault(e)) { throw; }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(lease.Array);
        }
    }

    internal override void Release(RelayBuffer lease)
    {
        stream.Connection.ReturnSendCredit(stream, lease.Length);
        System.Buffers.ArrayPool<byte>.Shared.Return(lease.Array);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Fault(e)) { throw; }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal override async ValueTask CompleteWritesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await stream.CompleteWritesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Fault(e)) { throw; }
    }

    /// <summary>A cut or failed relay resets the stream (only this stream: the connection and its other streams go on).</summary>
    internal override void Close(bool abortive)
    {
        if (abortive)
            stream.Reset(Http2ErrorCode.Cancel, "relay ended abnormally");
        stream.DiscardInbound();
    }
}
