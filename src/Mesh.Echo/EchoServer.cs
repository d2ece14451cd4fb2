using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Echo;

/// <summary>
/// A running echo workload: Kestrel serving HTTP/1.1 and h2c (prior knowledge) on one cleartext port,
/// plus the raw TCP echo when a TCP port is configured. Program.cs and the tests both start it here.
/// </summary>
public sealed class EchoServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TcpEchoListener? _tcp;
    private readonly LineLog _log;
    private readonly TimeSpan _shutdownTimeout;
    private int _stopped;

    private EchoServer(WebApplication app, TcpEchoListener? tcp, LineLog log, IPEndPoint http, TimeSpan shutdownTimeout)
    {
        _app = app;
        _tcp = tcp;
        _log = log;
        HttpEndPoint = http;
        _shutdownTimeout = shutdownTimeout;
    }

    /// <summary>The bound HTTP endpoint (the real port when 0 was asked for).</summary>
    public IPEndPoint HttpEndPoint { get; }

    /// <summary>The bound TCP echo endpoint, or null when TCP echo is off.</summary>
    public IPEndPoint? TcpEndPoint => _tcp?.EndPoint;

    public static async Task<EchoServer> StartAsync(EchoOptions options, CancellationToken cancellationToken = default)
    {
        var log = new LineLog(options.Log);
        WebApplication? app = null;
        TcpEchoListener? tcp = null;
        try
        {
            app = Build(options, log);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var http = BoundEndPoint(app, options.BindAddress);
            if (options.TcpPort is { } tcpPort)
            {
                tcp = TcpEchoListener.Start(options.BindAddress, tcpPort, log);
            }

            log.Write($"mesh-echo listening on http://{http} (HTTP/1.1 + h2c)" + (tcp is null ? "" : $", tcp://{tcp.EndPoint}"));
            return new EchoServer(app, tcp, log, http, options.ShutdownTimeout);
        }
        catch
        {
            if (tcp is not null)
            {
                await tcp.DisposeAsync().ConfigureAwait(false);
            }

            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            await log.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static WebApplication Build(EchoOptions options, LineLog log)
    {
        // The empty builder skips appsettings, user secrets and hosting-startup probing: it starts fast.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // h2c clients send :scheme http on a connection Kestrel was told is "TLS" (see H2cPriorKnowledge).
            kestrel.AllowAlternateSchemes = true;
            var prefaceTimeout = kestrel.Limits.KeepAliveTimeout;
            kestrel.Listen(options.BindAddress, options.HttpPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.Use(H2cPriorKnowledge.Middleware(prefaceTimeout));
            });
        });
        // Only our access lines go to stdout; framework messages below Warning are noise for a workload.
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true)
            .AddFilter(static level => level >= LogLevel.Warning)
            // Event 64 warns that cleartext Http1AndHttp2 means HTTP/1.1 only; H2cPriorKnowledge makes that untrue.
            .AddFilter("Microsoft.AspNetCore.Server.Kestrel", static level => level >= LogLevel.Error)
            // Start failures surface as exceptions; Program.cs prints them in one line.
            .AddFilter("Microsoft.Extensions.Hosting", static level => level >= LogLevel.Critical);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(
            console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        // Signals belong to Program.cs (and tests never want them handled).
        builder.Services.AddSingleton<IHostLifetime, ManualLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);

        var app = builder.Build();
        var handler = new EchoHandler(options, log, app.Lifetime.ApplicationStopping);
        app.Run(handler.HandleAsync);
        return app;
    }

    private static IPEndPoint BoundEndPoint(WebApplication app, IPAddress bindAddress)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new IPEndPoint(bindAddress, new Uri(address).Port);
    }

    /// <summary>Stops listening, lets in-flight requests finish (bounded by the shutdown timeout) and closes TCP connections.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_shutdownTimeout);
        if (_tcp is not null)
        {
            await _tcp.DisposeAsync().ConfigureAwait(false);
        }

        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _log.DisposeAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private sealed class ManualLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
