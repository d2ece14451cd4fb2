using System.Net;
using System.Net.Sockets;
using Mesh.Node.AdminServer;
using Mesh.Node.Identity;
using Mesh.Node.State;
using Mesh.Node.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.Tests.Telemetry;

/// <summary>
/// The node-side composition of telemetry as Program.cs builds it (state store, certificate store, AddNodeTelemetry,
/// the three HTTP servers), without the Akka cluster: tests drive <see cref="IConnectionTelemetry"/> directly and talk
/// to the real ports over HTTP.
/// </summary>
public sealed class TelemetryNode : IAsyncDisposable
{
    private readonly IHost _host;

    private TelemetryNode(IHost host, int admin, int stats, int readiness, string accessLog)
    {
        _host = host;
        AdminPort = admin;
        StatsPort = stats;
        ReadinessPort = readiness;
        AccessLogPath = accessLog;
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    }

    public int AdminPort { get; }
    public int StatsPort { get; }
    public int ReadinessPort { get; }
    public string AccessLogPath { get; }
    public HttpClient Http { get; }
    public IServiceProvider Services => _host.Services;
    public IConnectionTelemetry Telemetry => Services.GetRequiredService<IConnectionTelemetry>();
    public NodeViewStore Store => Services.GetRequiredService<NodeViewStore>();

    public static async Task<TelemetryNode> StartAsync(params (string Key, string Value)[] settings)
    {
        var (admin, stats, readiness) = (FreePort(), FreePort(), FreePort());
        var accessLog = Path.Combine(Path.GetTempPath(), $"mesh-access-{Guid.NewGuid():N}.log");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var config = new Dictionary<string, string?>
        {
            ["Mesh:Node:Ports:Admin"] = admin.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mesh:Node:Ports:Stats"] = stats.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mesh:Node:Ports:Readiness"] = readiness.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mesh:Node:Ports:StatsBind"] = "127.0.0.1",
            ["Mesh:Node:Ports:ReadinessBind"] = "127.0.0.1",
            ["Mesh:Node:AccessLog:Path"] = accessLog,
        };
        foreach (var (key, value) in settings) config[key] = value;
        builder.Configuration.AddInMemoryCollection(config);
        // As MeshHost: one provider (so filters decide IsEnabled) and the ASP.NET rule.
        builder.Logging.AddProvider(new SilentLoggerProvider());
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton(new NodeViewStore("node-a"));
        builder.Services.AddSingleton<CertificateStore>();
        builder.Services.AddNodeTelemetry(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        // The ports come up in the background (so they never delay the node's command endpoint); wait for them.
        await host.Services.GetRequiredService<Mesh.Node.AdminServer.NodeAdminServers>().Started.WaitAsync(TimeSpan.FromSeconds(30));
        return new TelemetryNode(host, admin, stats, readiness, accessLog);
    }

    public Task<string> GetAsync(int port, string path) => Http.GetStringAsync($"http://127.0.0.1:{port}{path}");

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, int port, string path) =>
        Http.SendAsync(new HttpRequestMessage(method, $"http://127.0.0.1:{port}{path}"));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private bool _disposed;

    /// <summary>Stops the node (draining the access log) but leaves the access log file for the test to read.</summary>
    public async Task DisposeAsyncKeepingLog()
    {
        if (_disposed) return;
        _disposed = true;
        Http.Dispose();
        await _host.StopAsync();
        if (_host is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync();
        else _host.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        Http.Dispose();
        await _host.StopAsync();
        if (_host is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync();
        else _host.Dispose();
        try { File.Delete(AccessLogPath); } catch (IOException) { }
    }
}

/// <summary>A logging provider that writes nothing; the logger factory still applies its filter rules to it.</summary>
internal sealed class SilentLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Silent();
    public void Dispose() { }

    private sealed class Silent : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) { }
    }
}
