using Mesh.Testing;
using Mesh.Hbone.Relay;
using System.Buffers;
using System.Net.Security;
using Mesh.Hbone.Http2;
using static Mesh.Hbone.Tests.HboneTestBed;

namespace Mesh.Hbone.Tests;

/// <summary>
/// A client that breaks HTTP/2 on purpose gets GOAWAY with the right code and a closed connection; a good connection
/// to the same server carries on.
/// </summary>
public sealed class HboneServerAbuseSpec : IAsyncLifetime
{
    private HboneTestBed _bed = null!;

    public Task InitializeAsync()
    {
        _bed = new HboneTestBed();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Garbage_instead_of_the_preface()
    {
        var code = await AbuseAsync(w => w.Write("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8), preface: false);
        Assert.Equal(Http2ErrorCode.ProtocolError, code);
    }

    [Fact]
    public async Task A_header_list_over_the_limit()
    {
        var block = new ArrayBufferWriter<byte>();
        var encoder = new HpackEncoder(useHuffman: false);
        encoder.Encode(":method", "CONNECT", block);
        encoder.Encode(":authority", "10.244.1.7:8080", block);
        encoder.Encode("x-big", new string('a', 20_000), block);
        var code = await AbuseAsync(w => WriteHeaders(w, 1, block.WrittenSpan, maxFrameSize: 16_384));
        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, code);
    }

    [Fact]
    public async Task A_CONTINUATION_flood()
    {
        var code = await AbuseAsync(w =>
        {
            new Http2FrameHeader(1, Http2FrameType.Headers, Http2FrameFlags.None, 1).Write(w.GetSpan(9));
            w.Advance(9);
            w.Write(new byte[] { 0x82 }); // no END_HEADERS: CONTINUATION must follow
            for (var i = 0; i < 1000; i++)
            {
                new Http2FrameHeader(0, Http2FrameType.Continuation, Http2FrameFlags.None, 1).Write(w.GetSpan(9));
                w.Advance(9);
            }
        });
        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, code);
    }

    [Fact]
    public async Task DATA_after_END_STREAM_on_a_stream()
    {
        var block = new ArrayBufferWriter<byte>();
        var encoder = new HpackEncoder();
        encoder.Encode(":method", "CONNECT", block);
        encoder.Encode(":authority", "10.244.1.7:8080", block);
        var code = await AbuseAsync(w =>
        {
            WriteHeaders(w, 1, block.WrittenSpan);
            Http2FrameWriter.WriteData(w, 1, "bye"u8, endStream: true);
            Http2FrameWriter.WriteData(w, 1, "more"u8, endStream: false);
        });
        Assert.Equal(Http2ErrorCode.StreamClosed, code);
    }

    [Fact]
    public async Task DATA_on_a_stream_never_opened()
    {
        var code = await AbuseAsync(w => Http2FrameWriter.WriteData(w, 7, "who?"u8, endStream: false));
        Assert.Equal(Http2ErrorCode.ProtocolError, code);
    }

    [Fact]
    public async Task A_stream_id_going_backwards()
    {
        var block = new ArrayBufferWriter<byte>();
        new HpackEncoder().Encode(":method", "CONNECT", block);
        var code = await AbuseAsync(w =>
        {
            WriteHeaders(w, 5, block.WrittenSpan);
            WriteHeaders(w, 3, block.WrittenSpan);
        });
        Assert.Equal(Http2ErrorCode.ProtocolError, code);
    }

    /// <summary>
    /// Opens a good tunnel, sends the abuse on a second TLS connection (after a valid preface unless told otherwise),
    /// reads frames until GOAWAY and EOF, and checks the good tunnel still echoes. Returns the GOAWAY code.
    /// </summary>
    private async Task<Http2ErrorCode> AbuseAsync(Action<ArrayBufferWriter<byte>> abuse, bool preface = true)
    {
        var good = await _bed.Pool.OpenAsync(_bed.Request(), default);

        await using var tls = await RawHboneClient.TlsAsync(_bed.ServerEndPoint, _bed.ClientCertificate);
        var bytes = new ArrayBufferWriter<byte>();
        if (preface)
        {
            bytes.Write(Http2FrameWriter.ClientPreface);
            Http2FrameWriter.WriteSettings(bytes, []);
        }
        abuse(bytes);
        await tls.WriteAsync(bytes.WrittenMemory);
        var code = await ReadUntilGoAwayAsync(tls);

        var (app, relayEnd) = await LoopbackPairs.ConnectAsync();
        var relay = RelayPump.RunAsync(RelayEnd.Of(relayEnd), good.End);
        using (app)
        {
            await LoopbackPairs.SendAllAsync(app, "unaffected"u8.ToArray());
            app.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            Assert.Equal("unaffected"u8.ToArray(), await LoopbackPairs.ReadToEndAsync(app));
            await relay.WaitAsync(Deadline);
        }
        return code;
    }

    /// <summary>Frames from the server until GOAWAY (its code), which must be followed by the connection closing.</summary>
    private static async Task<Http2ErrorCode> ReadUntilGoAwayAsync(SslStream tls)
    {
        var reader = new Http2FrameReader(tls, Http2ConnectionOptions.DefaultMaxFrameSize);
        while (true)
        {
            using var timeout = new CancellationTokenSource(Deadline);
            var read = await reader.ReadFrameAsync(timeout.Token);
            Assert.True(read.HasValue, "connection closed without GOAWAY");
            var frame = read.Value;
            using (frame)
            {
                if (frame.Header.Type != Http2FrameType.GoAway)
                    continue;
                var code = frame.ErrorCode;
                // Then EOF (or a reset): the server closed the connection.
                try
                {
                    while (await reader.ReadFrameAsync(timeout.Token) is { } more)
                        more.Dispose();
                }
                catch (IOException)
                {
                }
                return code;
            }
        }
    }

    private static void WriteHeaders(ArrayBufferWriter<byte> w, int streamId, ReadOnlySpan<byte> block, int maxFrameSize = 16_384) =>
        Http2FrameWriter.WriteHeaders(w, streamId, block, endStream: false, maxFrameSize);
}
