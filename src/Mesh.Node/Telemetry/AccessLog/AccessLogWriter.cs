using System.Buffers;
using System.Threading.Channels;

namespace Mesh.Node.Telemetry.AccessLog;

/// <summary>
/// Writes access log lines on a background task. The data path only queues a struct into a bounded channel
/// (<see cref="TryEnqueue"/>, never blocking); when the writer falls behind (slow disk, blocked stdout pipe) new lines
/// are dropped and counted rather than slowing connections down. Lines are batched into one write when several wait.
/// </summary>
public sealed class AccessLogWriter : IAsyncDisposable
{
    private const int BatchBytes = 64 * 1024;
    private readonly Channel<AccessLogEntry> _queue;
    private readonly AccessLogFormat _format;
    private readonly Stream _sink;
    private readonly bool _ownsSink;
    private readonly Action? _onDropped;
    private readonly Task _loop;
    private long _dropped, _written, _failedWrites;

    /// <param name="sink">Where lines go (a file, stdout, or a test stream).</param>
    /// <param name="ownsSink">Dispose <paramref name="sink"/> with the writer.</param>
    /// <param name="onDropped">Called for each dropped line (the metrics counter); must not block.</param>
    public AccessLogWriter(AccessLogOptions options, Stream sink, bool ownsSink, Action? onDropped = null)
    {
        _format = options.Format;
        _sink = sink;
        _ownsSink = ownsSink;
        _onDropped = onDropped;
        _queue = Channel.CreateBounded<AccessLogEntry>(
            new BoundedChannelOptions(Math.Max(1, options.QueueCapacity))
            {
                FullMode = BoundedChannelFullMode.DropWrite,
                SingleReader = true,
                SingleWriter = false,
            },
            _ => Dropped());
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Opens the configured destination: stdout, or the file at <see cref="AccessLogOptions.Path"/> (appending).</summary>
    public static AccessLogWriter Open(AccessLogOptions options, Action? onDropped = null)
    {
        if (options.ToStdout) return new AccessLogWriter(options, Console.OpenStandardOutput(), ownsSink: false, onDropped);
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(options.Path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var file = new FileStream(options.Path, new FileStreamOptions
        {
            Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete, Options = FileOptions.Asynchronous,
        });
        return new AccessLogWriter(options, file, ownsSink: true, onDropped);
    }

    /// <summary>Lines dropped because the queue was full.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Lines handed to the sink.</summary>
    public long WrittenCount => Interlocked.Read(ref _written);

    /// <summary>Writes that failed (e.g. disk full); their lines are lost.</summary>
    public long FailedWrites => Interlocked.Read(ref _failedWrites);

    /// <summary>Queues a line; returns at once. A full queue drops the line (counted).</summary>
    public void TryEnqueue(in AccessLogEntry entry)
    {
        if (!_queue.Writer.TryWrite(entry)) Dropped(); // false only after completion (shutting down)
    }

    private void Dropped()
    {
        Interlocked.Increment(ref _dropped);
        _onDropped?.Invoke();
    }

    private async Task RunAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(BatchBytes);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            long lines = 0;
            while (buffer.WrittenCount < BatchBytes && reader.TryRead(out var entry))
            {
                try
                {
                    AccessLogFormatter.Write(_format, entry, buffer);
                    lines++;
                }
                catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
                {
                    Interlocked.Increment(ref _failedWrites);
                }
            }
            if (buffer.WrittenCount == 0) continue;
            try
            {
                await _sink.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
                await _sink.FlushAsync().ConfigureAwait(false);
                Interlocked.Add(ref _written, lines);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException or UnauthorizedAccessException)
            {
                Interlocked.Increment(ref _failedWrites);
            }
            buffer.ResetWrittenCount();
        }
    }

    /// <summary>Stops accepting lines and writes what is queued (bounded wait), then closes an owned sink.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try { await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false); }
        catch (TimeoutException) { }
        if (_ownsSink) await _sink.DisposeAsync().ConfigureAwait(false);
    }
}
