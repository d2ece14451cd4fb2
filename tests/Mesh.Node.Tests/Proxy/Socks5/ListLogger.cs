using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.Tests.Proxy.Socks5;

/// <summary>Keeps formatted log lines so specs can assert on the per-connection line and its reason.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue(formatter(state, exception));

    /// <summary>Waits for the first line containing <paramref name="fragment"/> (log lines are written after the client sees the close).</summary>
    public async Task<string> WaitForAsync(string fragment)
    {
        var deadline = DateTime.UtcNow + LoopbackPairs.Deadline;
        while (DateTime.UtcNow < deadline)
        {
            var line = _lines.FirstOrDefault(l => l.Contains(fragment, StringComparison.Ordinal));
            if (line is not null) return line;
            await Task.Delay(20);
        }
        throw new TimeoutException($"no log line with \"{fragment}\" in:\n{string.Join('\n', _lines)}");
    }
}
