using System.Net;
using System.Net.Sockets;
using Mesh.Hbone.Http2;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Hbone.Tests.Http2;

/// <summary>Our HTTP/2 connection (client role) against Kestrel (HTTP/2 cleartext, prior knowledge) answering CONNECT with an echo.</summary>
public sealed class Http2ConnectionKestrelSpec : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private WebApplication _server = null!;
    private IPEndPoint _endpoint = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
            // Kestrel's defaults would cut a tunnel: it is one long request body with no size or data-rate floor.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
        });
        _server = builder.Build();
        _server.Run(async context =>
        {
            if (!HttpMethods.IsConnect(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return;
            }
            if (context.Request.Host.Value == "10.0.0.9:1")
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }
            if (context.Request.Host.Value == "10.0.0.9:2")
            {
                context.Abort(); // RST_STREAM from Kestrel
                return;
            }
            context.Response.Headers["x-seen-forwarded"] = context.Request.Headers["forwarded"];
            context.Response.StatusCode = StatusCodes.Status200OK;
            await context.Response.StartAsync();
            // On HTTP/2 Kestrel sends the 200 HEADERS only on a flush (StartAsync alone does not), and a CONNECT client waits for it.
            await context.Response.BodyWriter.FlushAsync();
            await context.Request.BodyReader.CopyToAsync(context.Response.BodyWriter);
            await context.Response.CompleteAsync();
        });
        await _server.StartAsync();
        var address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _endpoint = new IPEndPoint(IPAddress.Loopback, new Uri(address).Port);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<Http2Connection> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(_endpoint).WaitAsync(Deadline);
        var connection = new Http2Connection(new NetworkStream(socket, ownsSocket: true), new Http2ConnectionOptions());
        await connection.StartAsync(default).WaitAsync(Deadline);
        return connection;
    }

    private static Task<Http2Stream> Connect(Http2Connection connection, string authority, params HeaderField[] extra) =>
        connection.OpenStreamAsync([new(":method", "CONNECT"), new(":authority", authority), .. extra], reserved: false, default);

    private static async Task<byte[]> ReadToEndAsync(Http2Stream stream)
    {
        using var received = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int n;
        while ((n = await stream.ReadAsync(chunk).AsTask().WaitAsync(Deadline)) > 0)
            received.Write(chunk, 0, n);
        return received.ToArray();
    }

    [Fact]
    public async Task Classic_CONNECT_gets_200_and_the_body_echoed()
    {
        await using var connection = await ConnectAsync();
        var stream = await Connect(connection, "10.244.1.7:8080", new HeaderField("forwarded", "for=\"10.244.2.5:4000\""));

        Assert.Equal(200, await stream.GetStatusAsync().WaitAsync(Deadline));
        var headers = await stream.Headers;
        Assert.Contains(new HeaderField("x-seen-forwarded", "for=\"10.244.2.5:4000\""), headers);

        await stream.WriteAsync("hello hbone"u8.ToArray()).AsTask().WaitAsync(Deadline);
        await stream.CompleteWritesAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal("hello hbone"u8.ToArray(), await ReadToEndAsync(stream));
    }

    [Fact]
    public async Task Non_200_statuses_are_returned()
    {
        await using var connection = await ConnectAsync();
        var stream = await Connect(connection, "10.0.0.9:1");
        Assert.Equal(503, await stream.GetStatusAsync().WaitAsync(Deadline));
        Assert.Empty(await ReadToEndAsync(stream));
    }

    [Fact]
    public async Task Echoes_more_than_the_flow_control_windows_on_parallel_streams()
    {
        await using var connection = await ConnectAsync();
        // 3 MiB each: beyond Kestrel's 768 KiB stream window and the 64 KiB initial connection window.
        var payload = new byte[3 * 1024 * 1024];
        new Random(9113).NextBytes(payload);

        async Task RoundTripAsync(int i)
        {
            var stream = await Connect(connection, $"10.244.1.{i}:80");
            Assert.Equal(200, await stream.GetStatusAsync().WaitAsync(Deadline));
            var reading = ReadToEndAsync(stream);
            for (var offset = 0; offset < payload.Length; offset += 100_000)
                await stream.WriteAsync(payload.AsMemory(offset, Math.Min(100_000, payload.Length - offset))).AsTask().WaitAsync(Deadline);
            await stream.CompleteWritesAsync().AsTask().WaitAsync(Deadline);
            Assert.Equal(payload, await reading);
        }

        await Task.WhenAll(Enumerable.Range(1, 4).Select(RoundTripAsync));
        Assert.Equal(0, connection.StreamCount);
    }

    [Fact]
    public async Task A_peer_reset_fails_the_stream_with_its_error_code_and_the_connection_lives_on()
    {
        await using var connection = await ConnectAsync();
        var aborted = await Connect(connection, "10.0.0.9:2");
        var ex = await Assert.ThrowsAsync<Http2StreamException>(() => aborted.GetStatusAsync().WaitAsync(Deadline));
        Assert.NotEqual(Http2ErrorCode.NoError, ex.ErrorCode);
        await Assert.ThrowsAnyAsync<IOException>(() => aborted.WriteAsync(new byte[10]).AsTask());

        var next = await Connect(connection, "10.244.1.7:8080");
        Assert.Equal(200, await next.GetStatusAsync().WaitAsync(Deadline));
    }

    [Fact]
    public async Task A_local_reset_frees_the_stream()
    {
        await using var connection = await ConnectAsync();
        var stream = await Connect(connection, "10.244.1.7:8080");
        Assert.Equal(200, await stream.GetStatusAsync().WaitAsync(Deadline));
        await stream.WriteAsync(new byte[1000]).AsTask().WaitAsync(Deadline);
        await stream.ResetAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal(0, connection.StreamCount);
        await Assert.ThrowsAnyAsync<IOException>(() => stream.ReadAsync(new byte[10]).AsTask());

        var next = await Connect(connection, "10.244.1.8:8080");
        Assert.Equal(200, await next.GetStatusAsync().WaitAsync(Deadline));
        await next.WriteAsync("again"u8.ToArray()).AsTask().WaitAsync(Deadline);
        await next.CompleteWritesAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal("again"u8.ToArray(), await ReadToEndAsync(next));
    }
}
