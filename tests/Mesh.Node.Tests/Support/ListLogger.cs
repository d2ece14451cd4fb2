using System.Collections.Concurrent;
using Mesh.Testing;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.Tests;

/// <summary>Keeps formatted log lines so specs can assert on the per-connection line and its reason.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue(formatter(state, exception));

    /// <summary>Waits for the first line containing <paramref name="fragment"/> (lines may be written after the client saw the close).</summary>
    public async Task<string> WaitForAsync(string fragment) =>
        (await Eventually.Until(() => Task.FromResult(_lines.FirstOrDefault(l => l.Contains(fragment, StringComparison.Ordinal))), line => line is not null,
            LoopbackPairs.Deadline, () => $"a log line with \"{fragment}\" in:\n{string.Join('\n', _lines)}"))!;
}

/// <summary>A typed view of a <see cref="ListLogger"/> (for services that take <see cref="ILogger{TCategoryName}"/>).</summary>
internal sealed class ListLogger<T>(ListLogger inner) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        inner.Log(logLevel, eventId, state, exception, formatter);
}
