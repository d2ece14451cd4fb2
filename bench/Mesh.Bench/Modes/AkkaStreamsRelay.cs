using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Mesh.Bench.Modes;

/// <summary>
/// The plain 2-hop relay built from Akka.Streams stages instead of a socket pump: each hop is
/// <c>Tcp().Bind(halfClose) → incoming.HandleWith(Tcp().OutgoingConnection(next, halfClose))</c>. Two variants:
/// "akka" runs Akka.IO's TCP defaults (512-byte read buffers, 4 KiB frames, 8 KiB socket buffers); "akka-tuned" gives
/// it the buffer sizes our pump uses (64 KiB reads and frames) and larger socket buffers. Bulk only: the question it
/// answers is whether Akka.Streams stages can carry the byte path within 10% of <c>RelayPump</c> (Mesh.Hbone).
/// </summary>
internal static class AkkaStreamsRelay
{
    private const string Quiet = "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING\n";

    private const string Tuned = """
        akka.io.tcp {
          disabled-buffer-pool.buffer-size = 65536
          maximum-frame-size = 64k
          send-buffer-size = 1m
          receive-buffer-size = 1m
        }
        """;

    public static Task<Task> DefaultsAsync(ServeArgs args, CancellationToken ct) => RunAsync(args, Quiet, ct);

    public static Task<Task> TunedAsync(ServeArgs args, CancellationToken ct) => RunAsync(args, Quiet + Tuned, ct);

    private static async Task<Task> RunAsync(ServeArgs args, string hocon, CancellationToken ct)
    {
        var system = ActorSystem.Create("bench", ConfigurationFactory.ParseString(hocon));
        var materializer = system.Materializer();
        var tcp = system.TcpStream();
        var next = new IPEndPoint(IPAddress.Loopback, args.Next);
        var binding = await tcp.Bind("127.0.0.1", args.Listen, backlog: 4096, halfClose: true)
            .To(Akka.Streams.Dsl.Sink.ForEach<Tcp.IncomingConnection>(incoming =>
                incoming.HandleWith(tcp.OutgoingConnection(next, halfClose: true), materializer)))
            .Run(materializer);
        return RunUntilCancelledAsync(system, binding, ct);
    }

    private static async Task RunUntilCancelledAsync(ActorSystem system, Tcp.ServerBinding binding, CancellationToken ct)
    {
        try { await Task.Delay(Timeout.Infinite, ct); }
        catch (OperationCanceledException) { }
        await binding.Unbind();
        await system.Terminate();
    }
}
