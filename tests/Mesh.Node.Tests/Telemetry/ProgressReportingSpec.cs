using System.Net.Sockets;
using Mesh.Hbone.Relay;
using Mesh.Node.Telemetry;
using Mesh.Node.Telemetry.Metrics;
using Mesh.Testing;
using static Mesh.Testing.LoopbackPairs;
using static Mesh.Node.Tests.Telemetry.TelemetryFixtures;

namespace Mesh.Node.Tests.Telemetry;

/// <summary>
/// A long-lived connection shows its bytes in the metrics while it is still open: the relay pump counts into the
/// record, the telemetry's ticker reports the increase, and the close adds only the rest (bytes counted once).
/// </summary>
public sealed class ProgressReportingSpec
{
    private static async Task<(double Received, double Sent)> BytesAsync(NodeMetrics metrics)
    {
        using var output = new MemoryStream();
        await metrics.WriteAsync(output, CancellationToken.None);
        var samples = PrometheusText.Parse(System.Text.Encoding.UTF8.GetString(output.ToArray()));
        return (samples.Where(s => s.Name == "istio_tcp_received_bytes_total").Sum(s => s.Value),
            samples.Where(s => s.Name == "istio_tcp_sent_bytes_total").Sum(s => s.Value));
    }

    [Fact]
    public async Task An_open_relayed_connection_reports_its_bytes_before_it_closes_and_the_close_adds_only_the_rest()
    {
        var live = new LiveConnections();
        var metrics = new NodeMetrics(new TelemetryOptions(), live, new NodeTelemetrySources(), null);
        using var telemetry = new ConnectionTelemetry(metrics, live, null, TimeSpan.FromMilliseconds(100));
        var record = OutboundHbone();
        telemetry.Opened(record);

        var (client, downstream) = await ConnectAsync();
        var (upstream, app) = await ConnectAsync();
        using (client)
        using (app)
        {
            var relay = RelayPump.RunAsync(RelayEnd.Of(downstream), RelayEnd.Of(upstream), record.Bytes);
            await SendAllAsync(client, new byte[3000]);
            await SendAllAsync(app, new byte[700]);

            // Still open: the ticker has put the bytes moved so far into the metrics (request → received).
            await Eventually.True(async () => await BytesAsync(metrics) == (3000, 700), "bytes reported while the connection is open");
            Assert.False(relay.IsCompleted);

            await SendAllAsync(client, new byte[1000]);
            client.Shutdown(SocketShutdown.Send);
            app.Shutdown(SocketShutdown.Send);
            Assert.Equal(4000, (await ReadToEndAsync(app)).Length);
            await ReadToEndAsync(client);
            var result = await relay.WaitAsync(Deadline);
            telemetry.Closed(record, result.BytesUp, result.BytesDown);
        }

        Assert.Equal((4000d, 700d), await BytesAsync(metrics));
    }
}
