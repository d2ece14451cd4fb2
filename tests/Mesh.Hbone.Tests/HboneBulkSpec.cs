using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Mesh.Hbone.Relay;
using Xunit.Abstractions;
using static Mesh.Hbone.Tests.HboneTestBed;

namespace Mesh.Hbone.Tests;

/// <summary>
/// 1 GiB up and 128 MiB down at the same time through one tunnel, checked by SHA-256 on the fly (nothing is buffered
/// whole). Down is smaller only to keep the suite quick; both directions cross many windows.
/// </summary>
public sealed class HboneBulkSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private const long UpSize = 1L << 30;
    private const long DownSize = 128L << 20;
    private const int Chunk = 64 * 1024;
    private HboneTestBed _bed = null!;

    public Task InitializeAsync()
    {
        _bed = new HboneTestBed();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task One_GiB_arrives_intact_while_data_flows_back()
    {
        using var appListener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        appListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        appListener.Listen(1);
        _bed.Handler.App = (IPEndPoint)appListener.LocalEndPoint!;
        var serverApp = Task.Run(async () =>
        {
            using var socket = await appListener.AcceptAsync();
            var sending = SendAsync(socket, seed: 2, DownSize);
            var received = await HashUntilEofAsync(socket);
            return (Sent: await sending, Received: received);
        });

        var watch = Stopwatch.StartNew();
        var (app, relay, tunnel) = await OpenRelayAsync(_bed.Pool, _bed.Request());
        await using (tunnel)
        using (app)
        {
            var sending = SendAsync(app, seed: 1, UpSize);
            var received = await HashUntilEofAsync(app);
            var sent = await sending;
            var server = await serverApp.WaitAsync(TimeSpan.FromMinutes(2));
            var result = await relay.WaitAsync(Deadline);
            output.WriteLine($"1 GiB up + 128 MiB down through HBONE in {watch.Elapsed.TotalSeconds:0.0} s");

            Assert.Equal(sent, server.Received);
            Assert.Equal(server.Sent, received);
            Assert.Equal(RelayOutcome.Completed, result.Outcome);
            Assert.Equal(UpSize, result.BytesUp);
            Assert.Equal(DownSize, result.BytesDown);
        }
    }

    /// <summary>Sends seeded data (each chunk stamped with its index, so reordering shows), then half-closes.</summary>
    private static async Task<string> SendAsync(Socket socket, int seed, long size)
    {
        var pattern = new byte[1 << 20];
        new Random(seed).NextBytes(pattern);
        var chunk = new byte[Chunk];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long index = 0; index < size / Chunk; index++)
        {
            pattern.AsSpan((int)(index * Chunk % pattern.Length), Chunk).CopyTo(chunk);
            BinaryPrimitives.WriteInt64LittleEndian(chunk, index ^ seed);
            hash.AppendData(chunk);
            for (var sent = 0; sent < Chunk;)
                sent += await socket.SendAsync(chunk.AsMemory(sent), SocketFlags.None);
        }
        socket.Shutdown(SocketShutdown.Send);
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static async Task<string> HashUntilEofAsync(Socket socket)
    {
        var buffer = new byte[Chunk];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int read;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(Deadline)) > 0)
            hash.AppendData(buffer, 0, read);
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
