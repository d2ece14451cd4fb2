namespace Mesh.Hbone.Http2;

/// <summary>
/// Flow control (§5.2, §6.9). Sending: a writer takes credit from the connection and stream windows before it reads
/// the app, and gives back what it did not use. Receiving: received octets are credited back only once the app
/// consumed them, in batches of half a window, so a connection never buffers more than its window.
/// </summary>
public sealed partial class Http2Connection
{
    /// <summary>
    /// Largest DATA payload worth sending now: a whole number of 16 KiB TLS records per frame (header included),
    /// within the peer's SETTINGS_MAX_FRAME_SIZE.
    /// </summary>
    internal int SendChunkSize
    {
        get
        {
            const int record = 16 * 1024;
            var peerMax = _peerSettings.MaxFrameSize;
            var aligned = Math.Min(peerMax + Http2FrameHeader.Size, 4 * record) / record * record - Http2FrameHeader.Size;
            return Math.Min(peerMax, Math.Max(record - Http2FrameHeader.Size, aligned));
        }
    }

    /// <summary>Waits until both windows are open and takes up to <paramref name="wanted"/> octets of credit.</summary>
    internal ValueTask<int> AcquireSendCreditAsync(Http2Stream stream, int wanted, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            var granted = TryTakeCredit(stream, wanted);
            if (granted > 0)
                return ValueTask.FromResult(granted);
        }
        return WaitForCreditAsync(stream, wanted, cancellationToken);
    }

    private async ValueTask<int> WaitForCreditAsync(Http2Stream stream, int wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_sync)
            {
                var granted = TryTakeCredit(stream, wanted);
                if (granted > 0)
                    return granted;
                stream.WindowWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_sendWindow <= 0)
                {
                    _connectionWindowWaiters ??= [];
                    if (!_connectionWindowWaiters.Contains(stream))
                        _connectionWindowWaiters.Add(stream);
                }
                wait = stream.WindowWaiter.Task;
            }
            await wait.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Takes credit or returns 0; throws when the stream can no longer send. Caller holds _sync.</summary>
    private int TryTakeCredit(Http2Stream stream, int wanted)
    {
        if (stream.SendClosedException() is { } closed)
            throw closed;
        var granted = (int)Math.Min(Math.Min(_sendWindow, stream.SendWindow), Math.Min(wanted, _peerSettings.MaxFrameSize));
        if (granted <= 0)
            return 0;
        _sendWindow -= granted;
        stream.SendWindow -= granted;
        return granted;
    }

    /// <summary>Gives back credit a writer took but did not send.</summary>
    internal void ReturnSendCredit(Http2Stream stream, int octets)
    {
        if (octets <= 0)
            return;
        lock (_sync)
        {
            _sendWindow += octets;
            stream.SendWindow += octets;
            WakeConnectionWindowWaiters();
        }
    }

    /// <summary>Caller holds _sync.</summary>
    private void WakeConnectionWindowWaiters()
    {
        if (_connectionWindowWaiters is not { Count: > 0 } waiters)
            return;
        foreach (var waiter in waiters)
            waiter.WakeWindowWaiter();
        waiters.Clear();
    }

    /// <summary>Caller holds _sync.</summary>
    private void WakeAllWindowWaiters()
    {
        foreach (var stream in _streams.Values)
            stream.WakeWindowWaiter();
        _connectionWindowWaiters?.Clear();
    }

    /// <summary>
    /// The app consumed <paramref name="octets"/> of a stream's received DATA: credit both windows back to the peer
    /// once half of a window is owed.
    /// </summary>
    internal void OnConsumed(Http2Stream stream, int octets)
    {
        int streamCredit = 0, connectionCredit = 0;
        lock (_sync)
        {
            if (!stream.RemoteEnded && _streams.ContainsKey(stream.Id))
            {
                stream.PendingCredit += octets;
                if (stream.PendingCredit >= _options.StreamWindowSize / 2)
                {
                    streamCredit = stream.PendingCredit;
                    stream.PendingCredit = 0;
                    stream.RecvWindow += streamCredit;
                }
            }
            connectionCredit = TakeConnectionCredit(octets);
        }
        if (streamCredit > 0 || connectionCredit > 0)
            QueueWindowUpdates(stream.Id, streamCredit, connectionCredit);
    }

    /// <summary>Octets the connection received but nobody will consume (closed streams, padding).</summary>
    internal void CreditConnection(int octets)
    {
        if (octets <= 0)
            return;
        int credit;
        lock (_sync)
            credit = TakeConnectionCredit(octets);
        if (credit > 0)
            QueueWindowUpdates(0, 0, credit);
    }

    /// <summary>Caller holds _sync.</summary>
    private int TakeConnectionCredit(int octets)
    {
        _recvPendingCredit += octets;
        if (_recvPendingCredit < _options.ConnectionWindowSize / 2)
            return 0;
        var credit = _recvPendingCredit;
        _recvPendingCredit = 0;
        _recvWindow += credit;
        return credit;
    }

    /// <summary>Wakes a stream's window waiter (it was reset or its connection closed).</summary>
    internal void WakeStream(Http2Stream stream)
    {
        lock (_sync)
        {
            stream.WakeWindowWaiter();
            _connectionWindowWaiters?.Remove(stream);
        }
    }
}
