using Mesh.Testing;
using System.Net;
using System.Net.Sockets;
using Mesh.Hbone;
using Mesh.Hbone.Client;
using Mesh.Hbone.Server;
using Mesh.Hbone.Tls;
using Mesh.Hbone.Relay;

using Mesh.Protocol.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Hbone.Tests;

/// <summary>
/// An HBONE server (identity <see cref="MeshPki.Server"/>) on a loopback listener in front of an echo app, and a
/// client pool (identity <see cref="MeshPki.Client"/>) pointed at it. Certificates can be swapped to test rotation
/// and rejection.
/// </summary>
internal sealed class HboneTestBed : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public HboneTestBed(HboneOptions? serverOptions = null, HboneOptions? clientOptions = null)
    {
        ServerOptions = serverOptions ?? new HboneOptions();
        ClientOptions = clientOptions ?? new HboneOptions();
        ServerCertificate = MeshPki.Instance.Issue(MeshPki.Server);
        ClientCertificate = MeshPki.Instance.Issue(MeshPki.Client);
        Handler = new TestInboundHandler(Echo.EndPoint);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1024);
        Server = new HboneServer(ServerOptions, _ => ValueTask.FromResult(ServerCertificate), Handler, Logger);
        _serving = Server.RunAsync(_listener, _stop.Token);
        Pool = NewPool();
    }

    public EchoApp Echo { get; } = new();
    public HboneOptions ServerOptions { get; }
    public HboneOptions ClientOptions { get; }
    public WorkloadCertificate ServerCertificate { get; set; }
    public WorkloadCertificate ClientCertificate { get; set; }
    public TestInboundHandler Handler { get; }
    public HboneServer Server { get; }
    public HboneClientPool Pool { get; }
    public IPEndPoint ServerEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>A pool with this bed's client certificate and a plain loopback connect.</summary>
    public HboneClientPool NewPool(HboneOptions? options = null) =>
        new(options ?? ClientOptions, new BedCertificates(this), DirectHboneDialer.Instance, Logger);

    /// <summary>Always the bed's current client certificate (tests swap it to rotate).</summary>
    private sealed class BedCertificates(HboneTestBed bed) : IWorkloadCertificates
    {
        public ValueTask<WorkloadCertificate> GetAsync(SpiffeId id, CancellationToken cancellationToken) =>
            ValueTask.FromResult(bed.ClientCertificate);
    }

    /// <summary>MESH_TEST_LOG=1 prints HBONE debug logs to the console (for chasing a failing test by hand).</summary>
    public static readonly Microsoft.Extensions.Logging.ILogger Logger = Environment.GetEnvironmentVariable("MESH_TEST_LOG") == "1"
        ? LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug)).CreateLogger("hbone")
        : NullLogger.Instance;

    public HboneRequest Request(string target = "10.244.1.7:8080", SpiffeId? destination = null, int clientPort = 40000) => new(
        MeshPki.Client, IPAddress.Parse("10.244.2.5"), destination ?? MeshPki.Server, ServerEndPoint,
        IPEndPoint.Parse(target), new IPEndPoint(IPAddress.Parse("10.244.2.5"), clientPort));

    /// <summary>
    /// Opens a tunnel and relays a fresh app socket pair through it: returns the test's end of the app connection and
    /// the running relay.
    /// </summary>
    public static async Task<(Socket App, Task<RelayResult> Relay, IHboneTunnel Tunnel)> OpenRelayAsync(
        HboneClientPool pool, HboneRequest request, CancellationToken cancellationToken = default)
    {
        var tunnel = await pool.OpenAsync(request, cancellationToken).AsTask().WaitAsync(Deadline);
        var (app, relayEnd) = await LoopbackPairs.ConnectAsync();
        return (app, RelayPump.RunAsync(RelayEnd.Of(relayEnd), tunnel.End, cancellationToken: cancellationToken), tunnel);
    }

    /// <summary>Sends <paramref name="payload"/>, half-closes, reads the echo to EOF.</summary>
    public static async Task<byte[]> EchoThroughAsync(HboneClientPool pool, HboneRequest request, byte[] payload)
    {
        var (app, relay, tunnel) = await OpenRelayAsync(pool, request);
        await using (tunnel)
        using (app)
        {
            var reading = LoopbackPairs.ReadToEndAsync(app);
            await LoopbackPairs.SendAllAsync(app, payload);
            app.Shutdown(SocketShutdown.Send);
            var echoed = await reading;
            var result = await relay.WaitAsync(Deadline);
            Assert.Equal(RelayOutcome.Completed, result.Outcome);
            return echoed;
        }
    }

    /// <summary>Waits for <paramref name="condition"/> (bounded by the deadline); fails with <paramref name="what"/>.</summary>
    public static Task EventuallyAsync(Func<bool> condition, string what, TimeSpan? deadline = null) =>
        Eventually.True(condition, what, deadline ?? Deadline);

    public async ValueTask DisposeAsync()
    {
        await Pool.DisposeAsync();
        await _stop.CancelAsync();
        await Server.DisposeAsync();
        await _serving.WaitAsync(Deadline);
        _listener.Dispose();
        await Echo.DisposeAsync();
    }
}
