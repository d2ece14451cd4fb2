using System.Threading.Channels;

namespace Mesh.Echo;

/// <summary>
/// One line per request/connection without making requests wait on console I/O:
/// lines queue up and a single writer drains them, flushing whenever the queue runs dry.
/// </summary>
internal sealed class LineLog : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TextWriter _writer;
    private readonly Task _drain;

    public LineLog(TextWriter? writer)
    {
        _writer = writer ?? new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
        _drain = Task.Run(DrainAsync);
    }

    public void Write(string line) => _lines.Writer.TryWrite(line);

    private async Task DrainAsync()
    {
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var line))
            {
                await _writer.WriteLineAsync(line).ConfigureAwait(false);
            }

            await _writer.FlushAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _drain.ConfigureAwait(false);
    }
}
