using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Bench.Modes;

/// <summary>
/// Hidden subcommand <c>mesh-bench --serve MODE LISTEN NEXT FINAL PKI_DIR</c>: one hop of one of our modes in its own
/// process. Prints "ready server" (or "ready workstation": the collector it runs with) once it listens; then reads commands on stdin: "gc" → full blocking GC, answers "ok";
/// EOF (the bench went away) → exit.
/// </summary>
internal static class ServeMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 6)
        {
            Console.Error.WriteLine("usage: mesh-bench --serve MODE LISTEN NEXT FINAL PKI_DIR");
            return 2;
        }
        var serve = new ServeArgs(args[1], Port(args[2]), Port(args[3]), Port(args[4]), args[5]);
        if (!ModeCatalog.Hops.TryGetValue(serve.Mode, out var hop))
        {
            Console.Error.WriteLine($"unknown serve mode '{serve.Mode}' (known: {string.Join(", ", ModeCatalog.Hops.Keys)})");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        var running = await hop(serve, stop.Token);
        // The collector this process really got (the bench sets DOTNET_gcServer): the bench refuses a hop that differs.
        Console.WriteLine(System.Runtime.GCSettings.IsServerGC ? "ready server" : "ready workstation");
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line != "gc") continue;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            Console.WriteLine("ok");
        }
        await stop.CancelAsync();
        await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(2)));
        return 0;
    }

    /// <summary>A listening socket on loopback (backlog large enough for the idle and connection-rate runs).</summary>
    public static Socket Listen(int port)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        listener.Listen(4096);
        return listener;
    }

    /// <summary>Accepts until cancelled and hands each connection (NoDelay) to <paramref name="handle"/> on its own task.</summary>
    public static async Task AcceptLoopAsync(Socket listener, Func<Socket, CancellationToken, Task> handle, CancellationToken ct)
    {
        using (listener)
        {
            while (!ct.IsCancellationRequested)
            {
                Socket client;
                try { client = await listener.AcceptAsync(ct); }
                catch (OperationCanceledException) { return; }
                catch (SocketException) { continue; }
                client.NoDelay = true;
                _ = Task.Run(() => handle(client, ct), CancellationToken.None);
            }
        }
    }

    /// <summary>A connected socket to a loopback port (NoDelay), or throws.</summary>
    public static async Task<Socket> ConnectAsync(int port, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static int Port(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}
