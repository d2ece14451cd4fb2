using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Mesh.Node.Identity;
using Mesh.Node.Proxy;
using Mesh.Protocol.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Node.Hbone;

/// <summary>
/// Loopback set-ups to measure HBONE by hand (bench/Mesh.Bench, or the MESH_BENCH test): an HBONE hop pair
/// (<see cref="HboneClientPool"/> → <see cref="HboneServer"/>), the plain two-hop mutual-TLS relay it is judged
/// against (same certificates, no HTTP/2), a discard sink and a bulk sender. Everything uses plain loopback sockets.
/// </summary>
public static class HboneBenchHarness
{
    /// <summary>
    /// Plain TCP in at <see cref="LoopbackRelay.EndPoint"/> → HBONE client pool (identity of <paramref name="client"/>)
    /// → HBONE server (identity of <paramref name="server"/>) → plain TCP to <paramref name="target"/>.
    /// </summary>
    public static Task<LoopbackRelay> StartHboneAsync(WorkloadCertificate client, WorkloadCertificate server, IPEndPoint target,
        HboneOptions? options = null, ILogger? logger = null)
    {
        options ??= new HboneOptions();
        logger ??= NullLogger.Instance;
        var stop = new CancellationTokenSource();
        var hboneListener = Listen();
        var hboneServer = new HboneServer(options, _ => ValueTask.FromResult(server), new ConnectHandler(target), logger);
        var serving = hboneServer.RunAsync(hboneListener, stop.Token);
        var pool = new HboneClientPool(options, (_, _) => ValueTask.FromResult(client), async (request, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(request.HboneEndpoint, ct);
            return socket;
        }, logger);
        var hboneEndPoint = (IPEndPoint)hboneListener.LocalEndPoint!;
        var entry = Listen();
        var clientPort = 30000;
        var accepting = AcceptLoopAsync(entry, async app =>
        {
            var request = new HboneRequest(client.Id, IPAddress.Loopback, server.Id, hboneEndPoint, target,
                new IPEndPoint(IPAddress.Loopback, Interlocked.Increment(ref clientPort) % 60000 + 1));
            var tunnel = await pool.OpenAsync(request, stop.Token);
            await using (tunnel)
                await tunnel.RelayAsync(app, stop.Token);
        }, stop.Token);
        return Task.FromResult(new LoopbackRelay((IPEndPoint)entry.LocalEndPoint!, async () =>
        {
            await stop.CancelAsync();
            entry.Dispose();
            await pool.DisposeAsync();
            await hboneServer.DisposeAsync();
            hboneListener.Dispose();
            await Task.WhenAll(serving, accepting);
        }));
    }

    /// <summary>
    /// The reference: plain TCP in → mutual TLS 1.3 (same SVIDs, ALPN h2, 64 KiB copies) → plain TCP to
    /// <paramref name="target"/>, two hops like HBONE, no HTTP/2.
    /// </summary>
    public static Task<LoopbackRelay> StartTlsRelayAsync(WorkloadCertificate client, WorkloadCertificate server, IPEndPoint target)
    {
        var stop = new CancellationTokenSource();
        var tlsListener = Listen();
        var tlsEndPoint = (IPEndPoint)tlsListener.LocalEndPoint!;
        var inbound = AcceptLoopAsync(tlsListener, async socket =>
        {
            await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
            await tls.AuthenticateAsServerAsync(HboneTls.Server(server), stop.Token);
            using var upstream = await ConnectAsync(target, stop.Token);
            await PumpAsync(tls, new NetworkStream(upstream, ownsSocket: false), upstream);
        }, stop.Token);
        var entry = Listen();
        var outbound = AcceptLoopAsync(entry, async app =>
        {
            using var upstream = await ConnectAsync(tlsEndPoint, stop.Token);
            await using var tls = new SslStream(new NetworkStream(upstream, ownsSocket: false));
            await tls.AuthenticateAsClientAsync(HboneTls.Client(client, server.Id), stop.Token);
            using (app)
                await PumpAsync(new NetworkStream(app, ownsSocket: false), tls, app);
        }, stop.Token);
        return Task.FromResult(new LoopbackRelay((IPEndPoint)entry.LocalEndPoint!, async () =>
        {
            await stop.CancelAsync();
            entry.Dispose();
            tlsListener.Dispose();
            await Task.WhenAll(inbound, outbound);
        }));
    }

    /// <summary>A server that reads and discards everything, then closes; <see cref="LoopbackRelay.EndPoint"/> is its address.</summary>
    public static Task<LoopbackRelay> StartSinkAsync()
    {
        var stop = new CancellationTokenSource();
        var listener = Listen();
        var accepting = AcceptLoopAsync(listener, async socket =>
        {
            using (socket)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
                try
                {
                    while (await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token) > 0)
                    {
                    }
                    socket.Shutdown(SocketShutdown.Send);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }, stop.Token);
        return Task.FromResult(new LoopbackRelay((IPEndPoint)listener.LocalEndPoint!, async () =>
        {
            await stop.CancelAsync();
            listener.Dispose();
            await accepting;
        }));
    }

