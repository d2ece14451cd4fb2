using Mesh.Hbone;
using Mesh.Hbone.Client;
using Mesh.Hbone.Server;
using Mesh.Hbone.Http2;
using static Mesh.Hbone.Tests.HboneTestBed;

namespace Mesh.Hbone.Tests;

/// <summary>Rejections: the server's own 400s and the handler's statuses, as the client sees them.</summary>
public sealed class HboneStatusSpec : IAsyncLifetime
{
    private HboneTestBed _bed = null!;

    public Task InitializeAsync()
    {
        _bed = new HboneTestBed();
        _bed.Handler.Reject = request => request.Target.Port switch
        {
            400 or 401 or 503 => request.Target.Port,
            666 => throw new InvalidOperationException("handler bug"),
            _ => null,
        };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(503)]
    public async Task Handler_rejections_surface_as_the_status(int status)
    {
        var ex = await Assert.ThrowsAsync<HboneException>(() => _bed.Pool.OpenAsync(_bed.Request($"10.244.1.7:{status}"), default).AsTask());
        Assert.Equal(status, ex.Status);
        await EventuallyAsync(() => _bed.Handler.Completions.Count == 1, "Completed for the rejection");
        var (_, admission, result) = Assert.Single(_bed.Handler.Completions);
        Assert.Equal(status, admission);
        Assert.Null(result);
        // The connection is still good afterwards.
        Assert.Equal("ok"u8.ToArray(), await EchoThroughAsync(_bed.Pool, _bed.Request(), "ok"u8.ToArray()));
        Assert.Equal(1, _bed.Server.ConnectionsAccepted);
    }

    [Fact]
    public async Task A_throwing_handler_answers_503_and_the_server_keeps_serving()
    {
        var ex = await Assert.ThrowsAsync<HboneException>(() => _bed.Pool.OpenAsync(_bed.Request("10.244.1.7:666"), default).AsTask());
        Assert.Equal(503, ex.Status);
        await EventuallyAsync(() => _bed.Handler.Admitted.Count == 1, "the handler saw the request");
        Assert.Equal("still up"u8.ToArray(), await EchoThroughAsync(_bed.Pool, _bed.Request(), "still up"u8.ToArray()));
    }

    [Theory]
    [InlineData("httpbin.default:8080")] // a name, not a literal
    [InlineData("10.244.1.7")] // no port
    [InlineData("10.1:80")] // IPv4 shorthand
    [InlineData("10.244.1.7:0")]
    [InlineData("10.244.1.7:70000")]
    [InlineData("fd00::1:80")] // IPv6 without brackets
    public async Task A_non_literal_authority_is_400_without_asking_the_handler(string authority)
    {
        await using var connection = await RawHboneClient.ConnectAsync(_bed.ServerEndPoint, _bed.ClientCertificate);
        var stream = await RawHboneClient.RequestAsync(connection, new(":method", "CONNECT"), new(":authority", authority));
        Assert.Equal(400, await stream.GetStatusAsync().WaitAsync(Deadline));
        Assert.Empty(_bed.Handler.Admitted);
    }

    [Fact]
    public async Task CONNECT_with_scheme_and_path_or_another_method_is_400()
    {
        await using var connection = await RawHboneClient.ConnectAsync(_bed.ServerEndPoint, _bed.ClientCertificate);
        var withPath = await RawHboneClient.RequestAsync(connection,
            new(":method", "CONNECT"), new(":scheme", "https"), new(":authority", "10.244.1.7:8080"), new(":path", "/"));
        Assert.Equal(400, await withPath.GetStatusAsync().WaitAsync(Deadline));
        var get = await RawHboneClient.RequestAsync(connection,
            new(":method", "GET"), new(":scheme", "https"), new(":authority", "10.244.1.7:8080"), new(":path", "/"));
        Assert.Equal(400, await get.GetStatusAsync().WaitAsync(Deadline));
        Assert.Empty(_bed.Handler.Admitted);

        // IPv6 literal in brackets is fine (the handler's echo app is IPv4; the target only needs to parse).
        var v6 = await RawHboneClient.RequestAsync(connection, new(":method", "CONNECT"), new(":authority", "[fd00::7]:8080"),
            new("forwarded", "for=\"[fd00::5]:4000\""));
        Assert.Equal(200, await v6.GetStatusAsync().WaitAsync(Deadline));
        var admitted = Assert.Single(_bed.Handler.Admitted);
        Assert.Equal(System.Net.IPEndPoint.Parse("[fd00::7]:8080"), admitted.Target);
        Assert.Equal(System.Net.IPEndPoint.Parse("[fd00::5]:4000"), admitted.ForwardedFor);
        await v6.ResetAsync(Http2ErrorCode.Cancel);
    }

    [Fact]
    public void Request_headers_are_classic_CONNECT_with_forwarded_and_trace_context()
    {
        var request = _bed.Request("10.244.1.7:8080", clientPort: 4000) with { Baggage = "k8s.namespace.name=default" };
        var headers = HboneHeaders.ForConnect(request);
        Assert.Equal(new HeaderField(":method", "CONNECT"), headers[0]);
        Assert.Equal(new HeaderField(":authority", "10.244.1.7:8080"), headers[1]);
        Assert.Contains(new HeaderField("forwarded", "for=\"10.244.2.5:4000\""), headers);
        Assert.Contains(new HeaderField("baggage", "k8s.namespace.name=default"), headers);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-00$", headers.Single(h => h.Name == "traceparent").Value);

        var v6 = _bed.Request("[fd00::7]:8080") with { Client = System.Net.IPEndPoint.Parse("[fd00::5]:4000"), TraceParent = "00-abc-def-01" };
        var v6Headers = HboneHeaders.ForConnect(v6);
        Assert.Contains(new HeaderField(":authority", "[fd00::7]:8080"), v6Headers);
        Assert.Contains(new HeaderField("forwarded", "for=\"[fd00::5]:4000\""), v6Headers);
        Assert.Contains(new HeaderField("traceparent", "00-abc-def-01"), v6Headers);
    }
}
