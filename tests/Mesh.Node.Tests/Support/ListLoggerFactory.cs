using Microsoft.Extensions.Logging;

namespace Mesh.Node.Tests;

/// <summary>Every category logs into one <see cref="ListLogger"/>.</summary>
internal sealed class ListLoggerFactory(ListLogger log) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => log;
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }
}