    /// <summary>
    /// Sends <paramref name="bytesPerConnection"/> on each of <paramref name="connections"/> parallel connections to
    /// <paramref name="entry"/>, half-closes and waits for the far end's close. Reports wall time and process CPU.
    /// </summary>
    public static async Task<BenchResult> SendAsync(IPEndPoint entry, long bytesPerConnection, int connections = 1)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            using var socket = await ConnectAsync(entry, CancellationToken.None);
            var chunk = new byte[64 * 1024];
            new Random(1).NextBytes(chunk);
            for (var left = bytesPerConnection; left > 0;)
            {
                var n = (int)Math.Min(chunk.Length, left);
                left -= await socket.SendAsync(chunk.AsMemory(0, n), SocketFlags.None);
            }
            socket.Shutdown(SocketShutdown.Send);
            while (await socket.ReceiveAsync(chunk, SocketFlags.None) > 0)
            {
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        return new BenchResult(bytesPerConnection * connections, elapsed, process.TotalProcessorTime - cpuBefore);
    }

    /// <summary>An SVID from PEM files (leaf + optional chain in <paramref name="certificatePemPath"/>), as the bench keeps them.</summary>
    public static WorkloadCertificate LoadCertificate(string certificatePemPath, string keyPemPath, string bundlePemPath)
    {
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(certificatePemPath);
        using var withKey = X509Certificate2.CreateFromPemFile(certificatePemPath, keyPemPath);
        // Round trip so the key is usable by every TLS backend.
        var leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        if (!SpiffeCertificate.TryGetSpiffeId(leaf, out var id, out var error))
            throw new FormatException(error);
        return new WorkloadCertificate(id, leaf, all.Skip(1).ToList(), TrustBundle.FromPem(File.ReadAllText(bundlePemPath)));
    }

    private static Socket Listen()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1024);
        return listener;
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint target, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(target, cancellationToken);
        return socket;
    }

    private static async Task AcceptLoopAsync(Socket listener, Func<Socket, Task> serve, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var socket = await listener.AcceptAsync(cancellationToken);
                socket.NoDelay = true;
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await serve(socket);
                    }
                    catch (Exception e) when (e is IOException or SocketException or AuthenticationException or OperationCanceledException or HboneException)
                    {
                        socket.Dispose();
                    }
                }, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }
    }

    /// <summary>Both directions with 64 KiB copies; EOF half-closes the other side (close_notify on TLS).</summary>
    private static async Task PumpAsync(Stream a, Stream b, Socket plain)
    {
        async Task CopyAsync(Stream from, Stream to)
        {
            await from.CopyToAsync(to, 64 * 1024);
            if (to is SslStream tls)
                await tls.ShutdownAsync();
            else
                plain.Shutdown(SocketShutdown.Send);
        }
        await Task.WhenAll(CopyAsync(a, b), CopyAsync(b, a));
    }

    /// <summary>Connects accepted CONNECTs to one target.</summary>
    private sealed class ConnectHandler(IPEndPoint target) : IHboneInboundHandler
    {
        public async ValueTask<HboneAdmission> AdmitAsync(HboneInboundRequest request, CancellationToken cancellationToken)
        {
            try
            {
                return HboneAdmission.Accept(await ConnectAsync(target, cancellationToken));
            }
            catch (SocketException e)
            {
                return HboneAdmission.Unavailable(e.Message);
            }
        }

        public void Completed(HboneInboundRequest request, HboneAdmission admission, RelayResult? result)
        {
        }
    }
}

/// <summary>A running loopback set-up: connect to <see cref="EndPoint"/>; dispose to stop it.</summary>
public sealed class LoopbackRelay(IPEndPoint endPoint, Func<Task> stop) : IAsyncDisposable
{
    public IPEndPoint EndPoint { get; } = endPoint;

    public async ValueTask DisposeAsync() => await stop();
}

/// <summary>One bulk run: bytes moved, wall time, CPU time of the whole process (sender, relays and sink).</summary>
public sealed record BenchResult(long Bytes, TimeSpan Elapsed, TimeSpan Cpu)
{
    public double MiBPerSecond => Bytes / 1048576.0 / Elapsed.TotalSeconds;

    public double CpuSecondsPerGiB => Cpu.TotalSeconds / (Bytes / 1073741824.0);

    public override string ToString() => $"{MiBPerSecond,8:0} MiB/s  {CpuSecondsPerGiB,5:0.00} CPU-s/GiB  ({Bytes / 1048576} MiB in {Elapsed.TotalSeconds:0.00} s)";
}
