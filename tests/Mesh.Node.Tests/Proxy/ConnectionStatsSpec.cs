using Mesh.Node.Proxy;

namespace Mesh.Node.Tests.Proxy;

public class ConnectionStatsSpec
{
    [Fact]
    public void Inbound_plaintext_and_hbone_are_counted_apart_and_outbound_hbone_is_a_subset()
    {
        var stats = new ConnectionStats();
        stats.Opened(Direction.Inbound, TrafficProtocol.Tcp);
        stats.Closed(Direction.Inbound, 10, 20, failed: false, TrafficProtocol.Tcp);
        stats.Opened(Direction.Inbound, TrafficProtocol.Hbone);
        stats.Opened(Direction.Inbound, TrafficProtocol.Hbone);
        stats.Closed(Direction.Inbound, 1, 2, failed: true, TrafficProtocol.Hbone);
        stats.Opened(Direction.Outbound);
        stats.Opened(Direction.Outbound);
        stats.Closed(Direction.Outbound, 100, 200, failed: false, TrafficProtocol.Hbone);
        stats.Closed(Direction.Outbound, 5, 5, failed: false);

        Assert.Equal((1L, 1L), (stats.InboundPlaintextOpened, stats.InboundPlaintextClosed));
        Assert.Equal((2L, 1L), (stats.InboundHboneOpened, stats.InboundHboneClosed));
        Assert.Equal((3L, 2L), (stats.InboundOpened, stats.InboundClosed));
        Assert.Equal((2L, 2L, 1L), (stats.OutboundOpened, stats.OutboundClosed, stats.OutboundHbone));
        Assert.Equal((116L, 227L, 1L), (stats.BytesSent, stats.BytesReceived, stats.Failed));
    }
}
